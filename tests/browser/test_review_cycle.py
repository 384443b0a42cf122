"""The whole reporting cycle in real Chromium: enter, submit, return with a reason, fix, approve, read.

Staff of the Netherlands enter values and a commitment update and submit them; a reviewer returns one
value with a reason; staff see the reason at the field, fix it and resubmit; the reviewer approves; a
minister sees the approved figures and no edit controls; staff of Belgium get 403 on the Dutch forms.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from commitments.models import CommitmentProgress, IndicatorValue, ReportingPeriod, Status
from tests.browser.conftest import screenshot, sign_in
from tests.factories import CommitmentFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def cast(staff_nl, staff_be, reviewer, minister):
    return {"staff": staff_nl, "other_staff": staff_be, "reviewer": reviewer, "minister": minister}


@pytest.fixture
def commitment(nl):
    return CommitmentFactory(title="Double the victim-identification team", country=nl)


def row(page: Page, code: str):
    return page.locator(f"#indicator-{code}")


def test_the_whole_cycle(open_page, cast, commitment, live_server):
    period = ReportingPeriod.objects.get(label="2014 progress")
    entry_url = f"/countries/NL/periods/{period.pk}/"

    # --- staff enter values and a commitment update, and submit ---------------------------------------
    anna = open_page()
    sign_in(anna, "anna-nl")
    expect(anna.get_by_role("heading", name="Drafts not yet submitted")).to_be_visible()
    screenshot(anna, "01-staff-home")
    anna.get_by_role("link", name="Countries").click()
    anna.get_by_role("link", name="Netherlands").first.click()
    anna.get_by_role("link", name="Enter data: 2014 progress").click()
    expect(anna).to_have_url(re.compile(re.escape(entry_url) + "$"))

    row(anna, "VI-1").get_by_label("Yes").check()
    row(anna, "VI-2").get_by_label(re.compile("^Value")).fill("240")
    row(anna, "RA-2").get_by_label(re.compile("^Value")).fill("4")
    row(anna, "RA-2").get_by_text("Note and evidence").click()
    row(anna, "RA-2").get_by_label(re.compile("^Note")).fill("INHOPE statistics 2014")
    row(anna, "PR-1").get_by_label("3 – established: in place nationwide").check()
    row(anna, "RA-3").get_by_label(re.compile("^Value")).fill("150")  # a share above 100 %
    anna.get_by_role("button", name="Save values").click()

    # The invalid figure is refused at its field, with what was typed kept; the others were saved.
    expect(anna.get_by_text("1 value was not saved")).to_be_visible()
    expect(
        row(anna, "RA-3").get_by_text("150 is outside the allowed range for RA-3: 0 to 100.")
    ).to_be_visible()
    expect(row(anna, "RA-3").get_by_label(re.compile("^Value"))).to_have_value("150")
    expect(anna.get_by_text("4 values saved.")).to_be_visible()
    screenshot(anna, "02-staff-validation-error-at-the-field", at=row(anna, "RA-3"))
    row(anna, "RA-3").get_by_label(re.compile("^Value")).fill("85")
    anna.get_by_role("button", name="Save values").click()
    expect(anna.get_by_text("1 value saved.")).to_be_visible()

    anna.get_by_role("link", name=re.compile("^Report progress")).click()
    anna.get_by_label("Substantial").check()
    anna.get_by_label("Narrative").fill("Twelve specialists trained; four more start in September.")
    anna.get_by_role("button", name="Save", exact=True).click()
    expect(anna.get_by_text("Saved.", exact=True)).to_be_visible()
    screenshot(anna, "03-staff-data-entry-saved", at=anna.locator("#commitments"))

    anna.get_by_role("button", name="Submit for review").click()
    expect(anna.get_by_text("6 items submitted for review.")).to_be_visible()
    expect(row(anna, "RA-2").get_by_text("Submitted", exact=True)).to_be_visible()
    screenshot(anna, "04-staff-submitted", at=row(anna, "VI-1"))
    assert IndicatorValue.objects.filter(status=Status.SUBMITTED).count() == 5
    assert CommitmentProgress.objects.get().status == Status.SUBMITTED

    # --- the reviewer returns one value with a reason ------------------------------------------------
    rita = open_page()
    sign_in(rita, "rita-reviewer")
    rita.get_by_role("link", name="Netherlands · 2014 progress").click()
    takedown = IndicatorValue.objects.get(indicator__code="RA-2")
    item = rita.locator(f"#value-{takedown.pk}")
    decision = rita.get_by_label(f"Decision: {takedown.indicator.name}")
    decision.select_option("return")
    rita.get_by_role("button", name="Apply the decisions").click()
    expect(item.get_by_text(re.compile("^Give a reason for"))).to_be_visible()
    expect(rita.get_by_label(f"Decision: {takedown.indicator.name}")).to_have_value("return")  # kept
    screenshot(rita, "05-reviewer-reason-required", at=item)
    rita.get_by_label(f"Reason: {takedown.indicator.name}").fill("4 days is the mean; report the median.")
    rita.get_by_role("button", name="Apply the decisions").click()
    # One form for the whole country: the rest is approved with it, the exception returned.
    expect(rita.get_by_text("5 items approved, 1 returned.")).to_be_visible()
    screenshot(rita, "06-reviewer-returned-one")

    # --- staff see the reason at the field, fix the figure and resubmit ------------------------------
    anna.goto("/")
    expect(anna.get_by_text("4 days is the mean; report the median.")).to_be_visible()
    anna.get_by_role("link", name=re.compile("Netherlands: RA-2")).click()
    expect(row(anna, "RA-2").get_by_text("4 days is the mean; report the median.")).to_be_visible()
    screenshot(anna, "07-staff-sees-the-reason", at=row(anna, "RA-2"))
    row(anna, "RA-2").get_by_label(re.compile("^Value")).fill("3")
    anna.get_by_role("button", name="Save values").click()
    expect(anna.get_by_text("1 value saved.")).to_be_visible()
    anna.get_by_role("button", name="Submit for review").click()
    expect(anna.get_by_text("1 item submitted for review.")).to_be_visible()

    # --- the reviewer approves -----------------------------------------------------------------------
    rita.reload()
    expect(rita.locator(f"#value-{takedown.pk} summary", has_text="Changed since returned")).to_be_visible()
    rita.get_by_role("button", name="Apply the decisions").click()
    expect(rita.get_by_text("1 item approved.")).to_be_visible()
    screenshot(rita, "08-reviewer-approved")
    assert set(IndicatorValue.objects.values_list("status", flat=True)) == {Status.APPROVED}

    # --- a minister sees the approved figures and no edit controls -----------------------------------
    max_ = open_page()
    sign_in(max_, "max-minister")
    max_.goto("/countries/NL/")
    expect(max_.get_by_text("Approved data only.")).to_be_visible()
    takedown_row = max_.get_by_role("row", name=re.compile("^RA-2"))
    expect(takedown_row.get_by_role("cell").nth(1)).to_have_text("3")  # 2014 progress: the approved figure
    expect(max_.get_by_text("Substantial")).to_be_visible()
    for control in ("Enter data", "Edit commitment", "Add a commitment", "Review"):
        expect(max_.get_by_role("link", name=re.compile(control))).to_have_count(0)
    expect(max_.locator("main form")).to_have_count(0)
    screenshot(max_, "09-minister-country-page")
    max_.goto(entry_url)
    expect(max_.get_by_role("heading", name="You may not open this page")).to_be_visible()

    # --- staff of another country get 403 on this country's forms ------------------------------------
    bart = open_page()
    sign_in(bart, "bart-be")
    for url in (
        entry_url,
        f"/commitments/{commitment.pk}/periods/{period.pk}/",
        "/countries/NL/commitments/new/",
    ):
        response = bart.goto(url)
        assert response.status == 403
        expect(bart.get_by_role("heading", name="You may not open this page")).to_be_visible()
    screenshot(bart, "10-other-country-staff-403")
