"""Findings in words: written in the workspace under the data's workflow, printed as chapter openings once
approved; commitment texts, sources and approvals in the report."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client

from commitments import services as workflow
from commitments.models import CommitmentProgress, Finding, Goal, Status

from .conftest import approved, commit, give
from .test_honest_numbers import build, reading_order, squash


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def victim_id(db) -> Goal:
    return Goal.objects.get(code="VICTIM_ID")


def test_staff_write_findings_and_a_reviewer_approves_them_in_the_workspace(
    staff_nl, reviewer, nl, progress_period, victim_id
):
    url = f"/countries/NL/periods/{progress_period.pk}/findings/"
    staff = signed_in(staff_nl)
    assert staff.get(url).status_code == 200
    staff.post(url, {"goal": victim_id.pk, "action": "save", "text": "Identification rose.", "version": "0"})
    finding = Finding.objects.get(country=nl, goal=victim_id, period=progress_period)
    assert (finding.status, finding.text) == (Status.DRAFT, "Identification rose.")
    staff.post(url, {"goal": victim_id.pk, "action": "submit", "version": finding.version})
    finding.refresh_from_db()
    assert finding.status == Status.SUBMITTED

    with pytest.raises(PermissionDenied):  # staff do not approve
        workflow.reviewable_transition(
            item=finding, action="approve", user=staff_nl, expected_version=finding.version
        )
    signed_in(reviewer).post(url, {"goal": victim_id.pk, "action": "approve", "version": finding.version})
    finding.refresh_from_db()
    assert finding.status == Status.APPROVED and finding.approved_by == reviewer
    assert finding.history.count() >= 3  # every step recorded


def test_a_stale_save_is_refused_and_nothing_is_lost(staff_nl, nl, progress_period, victim_id):
    first = workflow.finding_save(
        user=staff_nl, period=progress_period, country=nl, goal=victim_id, text="One."
    )
    workflow.finding_save(
        user=staff_nl, period=progress_period, country=nl, goal=victim_id, text="Two.", expected_version=1
    )
    with pytest.raises(workflow.EditConflict):
        workflow.finding_save(
            user=staff_nl,
            period=progress_period,
            country=nl,
            goal=victim_id,
            text="Three.",
            expected_version=1,
        )
    first.refresh_from_db()
    assert first.text == "Two."


def test_alliance_findings_are_for_reviewers(staff_nl, progress_period):
    assert (
        signed_in(staff_nl).get(f"/countries/alliance/periods/{progress_period.pk}/findings/").status_code
        == 403
    )
    with pytest.raises(PermissionDenied):
        workflow.finding_save(user=staff_nl, period=progress_period, country=None, goal=None, text="x")


def test_approved_findings_open_the_chapters_and_drafts_do_not(
    reviewer, staff_nl, evaluation_round, report_media, nl, baseline_period, progress_period, victim_id
):
    give(nl, "VI-2", progress_period, 10)
    approved(
        Finding(period=progress_period, country=nl, goal=None, text="Overall, steady progress."), reviewer
    )
    approved(
        Finding(period=progress_period, country=nl, goal=victim_id, text="More victims identified."), reviewer
    )
    Finding.objects.create(
        period=progress_period, country=nl, goal=Goal.objects.get(code="PREVENTION"), text="DRAFT FINDING"
    )
    _report, text = build(reviewer=reviewer, evaluation_round=evaluation_round, country=nl)
    flat = squash(text)
    assert "Findings Overall, steady progress. In the 2014 progress period Netherlands" in flat  # opens it
    assert "POLICY TARGET 1 OF THE DECLARATION Findings More victims identified." in flat
    assert "DRAFT FINDING" not in flat
    assert "The rapporteur has no approved findings for this chapter yet." in flat  # goal 5: a draft only


def test_sources_and_approvals_are_stated(
    reviewer, evaluation_round, report_media, nl, baseline_period, progress_period
):
    value = give(nl, "VI-2", progress_period, 10)
    value.evidence_links = "https://example.org/icse-2014\nhttps://example.org/police-annual-report"
    value.save()
    commitment = commit(nl, "VICTIM_ID", "Double the team", {})
    progress = CommitmentProgress(
        commitment=commitment,
        period=progress_period,
        completion="complete",
        evidence_links="https://example.org/police-annual-report",
    )
    approved(progress, reviewer)
    reviewer.first_name, reviewer.last_name = "Rita", "Reviewer"
    reviewer.save()
    report, _text = build(reviewer=reviewer, evaluation_round=evaluation_round, country=nl)
    # Numbered once each, the same address keeps its number, cited beside what it supports.
    ordered = reading_order(report)
    assert "1. https://example.org/police-annual-report 2. https://example.org/icse-2014" in ordered
    assert ordered.count("https://example.org/police-annual-report") == 1  # one number per address
    assert "National police · target 31 December 2014 [1]" in ordered  # the commitment cites its source
    assert "(victims/year) [1, 2]" in ordered  # VI-2's row cites both
    assert "Who approved the data Reviewer Approved items When Rita Reviewer 1" in ordered


def test_one_finding_per_period_country_and_goal_also_without_country_or_goal(nl, progress_period, victim_id):
    from django.core.exceptions import ValidationError

    for country, goal in [(None, None), (None, victim_id), (nl, None), (nl, victim_id)]:
        Finding.objects.create(period=progress_period, country=country, goal=goal, text="First.")
        with pytest.raises(ValidationError, match="already findings for this period"):
            Finding(period=progress_period, country=country, goal=goal, text="Second.").full_clean()
