"""Using the workspace as people do: by keyboard, without JavaScript, in Dutch, two at a time."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from commitments.models import IndicatorValue, ReportingPeriod
from tests.browser.conftest import screenshot, sign_in
from tests.factories import TEST_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def entry_url() -> str:
    return f"/countries/NL/periods/{ReportingPeriod.objects.get(label='2014 progress').pk}/"


def test_signing_in_and_moving_around_by_keyboard_with_a_visible_focus(open_page, staff_nl):
    page = open_page()
    page.goto("/accounts/login/")
    expect(page.get_by_label("Username")).to_be_focused()  # the sign-in form starts in its first field
    page.keyboard.type("anna-nl")
    page.keyboard.press("Tab")
    page.keyboard.type(TEST_PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name=re.compile("^Welcome"))).to_be_visible()

    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    assert (
        page.evaluate("getComputedStyle(document.activeElement).outlineStyle") != "none"
    )  # focus is visible
    screenshot(page, "20-keyboard-skip-link")
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    expect(page.locator("main").get_by_role("link").first).to_be_focused()  # past the navigation


def test_data_entry_works_without_javascript(open_page, staff_nl):
    page = open_page(javascript=False)
    sign_in(page, "anna-nl")
    page.goto(entry_url())
    page.locator("#indicator-VI-2").get_by_label(re.compile("^Value")).fill("250")
    page.get_by_role("button", name="Save values").click()
    expect(page.get_by_text("1 value saved.")).to_be_visible()
    assert IndicatorValue.objects.get().number_value == 250
    # The language switch has its own button when nothing submits it on change.
    expect(page.get_by_role("button", name="Switch")).to_be_visible()


def test_switching_to_dutch(open_page, staff_nl):
    page = open_page()
    sign_in(page, "anna-nl")
    page.goto("/countries/NL/")
    page.get_by_label("Language").select_option("nl")  # submits on change
    expect(page.locator("html")).to_have_attribute("lang", "nl")
    expect(page.get_by_role("heading", name="Identificatie van slachtoffers")).to_be_visible()
    screenshot(page, "21-country-page-in-dutch", at=page.locator("h1"))


def test_two_people_saving_the_same_value(open_page, staff_nl, reviewer):
    anna, rita = open_page(), open_page()
    sign_in(anna, "anna-nl")
    sign_in(rita, "rita-reviewer")
    anna.goto(entry_url())
    rita.goto(entry_url())
    rita.locator("#indicator-RA-2").get_by_label(re.compile("^Value")).fill("7")
    rita.get_by_role("button", name="Save values").click()
    expect(rita.get_by_text("1 value saved.")).to_be_visible()

    takedown = anna.locator("#indicator-RA-2")
    takedown.get_by_label(re.compile("^Value")).fill("4")
    anna.get_by_role("button", name="Save values").click()
    expect(takedown.get_by_text("rita-reviewer saved this item while you were editing it.")).to_be_visible()
    expect(takedown.get_by_role("row", name=re.compile("^Value"))).to_have_text(re.compile("Value\\s*—\\s*7"))
    expect(takedown.get_by_label(re.compile("^Value"))).to_have_value("4")
    screenshot(anna, "22-edit-conflict", at=takedown)
    assert IndicatorValue.objects.get().number_value == 7
