"""Honest numbers: missing stays missing, completeness is approved / expected, older text carries its
period, and a report with too little approved data says so and is published only with a reason.

The reports are built by the pipeline's own first step in this process and read back with pdftotext.
"""

from __future__ import annotations

import datetime as dt
import re
import subprocess

import pytest
from django.test import Client
from django.utils import timezone

from commitments.models import Commitment, CommitmentProgress, Goal, Indicator, IndicatorValue, Status
from reporting import dispatch, pipeline, services
from reporting.models import Report

from .conftest import approved, commit, give, pdf_text


def build(*, reviewer, evaluation_round, country=None, language="en") -> tuple[Report, str]:
    """Request a report and build it here (step 1 of the pipeline); return it with its text."""
    report = services.report_request(
        user=reviewer,
        kind=Report.Kind.COUNTRY if country else Report.Kind.ALLIANCE,
        evaluation_round=evaluation_round,
        country=country,
        language=language,
    )
    with dispatch.inline_jobs():
        pipeline.report_generate(report_id=report.pk, task_id="test")
    report.refresh_from_db()
    assert report.status == Report.Status.READY, report.error
    return report, pdf_text(report.file.path)


def squash(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def reading_order(report: Report) -> str:
    """The report's text in reading order (no layout: columns of key figures are not interleaved)."""
    command = ["pdftotext", report.file.path, "-"]
    return squash(subprocess.run(command, check=True, capture_output=True, text=True).stdout)


@pytest.fixture
def partly_reported_nl(nl, baseline_period, progress_period):
    """The Netherlands with some approved values for the evaluation, a draft and a submitted value (which
    do not count), three commitments of which one has an approved report for the evaluation period."""
    for code, base, latest in [("VI-2", 568, 612), ("VI-6", 2, 3), ("RA-2", 4, 3), ("SU-2", 40, 44)]:
        give(nl, code, baseline_period, base)
        give(nl, code, progress_period, latest)
    give(nl, "VI-1", baseline_period, True)  # a baseline only: the evaluation value is missing
    give(nl, "VS-2", progress_period, "77.7", status=Status.DRAFT)
    give(nl, "PR-2", progress_period, 5, status=Status.SUBMITTED)
    commit(
        nl,
        "VICTIM_ID",
        "Double the victim-identification team",
        {baseline_period: ("limited", "Four specialists."), progress_period: ("complete", "Eight.")},
    )
    commit(
        nl,
        "PREVENTION",
        "Run a national awareness campaign",
        {baseline_period: ("not_started", "Campaign planned for spring 2014 (baseline narrative).")},
    )
    commit(nl, "REDUCE_AVAILABILITY", "Faster takedown with the hosting sector", {})
    return nl


def test_completeness_is_approved_over_expected_for_values_and_commitments(
    reviewer, evaluation_round, report_media, partly_reported_nl, progress_period
):
    # The count made here, independently of the report's code: straight from the tables.
    expected_values = Indicator.objects.filter(is_active=True).count()
    approved_values = IndicatorValue.objects.filter(
        country=partly_reported_nl, period=progress_period, status=Status.APPROVED, indicator__is_active=True
    ).count()
    expected_commitments = Commitment.objects.filter(country=partly_reported_nl).count()
    approved_commitments = CommitmentProgress.objects.filter(
        commitment__country=partly_reported_nl, period=progress_period, status=Status.APPROVED
    ).count()
    assert (approved_values, expected_commitments, approved_commitments) == (4, 3, 1)

    _report, text = build(reviewer=reviewer, evaluation_round=evaluation_round, country=partly_reported_nl)
    text = squash(text)
    values_percent = round(100 * approved_values / expected_values)
    line = (
        f"{approved_values} of {expected_values} indicator values ({values_percent}%) · "
        f"{approved_commitments} of {expected_commitments} commitment reports (33%)"
    )
    assert line in text  # on the cover, and in the annex
    assert text.count(line) >= 2
    assert f"{approved_values} / {expected_values}" in text
    assert f"{approved_commitments} / {expected_commitments}" in text


def test_missing_is_never_printed_as_zero(reviewer, evaluation_round, report_media, partly_reported_nl):
    report, text = build(reviewer=reviewer, evaluation_round=evaluation_round, country=partly_reported_nl)
    flat = squash(text)
    # The commitments without an approved report are a category of the chart and its table, not zeros.
    assert re.search(r"no approved report\s+1\s+2", text)  # baseline: 1 missing; evaluation: 2 missing
    # VI-1 has a baseline and nothing approved for the evaluation: "no data", never 0 or "no".
    assert re.search(r"VI-1 Law enforcement connected to Interpol's ICSE\s+yes\s+no data no comparison", text)
    # The draft and the submitted value are not data yet.
    assert "77.7" not in flat
    assert re.search(r"PR-2 Awareness campaigns run \(campaigns/year\)\s+no data\s+no data", text)
    # Complete commitments are counted among those reported on, and the unreported are named as such.
    ordered = reading_order(report)
    assert re.search(r"\b1 ?/ ?1\b", ordered)  # complete / reported on (not / all three)
    assert "commitments complete, of those with an approved report (2 without one)" in ordered


def test_an_older_narrative_carries_its_period(reviewer, evaluation_round, report_media, partly_reported_nl):
    _report, text = build(reviewer=reviewer, evaluation_round=evaluation_round, country=partly_reported_nl)
    flat = squash(text)
    assert (
        "Last approved report (2013 baseline): Campaign planned for spring 2014 (baseline narrative)." in flat
    )
    assert "Last approved report (2013 baseline): Eight." not in flat  # the current text has no label
    assert re.search(r"Eight\.", flat)


def test_a_report_with_too_little_approved_data_says_so_on_its_first_page_and_is_published_with_a_reason(
    reviewer, evaluation_round, report_media, nl, baseline_period
):
    give(nl, "VI-2", baseline_period, 568)  # a baseline, nothing approved for the evaluation
    report, _text = build(reviewer=reviewer, evaluation_round=evaluation_round, country=nl)
    first_page = squash(pdf_text(report.file.path, first=1, last=1))
    assert "Too little approved data to evaluate this round: 0 of 35 indicator values" in first_page

    browser = Client()
    browser.force_login(reviewer)
    response = browser.post(f"/reports/{report.pk}/publish/")
    assert response.status_code == 200 and "with too little data?" in response.content.decode()
    report.refresh_from_db()
    assert not report.is_published  # warned, not published
    with pytest.raises(services.LowDataWarning):
        services.report_publish(report=report, user=reviewer, reason="   ")

    response = browser.post(f"/reports/{report.pk}/publish/", {"reason": "The minister asked for it today."})
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.is_published and report.publish_reason == "The minister asked for it today."


def test_a_report_with_enough_data_is_published_without_a_question(
    reviewer, evaluation_round, report_media, nl, baseline_period, progress_period
):
    for indicator in Indicator.objects.filter(is_active=True):
        value = 1 if indicator.value_type != Indicator.ValueType.BOOLEAN else True
        if indicator.value_type == Indicator.ValueType.TEXT:
            value = "text"
        give(nl, indicator.code, progress_period, value)
    report, text = build(reviewer=reviewer, evaluation_round=evaluation_round, country=nl)
    assert "Too little approved data" not in text
    services.report_publish(report=report, user=reviewer)
    report.refresh_from_db()
    assert report.is_published and report.publish_reason == ""


def test_the_alliance_completeness_adds_up_the_countries(
    reviewer, evaluation_round, partly_reported_nl, be, progress_period
):
    from django.utils import translation

    from reporting import selectors
    from reporting.content import Book

    give(be, "VI-2", progress_period, 10)
    with translation.override("en"):
        book = Book(selectors.report_data(evaluation_round=evaluation_round))
    done = book.round_completeness
    active = Indicator.objects.filter(is_active=True).count()
    assert done.values_expected == active * len(book.countries)
    assert done.values_approved == IndicatorValue.objects.filter(
        period=progress_period, status=Status.APPROVED, indicator__is_active=True
    ).count()
    assert (done.commitments_approved, done.commitments_expected) == (1, 3)
    assert not done.is_sufficient and book.data_warning


def test_a_commitment_past_its_target_date_is_flagged(
    reviewer, evaluation_round, report_media, nl, baseline_period, progress_period
):
    late = Commitment.objects.create(
        country=nl,
        goal=Goal.objects.get(code="PREVENTION"),
        title="Open a prevention helpline",
        description="A national, anonymous helpline for people worried about their sexual interest.",
        baseline="No helpline; two regional pilots.",
        committed_on=dt.date(2013, 4, 15),
        target_date=dt.date(2014, 1, 31),  # before the evaluation period ends, and not complete
        status=Status.APPROVED,  # its words are reviewed (issue 10): reports print approved texts only
        approved_at=timezone.now(),
    )
    approved(CommitmentProgress(commitment=late, period=progress_period, completion="limited"))
    _report, text = build(reviewer=reviewer, evaluation_round=evaluation_round, country=nl)
    flat = squash(text)
    assert "Open a prevention helpline ⚑ past its target date" in flat
    assert "A national, anonymous helpline for people worried about their sexual interest." in flat
    assert "Baseline at commitment: No helpline; two regional pilots." in flat
