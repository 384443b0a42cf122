"""The completeness matrix: each country's state of reporting per goal, in a fixed number of queries."""

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
)


class CellState(StrEnum):
    NOT_STARTED = "not_started"
    DRAFT = "draft"
    RETURNED = "returned"
    SUBMITTED = "submitted"
    APPROVED = "approved"


CELL_PRECEDENCE = [CellState.RETURNED, CellState.DRAFT, CellState.SUBMITTED, CellState.APPROVED]


@dataclass
class MatrixCell:
    goal: Goal
    state: str
    counts: dict[str, int]
    values_entered: int
    values_expected: int
    overdue: bool


@dataclass
class MatrixRow:
    country: Country
    cells: list[MatrixCell]
    state: str
    overdue: bool
    on_time: bool
    last_submitted_at: dt.datetime | None


@dataclass
class CompletenessMatrix:
    period: ReportingPeriod
    goals: list[Goal]
    rows: list[MatrixRow]
    counts: dict[str, int]  # cells per state
    overdue_cells: int
    countries_total: int
    countries_on_time: int

    @property
    def on_time_rate(self) -> float | None:
        return self.countries_on_time / self.countries_total if self.countries_total else None


def _cell_state(counts: dict[str, int]) -> str:
    for state in CELL_PRECEDENCE:
        if counts.get(state):
            return state
    return CellState.NOT_STARTED


def completeness_matrix(
    *,
    period: ReportingPeriod,
    region: str = "",
    goal_code: str = "",
    state: str = "",
    overdue_only: bool = False,
    today: dt.date | None = None,
) -> CompletenessMatrix:
    """Countries x goals for a period: each cell's workflow state, whether it is overdue, and the totals.

    A cell covers the goal's indicator values, commitment progress and recommendation follow-ups; its
    state is the least advanced of them (returned, draft, submitted, approved). A country is on time when
    every goal is submitted or approved and its last submission came by the deadline. Five queries,
    whatever the number of countries and indicators.
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

    counts: dict[tuple[int, int], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    entered: dict[tuple[int, int], int] = defaultdict(int)
    last: dict[int, dt.datetime] = {}
    country_ids = [country.pk for country in countries]
    sources = [
        (IndicatorValue.objects.filter(country_id__in=country_ids), "country_id", "indicator__goal_id"),
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
    ]
    for number, (queryset, country_key, goal_key) in enumerate(sources):
        grouped = (
            queryset.filter(period=period)
            .values(country_key, goal_key, "status")
            .annotate(n=Count("pk"), last=Max("submitted_at"))
            .order_by()
        )
        for group in grouped:
            key = (group[country_key], group[goal_key])
            counts[key][group["status"]] += group["n"]
            if number == 0:
                entered[key] += group["n"]
            if group["last"] and (group[country_key] not in last or group["last"] > last[group[country_key]]):
                last[group[country_key]] = group["last"]

    rows: list[MatrixRow] = []
    totals = {str(cell_state): 0 for cell_state in CellState}
    overdue_cells = on_time = 0
    shown_goals = [goal for goal in goals if not goal_code or goal.code == goal_code]
    for country in countries:
        cells = []
        for goal in shown_goals:
            cell_counts = dict(counts.get((country.pk, goal.pk), {}))
            cell_state = _cell_state(cell_counts)
            late = past_deadline and cell_state not in {CellState.SUBMITTED, CellState.APPROVED}
            cells.append(
                MatrixCell(
                    goal=goal,
                    state=cell_state,
                    counts=cell_counts,
                    values_entered=entered.get((country.pk, goal.pk), 0),
                    values_expected=goal.expected,
                    overdue=late,
                )
            )
        row_state = _cell_state({cell.state: 1 for cell in cells if cell.state != CellState.NOT_STARTED})
        if any(cell.state == CellState.NOT_STARTED for cell in cells):
            row_state = CellState.NOT_STARTED if row_state == CellState.APPROVED else row_state
        complete = all(cell.state in {CellState.SUBMITTED, CellState.APPROVED} for cell in cells)
        last_at = last.get(country.pk)
        row = MatrixRow(
            country=country,
            cells=cells,
            state=row_state,
            overdue=any(cell.overdue for cell in cells),
            on_time=complete
            and last_at is not None
            and timezone.localtime(last_at).date() <= period.deadline,
            last_submitted_at=last_at,
        )
        if state and not any(cell.state == state for cell in cells):
            continue
        if overdue_only and not row.overdue:
            continue
        rows.append(row)
        for cell in cells:
            totals[cell.state] += 1
            overdue_cells += cell.overdue
        on_time += row.on_time
    return CompletenessMatrix(
        period=period,
        goals=shown_goals,
        rows=rows,
        counts=totals,
        overdue_cells=overdue_cells,
        countries_total=len(rows),
        countries_on_time=on_time,
    )
