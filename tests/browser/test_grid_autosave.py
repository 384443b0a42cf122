"""The grid's autosave on rows that already hold a draft, and two people editing the same row, in real
Chromium: a cell that saves itself sends only what changed, and every other field of the row is kept."""

from __future__ import annotations

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from commitments import services
from commitments.models import Indicator, IndicatorValue, ReportingPeriod, Status
from tests.browser.conftest import screenshot, sign_in
from tests.conftest import make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

LINKS = "https://example.invalid/ministry-report\nhttps://example.invalid/annex"


def progress() -> ReportingPeriod:
    return ReportingPeriod.objects.get(label="2014 progress")


def draft(country, code: str, user, **fields) -> IndicatorValue:
    return services.indicator_value_save(
        country=country, indicator=Indicator.objects.get(code=code), period=progress(), user=user, **fields
    )


def grid_url() -> str:
    return f"/countries/NL/periods/{progress().pk}/grid/"


def test_editing_existing_drafts_in_the_grid_keeps_every_other_field(open_page, staff_nl, nl):
    number = draft(
        nl, "VI-2", staff_nl, number_value=Decimal(240), note="Ministry figures", evidence_links=LINKS
    )
    yes_no = draft(nl, "VI-1", staff_nl, boolean_value=True, note="Since 2013", evidence_links=LINKS)
    level = draft(nl, "PR-1", staff_nl, number_value=Decimal(2), note="Self-assessed")
    page = open_page()
    sign_in(page, "anna-nl")
    page.goto(grid_url())

    # The value of one draft, the note of another, the level of a third: each saved as the cell is left.
    value = page.locator("#row-NL-VI-2 [data-cell='value']")
    expect(value).to_have_value("240")
    value.fill("245")
    page.keyboard.press("Tab")
    expect(page.locator("#row-NL-VI-2 [data-cell-state]")).to_have_text("Saved")
    note = page.locator("#row-NL-VI-1 [data-cell='note']")
    note.fill("Since 2013, renewed in 2014")
    page.keyboard.press("Tab")
    expect(page.locator("#row-NL-VI-1 [data-cell-state]")).to_have_text("Saved")
    page.locator("#row-NL-PR-1 [data-cell='value']").select_option("3")
    expect(page.locator("#row-NL-PR-1 [data-cell-state]")).to_have_text("Saved")

    page.reload()
    expect(page.locator("#row-NL-VI-2 [data-cell='value']")).to_have_value("245")
    expect(page.locator("#row-NL-VI-2 [data-cell='note']")).to_have_value("Ministry figures")
    expect(page.locator("#row-NL-VI-1 [data-cell='value']")).to_have_value("yes")
    expect(page.locator("#row-NL-VI-1 [data-cell='note']")).to_have_value("Since 2013, renewed in 2014")
    expect(page.locator("#row-NL-PR-1 [data-cell='value']")).to_have_value("3")
    expect(page.locator("#row-NL-PR-1 [data-cell='note']")).to_have_value("Self-assessed")
    screenshot(page, "grid-autosave-after-reload", at=page.locator("#row-NL-VI-2"))

    # The fields the grid does not show (evidence links) are kept too, and each row stays a draft.
    number.refresh_from_db()
    yes_no.refresh_from_db()
    level.refresh_from_db()
    assert (number.number_value, number.note, number.evidence_links) == (245, "Ministry figures", LINKS)
    assert (yes_no.boolean_value, yes_no.note, yes_no.evidence_links) == (
        True,
        "Since 2013, renewed in 2014",
        LINKS,
    )
    assert (level.number_value, level.note) == (3, "Self-assessed")
    assert {number.status, yes_no.status, level.status} == {Status.DRAFT}
    assert (number.version, yes_no.version, level.version) == (2, 2, 2)


