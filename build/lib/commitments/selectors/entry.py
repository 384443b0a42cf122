"""The data-entry page, and single reviewable items with their versions and history."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Prefetch

from ..models import (
    Commitment,
    CommitmentProgress,
    Country,
    Goal,
    Indicator,
    IndicatorValue,
    Recommendation,
    RecommendationFollowUp,
    ReportingPeriod,
    Reviewable,
    Status,
)
from .workspace import REVIEWABLE_KINDS, period_before, periods_in_order


@dataclass
class EntryRow:
    indicator: Indicator
    value: IndicatorValue | None
    previous: IndicatorValue | None


@dataclass
class EntryGoal:
    goal: Goal
    rows: list[EntryRow] = field(default_factory=list)


@dataclass
class DataEntry:
    country: Country
    period: ReportingPeriod
    previous_period: ReportingPeriod | None
    goals: list[EntryGoal]
    commitments: list[tuple[Commitment, CommitmentProgress | None]]
    recommendations: list[tuple[Recommendation, RecommendationFollowUp | None]]
    periods: list[ReportingPeriod]

    @property
    def rows(self) -> list[EntryRow]:
        return [row for goal in self.goals for row in goal.rows]

    @property
    def pending_items(self) -> list[Reviewable]:
        """Items of this period that are drafts or were returned: what "submit for review" would send."""
        items = [
            *(row.value for row in self.rows),
            *(progress for _, progress in self.commitments),
            *(follow_up for _, follow_up in self.recommendations),
        ]
        return [item for item in items if item is not None and item.status in {Status.DRAFT, Status.RETURNED}]

    @property
    def pending_count(self) -> int:
        return len(self.pending_items)


def data_entry(*, country: Country, period: ReportingPeriod) -> DataEntry:
    """All active indicators of a country and period grouped by goal, with the previous period's values.

    For people who may edit the country (the view checks). Six queries: periods, indicators with their
    goal, values of this and the previous period, commitments (+ this period's progress), recommendations
    (+ this period's follow-up).
    """
    periods = periods_in_order()
    previous_period = period_before(period=period, periods=periods)
    wanted = [period.pk] + ([previous_period.pk] if previous_period else [])
    values = {
        (value.indicator_id, value.period_id): value
        for value in IndicatorValue.objects.filter(country=country, period_id__in=wanted).select_related(
            "updated_by"
        )
    }
    goals: dict[int, EntryGoal] = {}
    for indicator in (
        Indicator.objects.filter(is_active=True)
        .select_related("goal")
        .order_by("goal__order", "order", "code")
    ):
        entry_goal = goals.setdefault(indicator.goal_id, EntryGoal(goal=indicator.goal))
        value = values.get((indicator.pk, period.pk))
        previous = values.get((indicator.pk, previous_period.pk)) if previous_period else None
        for item in (value, previous):
            if item is not None:
                item.indicator = indicator
        entry_goal.rows.append(EntryRow(indicator=indicator, value=value, previous=previous))

    commitments = (
        Commitment.objects.filter(country=country)
        .select_related("goal")
        .prefetch_related(Prefetch("progress", queryset=CommitmentProgress.objects.filter(period=period)))
        .order_by("goal__order", "committed_on", "id")
    )
    recommendations = (
        Recommendation.objects.filter(country=country)
        .select_related("goal")
        .prefetch_related(
            Prefetch("follow_ups", queryset=RecommendationFollowUp.objects.filter(period=period))
        )
        .order_by("goal__order", "issued_on", "number")
    )
    return DataEntry(
        country=country,
        period=period,
        previous_period=previous_period,
        goals=list(goals.values()),
        commitments=[(c, next(iter(c.progress.all()), None)) for c in commitments],
        recommendations=[(r, next(iter(r.follow_ups.all()), None)) for r in recommendations],
        periods=periods,
    )


def country_period_items(*, country: Country, period: ReportingPeriod) -> list[Reviewable]:
    """Every reviewable item of a country and period: values, commitment progress, follow-ups (3 queries)."""
    values = (
        IndicatorValue.objects.filter(country=country, period=period)
        .select_related("indicator__goal", "updated_by", "period")
        .order_by("indicator__goal__order", "indicator__order", "indicator__code")
    )
    progress = (
        CommitmentProgress.objects.filter(commitment__country=country, period=period)
        .select_related("commitment__goal", "commitment__country", "updated_by", "period")
        .order_by("commitment__goal__order", "commitment__committed_on", "commitment_id")
    )
    follow_ups = (
        RecommendationFollowUp.objects.filter(recommendation__country=country, period=period)
        .select_related("recommendation__goal", "recommendation__country", "updated_by", "period")
        .order_by("recommendation__goal__order", "recommendation__number")
    )
    return [*values, *progress, *follow_ups]


def reviewable_get(*, kind: str, pk: int) -> Reviewable:
    """One reviewable item by kind ("value", "progress", "follow-up") with what its pages show."""
    model = REVIEWABLE_KINDS[kind]
    related = {
        "value": ["country", "indicator__goal", "period"],
        "progress": ["commitment__country", "commitment__goal", "period"],
        "follow-up": ["recommendation__country", "recommendation__goal", "period"],
    }[kind]
    return model.objects.select_related(*related).get(pk=pk)


def item_version(*, item: Reviewable, version: int):
    """The item as it was at ``version`` (its historical record), or None if no such version was kept."""
    return item.history.filter(version=version).order_by("-history_date").first()


def item_history(*, item: Reviewable) -> list:
    """The item's versions, newest first, with who made each one and why."""
    return list(item.history.select_related("history_user").order_by("-history_date", "-history_id"))
