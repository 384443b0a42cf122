"""The grid by keyboard with autosave and a conflict, the spreadsheet round-trip with a dry run, and the
emails people receive (a return, a reminder, a password reset), in real Chromium and a real SMTP server."""

from __future__ import annotations

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.test import override_settings
from openpyxl import load_workbook
from playwright.sync_api import expect

from commitments import services
from commitments.models import Indicator, IndicatorValue, ReportingPeriod
from notifications import services as notifications
from tests.browser.conftest import screenshot, sign_in
from tests.notifications.conftest import parsed, text_of

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]
SERIOUS = {"critical", "serious", "moderate"}


def progress() -> ReportingPeriod:
    return ReportingPeriod.objects.get(label="2014 progress")


def no_axe_violations(page) -> None:
    results = Axe().run(page)
    bad = [v["id"] for v in results.response["violations"] if v.get("impact") in SERIOUS]
    assert bad == [], results.generate_report()


@pytest.fixture
def mail(smtp_server, live_server):
    smtp_server.handler.messages.clear()
    mailer = {
        "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "OPTIONS": {"host": "127.0.0.1", "port": smtp_server.port, "timeout": 10},
    }
    with override_settings(MAILERS={"default": mailer}, SITE_URL=live_server.url):
        yield smtp_server.handler


def test_the_grid_by_keyboard_saves_each_cell_and_shows_a_conflict_in_the_cell(open_page, staff_nl, nl):
    page = open_page()
    sign_in(page, "anna-nl")
    page.goto(f"/countries/NL/periods/{progress().pk}/grid/")
    no_axe_violations(page)
    value = page.get_by_label("VI-2 Victims identified", exact=False).first
    value.focus()
    page.keyboard.type("45")
    page.keyboard.press("Tab")  # leaving the cell saves it through the API
    row = page.locator("#row-NL-VI-2")
    expect(row.locator("[data-cell-state]")).to_have_text("Saved")
    saved = IndicatorValue.objects.get(country=nl, indicator__code="VI-2", period=progress())
    assert saved.number_value == 45
    # The arrow key moves to the same cell of the next row.
    value.focus()
    page.keyboard.press("ArrowDown")
    expect(page.locator("#row-NL-VI-3 [data-cell='value']")).to_be_focused()

    # Someone else saves the same value meanwhile.
    services.indicator_value_save(
        country=nl,
        indicator=Indicator.objects.get(code="VI-2"),
        period=progress(),
        user=staff_nl,
        number_value=60,
        expected_version=saved.version,
    )
    value.focus()
    value.fill("50")
    page.keyboard.press("Tab")
    conflict = row.locator(".cell-conflict")
    expect(conflict).to_contain_text("Their value: 60")
    screenshot(page, "g14-grid-conflict", at=row)
    expect(conflict.get_by_role("button", name="Keep mine")).to_be_focused()
    page.keyboard.press("Enter")  # keep mine: saved over theirs, knowingly
    expect(row.locator("[data-cell-state]")).to_have_text("Saved")
    assert IndicatorValue.objects.get(pk=saved.pk).number_value == 50


