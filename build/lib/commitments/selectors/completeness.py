"""The completeness matrix: countries x goals for a reporting period (reads only).

A cell covers a goal's indicator values, commitment progress and recommendation follow-ups of one country.
Its state never contradicts its counts:
- not started: nothing entered at all;
- returned / draft: at least one item is returned (or, failing that, a draft), whatever the others are;
- incomplete: nothing is a draft or returned, but fewer values are given than the goal's active
  indicators ask for (so "approved" never stands beside "0/6 values");
- submitted: every value asked for is given and at least one item waits for review;
- approved: every value asked for is given and everything is approved.

On time, defined once: a value is on time when it has a figure, is submitted or approved, and was
(last) submitted on or before the period's deadline. The on-time rate is the values on time divided by
the values expected (the shown countries times the shown goals' active indicators), with both counts
shown; a country is on time when all of its expected values are.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from enum import StrEnum

from django.db.models import Count, Max, Q
from django.utils import timezone

from ..models import (
    CommitmentProgress,
    Country,
    Goal,
    IndicatorValue,
    RecommendationFollowUp,
    ReportingPeriod,
    Status,
)


class CellState(StrEnum):
    NOT_STARTED = "not_started"
    DRAFT = "draft"
    RETURNED = "returned"
    PARTIAL = "partial"
    SUBMITTED = "submitted"
    APPROVED = "approved"


DONE = {CellState.SUBMITTED, CellState.APPROVED}


@dataclass
class MatrixCell:
    goal: Goal
    state: str
    counts: dict[str, int]  # items per workflow status
    values_entered: int  # values of active indicators with a figure
    values_expected: int  # the goal's active indicators
    overdue: bool
    values_on_time: int = 0


@dataclass
class MatrixRow:
    country: Country
    cells: list[MatrixCell]
    state: str
    overdue: bool
    on_time: bool  # every expected value submitted by the deadline
    last_submitted_at: dt.datetime | None
    values_on_time: int = 0
    values_expected: int = 0


@dataclass
class CompletenessMatrix:
    period: ReportingPeriod
    goals: list[Goal]
    rows: list[MatrixRow]
    counts: dict[str, int]  # cells per state
    overdue_cells: int
    countries_total: int
    countries_on_time: int
    values_expected: int = 0
    values_on_time: int = 0

    @property
    def on_time_rate(self) -> float | None:
        """Values submitted on or before the deadline / values expected (None when none are expected)."""
        return self.values_on_time / self.values_expected if self.values_expected else None


def cell_state(*, counts: dict[str, int], entered: int, expected: int) -> str:
    """A cell's state from its items' statuses and its values given and asked for (see the module)."""
    if not any(counts.values()):
        return CellState.NOT_STARTED
    if counts.get(Status.RETURNED):
        return CellState.RETURNED
    if counts.get(Status.DRAFT):
        return CellState.DRAFT
    if entered < expected:
        return CellState.PARTIAL
    if counts.get(Status.SUBMITTED):
        return CellState.SUBMITTED
    return CellState.APPROVED


# A country's row takes the state of its least advanced goal, in this order.
ROW_PRECEDENCE = [
    CellState.RETURNED,
    CellState.DRAFT,
    CellState.NOT_STARTED,
    CellState.PARTIAL,
    CellState.SUBMITTED,
    CellState.APPROVED,
]
CELL_PRECEDENCE = ROW_PRECEDENCE  # the name callers knew


def completeness_matrix(
    *,
    period: ReportingPeriod,
    region: str = "",
    goal_code: str = "",
    state: str = "",
    overdue_only: bool = False,
    today: dt.date | None = None,
) -> CompletenessMatrix:
    """Countries x goals for a period: each cell's state, whether it is overdue, on-time counts and totals.

    Five queries whatever the number of countries and indicators: countries, goals with their active
    indicators, and the items of each kind grouped by country, goal and status.
    """
    today = today or timezone.localdate()
    past_deadline = today > period.deadline
    countries = Country.objects.participating_between(period.starts_on, period.ends_on)
    if region:
        countries = countries.filter(region=region)
    countries = sorted(countries, key=lambda country: country.sort_key)  # the reader's language
    goals = list(
        Goal.objects.order_by("order").annotate(
            expected=Count("indicators", filter=Q(indicators__is_active=True))
        )
    )
    country_ids = [country.pk for country in countries]
    counts: dict[tuple[int, int], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    entered: dict[tuple[int, int], int] = defaultdict(int)
    on_time: dict[tuple[int, int], int] = defaultdict(int)
    last: dict[int, dt.datetime] = {}

    has_figure = Q(number_value__isnull=False) | Q(boolean_value__isnull=False) | ~Q(text_value="")
    active_with_figure = Q(indicator__is_active=True) & has_figure
    in_time = (
        active_with_figure
        & Q(status__in=[Status.SUBMITTED, Status.APPROVED])
        & Q(submitted_at__date__lte=period.deadline)
    )
    values = (
        IndicatorValue.objects.filter(country_id__in=country_ids, period=period)
        .values("country_id", "indicator__goal_id", "status")
        .annotate(
            n=Count("pk"),
            entered=Count("pk", filter=active_with_figure),
            on_time=Count("pk", filter=in_time),
            last=Max("submitted_at"),
        )
        .order_by()
    )
    for group in values:
        key = (group["country_id"], group["indicator__goal_id"])
        counts[key][group["status"]] += group["n"]
        entered[key] += group["entered"]
        on_time[key] += group["on_time"]
        _keep_last(last, group["country_id"], group["last"])
    for queryset, country_key, goal_key in [
        (
            CommitmentProgress.objects.filter(commitment__country_id__in=country_ids),
            "commitment__country_id",
            "commitment__goal_id",
        ),
        (
            RecommendationFollowUp.objects.filter(recommendation__country_id__in=country_ids),
            "recommendation__country_id",
            "recommendation__goal_id",
        ),
    ]:
        for group in (
            queryset.filter(period=period)
            .values(country_key, goal_key, "status")
            .annotate(n=Count("pk"), last=Max("submitted_at"))
            .order_by()
        ):
            counts[(group[country_key], group[goal_key])][group["status"]] += group["n"]
            _keep_last(last, group[country_key], group["last"])

    shown_goals = [goal for goal in goals if not goal_code or goal.code == goal_code]
    rows: list[MatrixRow] = []
    totals = {str(one): 0 for one in CellState}
    overdue_cells = countries_on_time = values_expected = values_in_time = 0
    for country in countries:
        cells = []
        for goal in shown_goals:
            key = (country.pk, goal.pk)
            cell_counts = dict(counts.get(key, {}))
            found = cell_state(counts=cell_counts, entered=entered.get(key, 0), expected=goal.expected)
            cells.append(
                MatrixCell(
                    goal=goal,
                    state=found,
                    counts=cell_counts,
                    values_entered=entered.get(key, 0),
                    values_expected=goal.expected,
                    overdue=past_deadline and found not in DONE,
                    values_on_time=on_time.get(key, 0),
                )
            )
        row_state = next(
            (one for one in ROW_PRECEDENCE if any(cell.state == one for cell in cells)), CellState.NOT_STARTED
        )
        expected = sum(cell.values_expected for cell in cells)
        in_time_count = sum(cell.values_on_time for cell in cells)
        row = MatrixRow(
            country=country,
            cells=cells,
            state=row_state,
            overdue=any(cell.overdue for cell in cells),
            on_time=expected > 0 and in_time_count == expected,
            last_submitted_at=last.get(country.pk),
            values_on_time=in_time_count,
            values_expected=expected,
        )
        if state and not any(cell.state == state for cell in cells):
            continue
        if overdue_only and not row.overdue:
            continue
        rows.append(row)
        for cell in cells:
            totals[cell.state] += 1
            overdue_cells += cell.overdue
        countries_on_time += row.on_time
        values_expected += expected
        values_in_time += in_time_count
    return CompletenessMatrix(
        period=period,
        goals=shown_goals,
        rows=rows,
        counts=totals,
        overdue_cells=overdue_cells,
        countries_total=len(rows),
        countries_on_time=countries_on_time,
        values_expected=values_expected,
        values_on_time=values_in_time,
    )


def _keep_last(last: dict[int, dt.datetime], country_id: int, moment: dt.datetime | None) -> None:
    if moment and (country_id not in last or moment > last[country_id]):
        last[country_id] = moment