def test_a_row_autosaved_then_chosen_is_submitted_without_reloading(open_page, staff_nl, nl):
    draft(nl, "VI-2", staff_nl, number_value=Decimal(240), note="Ministry figures")
    page = open_page()
    sign_in(page, "anna-nl")
    page.goto(grid_url())
    page.locator("#row-NL-VI-2 [data-cell='value']").fill("245")
    page.keyboard.press("Tab")
    expect(page.locator("#row-NL-VI-2 [data-cell-state]")).to_have_text("Saved")
    # A row that had no value gets its box once its first value is saved.
    page.locator("#row-NL-VI-5 [data-cell='value']").fill("12")
    page.keyboard.press("Tab")
    expect(page.locator("#row-NL-VI-5 [data-cell-state]")).to_have_text("Saved")

    page.get_by_label("Choose VI-2 (NL) for submitting").check()
    page.get_by_label("Choose VI-5 (NL) for submitting").check()
    page.get_by_role("button", name="Submit chosen values…").click()
    page.get_by_role("button", name="Submit for review").click()
    expect(page.get_by_text("2 items submitted for review.")).to_be_visible()
    submitted = IndicatorValue.objects.filter(country=nl, period=progress(), status=Status.SUBMITTED)
    assert {(value.indicator.code, value.number_value) for value in submitted} == {
        ("VI-2", 245),
        ("VI-5", 12),
    }


def test_two_staff_on_the_same_row_the_second_sees_a_conflict_and_nothing_is_lost(open_page, staff_nl, nl):
    make_user("olga-nl", "Staff", [nl])
    existing = draft(
        nl, "VI-2", staff_nl, number_value=Decimal(240), note="Ministry figures", evidence_links=LINKS
    )
    anna, olga = open_page(), open_page()
    sign_in(anna, "anna-nl")
    sign_in(olga, "olga-nl")
    anna.goto(grid_url())
    olga.goto(grid_url())

    anna.locator("#row-NL-VI-2 [data-cell='value']").fill("250")
    anna.keyboard.press("Tab")
    expect(anna.locator("#row-NL-VI-2 [data-cell-state]")).to_have_text("Saved")

    # Olga changes the note of the row Anna has just saved: her save is refused and shown in the cell.
    olga_note = olga.locator("#row-NL-VI-2 [data-cell='note']")
    olga_note.fill("Ministry figures, checked")
    olga.keyboard.press("Tab")
    conflict = olga.locator("#row-NL-VI-2 .cell-conflict")
    expect(conflict).to_contain_text(
        "Someone else saved this cell meanwhile. Their value: 250 (Ministry figures)"
    )
    expect(olga_note).to_have_value("Ministry figures, checked")  # her edit is still in the cell
    existing.refresh_from_db()
    assert (existing.number_value, existing.note) == (250, "Ministry figures")
    screenshot(olga, "grid-two-staff-conflict", at=olga.locator("#row-NL-VI-2"))

    # She keeps hers: only her note is saved over Anna's row, so Anna's value stays.
    conflict.get_by_role("button", name="Keep mine").click()
    expect(olga.locator("#row-NL-VI-2 [data-cell-state]")).to_have_text("Saved")
    existing.refresh_from_db()
    assert (existing.number_value, existing.note, existing.evidence_links) == (
        250,
        "Ministry figures, checked",
        LINKS,
    )


def test_a_conflict_on_a_row_that_was_empty_shows_the_other_persons_value(open_page, staff_nl, nl):
    make_user("olga-nl", "Staff", [nl])
    anna, olga = open_page(), open_page()
    sign_in(anna, "anna-nl")
    sign_in(olga, "olga-nl")
    anna.goto(grid_url())
    olga.goto(grid_url())
    anna.locator("#row-NL-VI-5 [data-cell='value']").fill("7")
    anna.keyboard.press("Tab")
    expect(anna.locator("#row-NL-VI-5 [data-cell-state]")).to_have_text("Saved")

    olga.locator("#row-NL-VI-5 [data-cell='value']").fill("9")
    olga.keyboard.press("Tab")
    conflict = olga.locator("#row-NL-VI-5 .cell-conflict")
    expect(conflict).to_contain_text("Their value: 7")
    conflict.get_by_role("button", name="Take theirs").click()
    expect(olga.locator("#row-NL-VI-5 [data-cell='value']")).to_have_value("7")
    # Her next edit of the row changes Anna's value, at the version she has now seen.
    olga.locator("#row-NL-VI-5 [data-cell='note']").fill("Counted by Olga")
    olga.keyboard.press("Tab")
    expect(olga.locator("#row-NL-VI-5 [data-cell-state]")).to_have_text("Saved")
    value = IndicatorValue.objects.get(country=nl, indicator__code="VI-5", period=progress())
    assert (value.number_value, value.note, value.version) == (7, "Counted by Olga", 2)
