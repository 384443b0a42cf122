"""The completeness matrix: countries x goals for a period, each cell's state, overdue, filters and totals."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from commitments.models import Country, Goal, Indicator
from commitments.selectors import CellState, completeness_matrix
from commitments.services import reviewable_transition
from tests.commitments.views_support import give_value, signed_in

pytestmark = pytest.mark.django_db


def matrix_url(period, **filters) -> str:
    query = "&".join(f"{key}={value}" for key, value in filters.items())
    return reverse("completeness_period", args=[period.pk]) + (f"?{query}" if query else "")


@pytest.fixture
def reported(nl, be, staff_nl, staff_be, reviewer, indicator, progress_period):
    """NL: victim identification approved, prevention a draft. BE: victim identification returned."""
    value = give_value(
        country=nl, indicator=indicator("VI-2"), period=progress_period, user=staff_nl, number="1"
    )
    value = reviewable_transition(item=value, expected_version=value.version, action="submit", user=staff_nl)
    reviewable_transition(item=value, expected_version=value.version, action="approve", user=reviewer)
    give_value(country=nl, indicator=indicator("PR-2"), period=progress_period, user=staff_nl, number="4")
    value = give_value(
        country=be, indicator=indicator("VI-2"), period=progress_period, user=staff_be, number="2"
    )
    value = reviewable_transition(item=value, expected_version=value.version, action="submit", user=staff_be)
    reviewable_transition(
        item=value, expected_version=value.version, action="return", user=reviewer, reason="Check."
    )


def cells_of(matrix, code: str) -> dict[str, str]:
    row = next(row for row in matrix.rows if row.country.code == code)
    return {cell.goal.code: cell.state for cell in row.cells}


def test_each_cell_has_the_state_of_its_least_advanced_item(reported, progress_period):
    matrix = completeness_matrix(period=progress_period, today=dt.date(2014, 7, 1))
    nl = cells_of(matrix, "NL")
    # One approved value of six: incomplete, never "approved" beside "1/6 values".
    assert nl["VICTIM_ID"] == CellState.PARTIAL and nl["PREVENTION"] == CellState.DRAFT
    assert nl["VICTIM_SUPPORT"] == CellState.NOT_STARTED
    assert cells_of(matrix, "BE")["VICTIM_ID"] == CellState.RETURNED
    assert (
        len(matrix.rows)
        == Country.objects.participating_between(progress_period.starts_on, progress_period.ends_on).count()
    )


def test_cells_not_submitted_by_the_deadline_are_overdue(reported, progress_period):
    before = completeness_matrix(period=progress_period, today=progress_period.deadline)
    after = completeness_matrix(period=progress_period, today=progress_period.deadline + dt.timedelta(days=1))
    assert before.overdue_cells == 0
    row = next(row for row in after.rows if row.country.code == "NL")
    overdue = {cell.goal.code for cell in row.cells if cell.overdue}
    # Victim identification has one approved value of six: still missing five, so overdue too.
    assert {"VICTIM_ID", "PREVENTION", "VICTIM_SUPPORT"} <= overdue


def test_counts_and_on_time_rate(reported, progress_period):
    matrix = completeness_matrix(period=progress_period, today=dt.date(2014, 7, 1))
    goals = Goal.objects.count()
    assert matrix.counts[CellState.PARTIAL] == 1 and matrix.counts[CellState.DRAFT] == 1
    assert matrix.counts[CellState.APPROVED] == 0
    assert matrix.counts[CellState.RETURNED] == 1
    assert sum(matrix.counts.values()) == len(matrix.rows) * goals
    # Submitted in this test run, long after the 2014 deadline: nothing is on time.
    assert matrix.countries_on_time == 0 and matrix.on_time_rate == 0 and matrix.values_on_time == 0


class TestThePage:
    def test_filters_by_region_goal_and_state(self, reported, staff_nl, progress_period):
        client = signed_in(staff_nl)
        response = client.get(
            matrix_url(progress_period, region="Europe", goal="VICTIM_ID", state="returned")
        )
        matrix = response.context["matrix"]
        assert [row.country.code for row in matrix.rows] == ["BE"]
        assert [goal.code for goal in matrix.goals] == ["VICTIM_ID"]
        html = response.content.decode()
        assert 'value="Europe" selected' in html and "Returned" in html

    def test_overdue_filter(self, reported, staff_nl, progress_period):
        response = signed_in(staff_nl).get(matrix_url(progress_period, overdue="1"))
        assert all(row.overdue for row in response.context["matrix"].rows)  # the 2014 deadline has passed

    def test_ministers_get_403(self, minister, progress_period):
        assert signed_in(minister).get(matrix_url(progress_period)).status_code == 403

    def test_the_latest_period_is_the_default(self, reviewer, progress_period):
        response = signed_in(reviewer).get(reverse("completeness"))
        assert response.context["period"] == progress_period


class TestQueryCounts:
    # 1 session, 2 user, 3 user's groups, 4 periods, 5 participating countries, 6 goals with their number
    # of active indicators, 7-9 items per country, goal and state (values, commitment progress,
    # follow-ups), 10 user's country assignments (whose self-report the reader may read), 11-14 the
    # government's track of those countries (focal.selectors.government_by_goal: rapporteur's values and
    # progress, submitted government values and progress), 15 all goals (the goal filter).
    QUERIES = 15

    def test_the_completeness_matrix(self, reported, staff_nl, progress_period, django_assert_num_queries):
        client = signed_in(staff_nl)
        with django_assert_num_queries(self.QUERIES):
            assert client.get(matrix_url(progress_period)).status_code == 200

        goal = Goal.objects.get(code="PREVENTION")
        for number in range(5):
            country = Country.objects.create(
                code=f"Z{number}",
                name_en=f"Testland {number}",
                name_nl=f"Testland {number}",
                region="Asia",
                membership="founding",
                joined_on=dt.date(2012, 12, 5),
            )
            extra = Indicator.objects.create(
                code=f"ZZ-{number}", goal=goal, name_en="Extra", value_type="number"
            )
            give_value(
                country=country,
                indicator=extra,
                period=progress_period,
                user=staff_nl.__class__.objects.get(username="rita-reviewer"),
                number="1",
            )
        with django_assert_num_queries(self.QUERIES):
            assert client.get(matrix_url(progress_period)).status_code == 200
