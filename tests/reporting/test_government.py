"""What the evaluation cycle and the focal points add to the reports, read in the finished PDFs: the round's
stage on the cover, the chapter on the last meeting's decisions (alliance-wide, with its "missing" marks
and its number in the contents), and the government's right of reply beside the rapporteur's findings,
marked as the government's, with the figures where it differs from the rapporteur's approved ones.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import timezone

from commitments.models import Commitment, EvaluationRound, Indicator, Status
from cycle.models import Decision, Meeting
from focal.models import Reply, SelfReportProgress, SelfReportValue, SelfStatus
from reporting import dispatch, services
from reporting.models import Report

from .conftest import commit, give
from .test_documents import check_common
from .test_honest_numbers import build, reading_order

REPLY = "The ministry contests the takedown figure: our own count is lower."


@pytest.fixture
def followed_up(evaluation_round, nl, be, baseline_period, progress_period, netherlands_data):
    """An earlier round whose meeting took one approved decision for the Netherlands and Belgium; the
    Netherlands reported on its commitment (approved), Belgium did not (missing)."""
    earlier = EvaluationRound.objects.create(
        label="2010–2012",
        baseline_period=progress_period,
        evaluation_period=baseline_period,
        ministerial_date=dt.date(2012, 12, 5),
        stage=EvaluationRound.Stage.FOLLOW_UP,
    )
    meeting = Meeting.objects.create(
        evaluation_round=earlier,
        next_round=evaluation_round,
        held_on=dt.date(2012, 12, 5),
        place="Brussels",
        countries=["BE", "NL"],
    )
    decision = Decision.objects.create(
        meeting=meeting,
        number="1",
        title="Join the ICSE database",
        text="Connect the national victim-identification unit to ICSE.",
        goals=["VICTIM_ID"],
        countries=["BE", "NL"],
        lead="Interpol liaison",
        due_on=dt.date(2014, 6, 30),
        status=Status.APPROVED,
        approved_at=timezone.now(),
    )
    commit(nl, "VICTIM_ID", "Connect to ICSE (NL)", {progress_period: ("substantial", "Connected.")})
    commit(be, "VICTIM_ID", "Connect to ICSE (BE)", {})
    give(be, "VI-2", progress_period, 300)  # Belgium gets a profile too
    Commitment.objects.filter(title__startswith="Connect to ICSE").update(decision=decision)
    return meeting


@pytest.fixture
def replied(evaluation_round, nl, progress_period):
    """The Netherlands' reply, and its submitted self-report: one figure differs from the rapporteur's."""
    Reply.objects.create(country=nl, evaluation_round=evaluation_round, text=REPLY)
    SelfReportValue.objects.create(
        country=nl,
        period=progress_period,
        indicator=Indicator.objects.get(code="RA-2"),
        number_value=Decimal(2),
        status=SelfStatus.SUBMITTED,
        submitted_at=timezone.now(),
    )
    SelfReportValue.objects.create(  # a draft of the government: never printed
        country=nl,
        period=progress_period,
        indicator=Indicator.objects.get(code="VI-6"),
        number_value=Decimal(9),
    )
    SelfReportProgress.objects.create(
        country=nl,
        period=progress_period,
        commitment=Commitment.objects.get(title="Double the victim-identification team"),
        completion="substantial",
        status=SelfStatus.SUBMITTED,
        submitted_at=timezone.now(),
    )
    return nl


def test_the_country_report_prints_the_governments_reply_and_where_it_differs(
    reviewer, evaluation_round, followed_up, replied
):
    report, _text = build(reviewer=reviewer, evaluation_round=evaluation_round, country=replied)
    pages = check_common(
        Path(report.file.path), report, title="Ministerial evaluation 2012–2014 · Netherlands"
    )
    text = reading_order(report)
    assert "Evaluation round step: Data collection" in pages[0]
    assert "The government’s reply" in text
    assert "Written by the government of Netherlands under its right of reply" in text
    assert REPLY in text
    # The reply comes after the rapporteur's findings, in the summary chapter.
    reply_at = text.index("The government’s reply")
    assert text.index("Findings") < reply_at < text.rindex("Indicator definitions")
    # The table: rapporteur's approved figure beside the government's submitted one; drafts never show.
    assert re.search(r"RA-2 [^|]*? 3 [^|]*? 2 ", text), text[text.index("The rapporteur rates") - 200 :][:600]
    assert "The rapporteur rates" in text and "The government reports" in text
    assert "Double the victim-identification team Complete Substantial" in text
    assert "VI-6" not in text[text.index("The government reports") :][:400]
    # The decisions chapter is alliance-wide only (the cycle's selector does not filter by country).
    assert "What became of the decisions" not in text


def test_a_country_without_a_reply_gets_no_reply_block(reviewer, evaluation_round, netherlands_data):
    report, text = build(reviewer=reviewer, evaluation_round=evaluation_round, country=netherlands_data)
    assert "The government’s reply" not in text and "The rapporteur rates" not in text
    assert "Evaluation round step" in text


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_alliance_report_follows_up_the_decisions_with_missing_marks(
    reviewer, evaluation_round, followed_up, replied
):
    with dispatch.inline_jobs():  # every step of the alliance report, here
        report = services.report_request(
            user=reviewer, kind=Report.Kind.ALLIANCE, evaluation_round=evaluation_round
        )
    report.refresh_from_db()
    assert report.status == Report.Status.READY, report.error
    pages = check_common(
        Path(report.file.path),
        report,
        title="Ministerial evaluation 2012–2014 · "
        "Global Alliance against Child Sexual Abuse Online: all participating countries",
    )
    text = reading_order(report)
    assert "Evaluation round step: Data collection" in pages[0]
    chapter = f"What became of the decisions of the {followed_up}"
    contents = "\n".join(pages[1:3])
    # In the contents with its number: after the country profiles (chapter 8), before the annexes.
    assert re.search(rf"^\s*9\s+{re.escape(chapter)}", contents, re.M), contents
    body = text[text.rindex(chapter) :]
    assert "1. Join the ICSE database" in body
    assert "Decision 1: completion per country (1 missing)" in body
    assert re.search(r"Belgium Goal 1: [^|]*? missing", body[:800]) or "Belgium" in body[:800]
    assert "missing" in body[:800] and "Substantial" in body[:800]
    # The Netherlands' profile carries its reply, marked as the government's.
    assert REPLY in text and "Written by the government of Netherlands" in text
