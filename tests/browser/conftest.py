"""Real Chromium through Playwright against pytest-django's live server: one browser per test session.

Browser tests flush the database between tests (``transaction=True``); ``serialized_rollback=True``
brings back the seeded reference data that tests/conftest.py serialized at the start of the session.
Screenshots go to test-artifacts/ (not committed) so that a person can look at each step.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connections
from playwright.sync_api import Browser, Locator, Page, expect, sync_playwright

from tests.factories import TEST_PASSWORD

# Playwright's sync API runs an event loop in the test thread; the ORM calls a test makes around it
# (fixtures, assertions) are still plain synchronous calls, so Django's async guard does not apply.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = Path(settings.BASE_DIR) / "test-artifacts"

expect.set_options(timeout=10_000)


@pytest.fixture(scope="session")
def browser(django_db_setup) -> Iterator[Browser]:
    serialized = {
        alias: getattr(connections[alias], "_test_serialized_contents", None) for alias in connections
    }
    with sync_playwright() as playwright:
        # Once Playwright's event loop runs in this thread, asgiref hands Django a new set of connection
        # objects. Carry the serialized reference data over to them, or serialized_rollback would have
        # nothing to restore after the first flush.
        for alias, contents in serialized.items():
            if contents is not None:
                connections[alias]._test_serialized_contents = contents
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def open_page(browser: Browser, live_server) -> Iterator[Callable[..., Page]]:
    """Opens a page in a fresh browser context (its own cookies: one person each)."""
    contexts = []

    def open_one(*, javascript: bool = True, language: str = "en-GB") -> Page:
        context = browser.new_context(
            base_url=live_server.url,
            viewport={"width": 1280, "height": 900},
            java_script_enabled=javascript,
            locale=language,
        )
        contexts.append(context)
        page = context.new_page()
        page.on("dialog", lambda dialog: dialog.accept())
        return page

    yield open_one
    for context in contexts:
        context.close()


def sign_in(page: Page, username: str, password: str = TEST_PASSWORD) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def screenshot(page: Page, name: str, *, at: Locator | None = None) -> Path:
    """A screenshot for a person to look at: the whole page, or the screen around ``at``."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    if at is not None:
        at.scroll_into_view_if_needed()
        page.evaluate("window.scrollBy(0, -120)")  # keep the row's heading clear of the top edge
    page.screenshot(path=str(path), full_page=at is None)
    return path
