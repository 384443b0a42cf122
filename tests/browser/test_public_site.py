"""The public open-data site in a real browser, without signing in: axe-core finds nothing in English or
Dutch at 1366 and 390 px, the language link works, and the downloads work without JavaScript.
Screenshots go to /work/wt/shots/pub when that folder exists (and test-artifacts/ always)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.core.files.base import ContentFile  # noqa: F401  (the world writes report files)
from django.utils import timezone
from playwright.sync_api import expect

from commitments.access import Role
from commitments.models import EvaluationRound
from tests.browser.conftest import screenshot
from tests.browser.test_overview import violations
from tests.conftest import make_user
from tests.opendata.world import build

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

SHOTS = Path("/work/wt/shots/pub")


@pytest.fixture
def released_world(tmp_path, settings, staff_be):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    world = build(proposer=staff_be, approver=make_user("sam-second-reviewer", Role.REVIEWER))
    # The world's round is released in 2031: here, yesterday (the embargo is tested in tests/opendata/).
    EvaluationRound.objects.filter(pk=world.released.pk).update(
        released_at=timezone.now() - dt.timedelta(days=1)
    )
    return world


@pytest.mark.parametrize("language", ["en", "nl"])
def test_every_public_page_passes_axe_in_both_languages_at_two_widths(open_page, released_world, language):
    # axe-core is injected as a script, so this context runs JavaScript; the pages have none of their own
    # (the next tests use them with JavaScript off).
    page = open_page(language="nl" if language == "nl" else "en-GB")
    pages = {
        "overview": f"/public/{language}/",
        "goal": f"/public/{language}/goals/VICTIM_ID/",
        "country": f"/public/{language}/countries/NL/",
        "country-be": f"/public/{language}/countries/BE/",
    }
    for name, url in pages.items():
        for width, height in ((1366, 900), (390, 844)):
            page.set_viewport_size({"width": width, "height": height})
            page.goto(url)
            expect(page.locator("html")).to_have_attribute("lang", language)
            expect(page.locator("h1")).to_be_visible()
            assert violations(page) == [], (url, width)
            path = screenshot(page, f"public-{name}-{language}-{width}")
            if SHOTS.is_dir():
                (SHOTS / path.name).write_bytes(path.read_bytes())
    # The other language is one link away, on the same page.
    page.goto(pages["country"])
    page.get_by_role("link", name="Nederlands" if language == "en" else "English").click()
    expect(page.locator("html")).to_have_attribute("lang", "nl" if language == "en" else "en")
    expect(page).to_have_url(__import__("re").compile(r"/public/(en|nl)/countries/NL/$"))


def test_the_files_download_from_the_country_page_without_signing_in(open_page, released_world):
    page = open_page(javascript=False)
    page.goto("/public/en/countries/NL/")
    with page.expect_download() as csv_file:
        page.get_by_role("link", name="This country as CSV").click()
    assert csv_file.value.suggested_filename.endswith("-NL.csv")
    with page.expect_download() as report:
        page.get_by_role("link", name=__import__("re").compile("Alliance-wide evaluation")).click()
    assert report.value.suggested_filename.endswith(".pdf")


def test_the_sign_in_page_links_to_the_public_site(open_page, released_world):
    page = open_page()
    page.goto("/accounts/login/")
    page.get_by_role(
        "link", name="Looking for the released figures? The open-data site needs no sign-in."
    ).click()
    expect(page.locator("h1")).to_have_text("The alliance at a glance")
    assert violations(page) == []