def test_the_spreadsheet_round_trip_with_a_dry_run(open_page, staff_nl, nl, tmp_path):
    page = open_page()
    sign_in(page, "anna-nl")
    page.goto("/spreadsheets/template/")
    no_axe_violations(page)
    page.get_by_label("Period").select_option(label="2014 progress")
    with page.expect_download() as download:
        page.get_by_role("button", name="Download (.xlsx)").click()
    path = tmp_path / "nl.xlsx"
    download.value.save_as(path)
    book = load_workbook(path)
    for row in book["values"].iter_rows(min_row=2):
        if row[2].value == "VI-2":
            row[7].value = 45
        if row[2].value == "VI-1":
            row[7].value = "maybe"
    book.save(path)

    page.goto("/spreadsheets/upload/")
    page.get_by_label("Filled-in template (.xlsx)").set_input_files(str(path))
    page.get_by_role("button", name="Check the file (dry run)").click()
    expect(page.get_by_role("heading", name="Dry run: 2014 progress")).to_be_visible()
    expect(page.get_by_text("Invalid: 1")).to_be_visible()
    no_axe_violations(page)
    assert not IndicatorValue.objects.exists()  # a dry run writes nothing

    for row in book["values"].iter_rows(min_row=2):
        if row[2].value == "VI-1":
            row[7].value = "yes"
    book.save(path)
    page.goto("/spreadsheets/upload/")
    page.get_by_label("Filled-in template (.xlsx)").set_input_files(str(path))
    page.get_by_role("button", name="Check the file (dry run)").click()
    expect(page.get_by_text("New: 2")).to_be_visible()
    screenshot(page, "g14-dry-run")
    page.get_by_role("button", name="Import 2 values").click()
    expect(page.get_by_text("2 values imported")).to_be_visible()
    assert IndicatorValue.objects.get(country=nl, indicator__code="VI-2").number_value == 45


def test_emails_for_a_return_and_a_reminder_arrive(open_page, mail, staff_nl, reviewer, nl, settings):
    value = services.indicator_value_save(
        country=nl,
        indicator=Indicator.objects.get(code="VI-2"),
        period=progress(),
        user=staff_nl,
        number_value=4,
    )
    page = open_page()
    sign_in(page, "anna-nl")
    page.goto(f"/countries/NL/periods/{progress().pk}/grid/")
    page.get_by_label("Choose VI-2 (NL) for submitting").check()
    page.get_by_role("button", name="Submit chosen values…").click()
    expect(page.get_by_role("heading", name="Submit 1 value for review?")).to_be_visible()
    page.get_by_role("button", name="Submit for review").click()
    expect(page.get_by_text("1 item submitted for review.")).to_be_visible()
    value.refresh_from_db()
    services.reviewable_transition(
        item=value, action="return", user=reviewer, reason="Which source?", expected_version=value.version
    )
    (returned,) = mail.wait_for(1)
    assert returned.rcpt_tos == [staff_nl.email] and "Which source?" in text_of(returned)
    link = re.search(r"(/countries/NL/periods/\d+/grid/#row-NL-VI-2)", text_of(returned)).group(1)
    page.goto(link)
    page.reload()  # the grid was open already: the link's anchor alone would only scroll it
    expect(page.locator("#row-NL-VI-2")).to_contain_text("Which source?")

    settings.NOTIFICATION_REMINDER_DAYS = [3]
    notifications.deadline_reminders(
        today=progress().deadline.fromordinal(progress().deadline.toordinal() - 3)
    )
    reminder = mail.wait_for(2)[1]
    assert "the deadline is in 3 days" in parsed(reminder)["Subject"]


def test_forgot_your_password_by_email(open_page, mail, staff_nl):
    page = open_page()
    page.goto("/accounts/login/")
    page.get_by_role("link", name="Forgot your password?").click()
    # The click does not wait for the next page: check the form's page, loaded, not the sign-in page.
    expect(page).to_have_url(re.compile(r"/accounts/password-reset/$"))
    expect(page.get_by_role("heading", name="Forgot your password?")).to_be_visible()
    page.wait_for_load_state("load")
    no_axe_violations(page)
    page.get_by_label("Email").fill(staff_nl.email)
    page.get_by_role("button", name="Send the link").click()
    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()
    (envelope,) = mail.wait_for(1)
    link = re.search(r"https?://\S+/accounts/reset/\S+/", text_of(envelope)).group(0)
    page.goto(link)
    page.locator("#id_new_password1").fill("a-new-password-for-2015")
    page.locator("#id_new_password2").fill("a-new-password-for-2015")
    page.get_by_role("button", name="Save the new password").click()
    expect(page.get_by_role("heading", name="Password changed")).to_be_visible()
    sign_in(page, "anna-nl", "a-new-password-for-2015")
