"""A matrix that holds: states that agree with the counts, and an on-time rate defined once."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from commitments.models import CommitmentProgress, Indicator, IndicatorValue
from commitments.selectors import CellState, completeness_matrix
from commitments.services import commitment_progress_save, reviewable_transition
from tests.commitments.views_support import give_value, signed_in
from tests.factories import CommitmentFactory

pytestmark = pytest.mark.django_db


def approve(item, *, staff, reviewer):
    item = reviewable_transition(item=item, expected_version=item.version, action="submit", user=staff)
    return reviewable_transition(item=item, expected_version=item.version, action="approve", user=reviewer)


def cell(matrix, country: str, goal: str):
    row = next(row for row in matrix.rows if row.country.code == country)
    return next(one for one in row.cells if one.goal.code == goal)


def victim_id_codes() -> list[str]:
    return list(
        Indicator.objects.filter(goal__code="VICTIM_ID", is_active=True)
        .order_by("code")
        .values_list("code", flat=True)
    )


def test_approved_progress_without_values_is_incomplete_not_approved(nl, staff_nl, reviewer, progress_period):
    commitment = CommitmentFactory(country=nl)
    progress = commitment_progress_save(
        commitment=commitment, period=progress_period, user=staff_nl, completion="limited"
    )
    approve(progress, staff=staff_nl, reviewer=reviewer)
    found = cell(completeness_matrix(period=progress_period), "NL", "VICTIM_ID")
    assert (found.state, found.values_entered, found.values_expected) == (CellState.PARTIAL, 0, 6)


def test_a_goal_is_approved_only_when_every_value_is(nl, staff_nl, reviewer, indicator, progress_period):
    codes = victim_id_codes()
    for code in codes:
        typed = {"boolean_value": True} if indicator(code).value_type == "boolean" else {"number": "2"}
        approve(
            give_value(country=nl, indicator=indicator(code), period=progress_period, user=staff_nl, **typed),
            staff=staff_nl,
            reviewer=reviewer,
        )
    found = cell(completeness_matrix(period=progress_period), "NL", "VICTIM_ID")
    assert (found.state, found.values_entered, found.values_expected) == (
        CellState.APPROVED,
        len(codes),
        len(codes),
    )


def test_every_approved_cell_has_all_its_values(nl, be, staff_nl, reviewer, indicator, progress_period):
    approve(
        give_value(
            country=nl, indicator=indicator("VI-2"), period=progress_period, user=staff_nl, number="1"
        ),
        staff=staff_nl,
        reviewer=reviewer,
    )
    matrix = completeness_matrix(period=progress_period)
    for row in matrix.rows:
        for one in row.cells:
            if one.state in {CellState.APPROVED, CellState.SUBMITTED}:
                assert one.values_entered == one.values_expected
            if one.state == CellState.NOT_STARTED:
                assert one.values_entered == 0 and not any(one.counts.values())


def test_the_on_time_rate_counts_values_submitted_by_the_deadline(
    nl, staff_nl, reviewer, indicator, progress_period
):
    on_time = give_value(
        country=nl, indicator=indicator("VI-2"), period=progress_period, user=staff_nl, number="1"
    )
    late = give_value(
        country=nl, indicator=indicator("VI-5"), period=progress_period, user=staff_nl, number="1"
    )
    approve(on_time, staff=staff_nl, reviewer=reviewer)
    approve(late, staff=staff_nl, reviewer=reviewer)
    deadline = timezone.make_aware(dt.datetime.combine(progress_period.deadline, dt.time(12)))
    IndicatorValue.objects.filter(pk=on_time.pk).update(submitted_at=deadline)
    IndicatorValue.objects.filter(pk=late.pk).update(submitted_at=deadline + dt.timedelta(days=1))
    give_value(
        country=nl, indicator=indicator("VI-3"), period=progress_period, user=staff_nl, number="1"
    )  # a draft
    matrix = completeness_matrix(period=progress_period)
    expected = len(matrix.rows) * Indicator.objects.filter(is_active=True).count()
    assert (matrix.values_on_time, matrix.values_expected) == (1, expected)
    assert matrix.on_time_rate == pytest.approx(1 / expected)
    row = next(row for row in matrix.rows if row.country.code == "NL")
    assert (row.values_on_time, row.on_time) == (1, False)


def test_the_page_says_the_definition_with_its_counts(nl, staff_nl, reviewer, progress_period):
    html = signed_in(reviewer).get(reverse("completeness_period", args=[progress_period.pk])).content.decode()
    assert "expected values submitted on or before the deadline" in html
    assert "position: sticky" not in html  # the styles come from a file (CSP), not inline
    assert "css/matrix.css" in html
    assert not CommitmentProgress.objects.exists()
