"""The country page: a country's goals, indicators, commitments and recommendations at a glance."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Prefetch, Q

from .. import access
from ..models import (
    Commitment,
    CommitmentProgress,
    Country,
    Goal,
    GovernmentResponse,
    Indicator,
    IndicatorValue,
    Recommendation,
    RecommendationFollowUp,
    ReportingPeriod,
)
from .workspace import periods_in_order, shown_text, value_trend, visible_reviewables


@dataclass
class IndicatorLine:
    indicator: Indicator
    cells: list[IndicatorValue | None]  # one per period, in period order
    baseline: IndicatorValue | None = None  # the first value given
    latest: IndicatorValue | None = None  # the last value given, when later than the baseline
    trend: str | None = None


@dataclass
class CommitmentLine:
    commitment: Commitment
    progress: list[CommitmentProgress]

    @property
    def latest(self) -> CommitmentProgress | None:
        return self.progress[-1] if self.progress else None


@dataclass
class RecommendationLine:
    recommendation: Recommendation
    follow_ups: list[RecommendationFollowUp]
    response: GovernmentResponse | None = None

    @property
    def latest(self) -> RecommendationFollowUp | None:
        return self.follow_ups[-1] if self.follow_ups else None


@dataclass
class GoalOverview:
    goal: Goal
    indicators: list[IndicatorLine] = field(default_factory=list)
    commitments: list[CommitmentLine] = field(default_factory=list)
    recommendations: list[RecommendationLine] = field(default_factory=list)

    @property
    def headline(self) -> IndicatorLine | None:
        """The indicator the goal's chart shows: its first numeric, ranked indicator with a value."""
        for line in self.indicators:
            indicator = line.indicator
            if indicator.is_numeric and indicator.direction != Indicator.Direction.NEUTRAL and line.baseline:
                return line
        return None


@dataclass
class CountryOverview:
    country: Country
    periods: list[ReportingPeriod]
    goals: list[GoalOverview]
    drafts_visible: bool


def country_overview(*, country: Country, user) -> CountryOverview:
    """Everything the country page shows, per goal: indicators across periods, commitments, recommendations.

    Eight queries: periods, goals, indicators, values, commitments (+ their progress), recommendations
    with their response (+ their follow-ups).
    """
    drafts_visible = access.can_read_drafts(user, country)
    periods = periods_in_order()
    position = {period.pk: index for index, period in enumerate(periods)}
    goals = {goal.pk: GoalOverview(goal=goal) for goal in Goal.objects.order_by("order")}

    indicators = list(Indicator.objects.filter(is_active=True).order_by("goal__order", "order", "code"))
    values = visible_reviewables(IndicatorValue.objects.filter(country=country), user=user, country=country)
    cells: dict[int, list[IndicatorValue | None]] = {i.pk: [None] * len(periods) for i in indicators}
    by_indicator = {indicator.pk: indicator for indicator in indicators}
    for value in values:
        if value.indicator_id in cells:
            value.indicator = by_indicator[value.indicator_id]  # spare a query per value
            cells[value.indicator_id][position[value.period_id]] = value
    for indicator in indicators:
        line = IndicatorLine(indicator=indicator, cells=cells[indicator.pk])
        given = [cell for cell in line.cells if cell is not None and cell.has_value]
        if given:
            line.baseline = given[0]
            line.latest = given[-1] if len(given) > 1 else None
            line.trend = value_trend(indicator=indicator, baseline=line.baseline, latest=line.latest)
        goals[indicator.goal_id].indicators.append(line)

    progress = visible_reviewables(CommitmentProgress.objects.all(), user=user, country=country)
    commitments = Commitment.objects.filter(country=country)
    if not drafts_visible:
        commitments = commitments.published()
    commitments = commitments.prefetch_related(
        Prefetch("progress", queryset=progress.select_related("period").order_by("period__starts_on"))
    )
    for commitment in commitments.order_by("goal__order", "committed_on", "id"):
        shown = shown_text(commitment, drafts_visible=drafts_visible)
        goals[shown.goal_id].commitments.append(
            CommitmentLine(commitment=shown, progress=list(commitment.progress.all()))
        )

    follow_ups = visible_reviewables(RecommendationFollowUp.objects.all(), user=user, country=country)
    recommendations = (
        Recommendation.objects.filter(country=country)
        .filter(Q() if drafts_visible else Q(approved_at__isnull=False))
        .select_related("response")
        .prefetch_related(
            Prefetch("follow_ups", queryset=follow_ups.select_related("period").order_by("period__starts_on"))
        )
        .order_by("issued_on", "source_document", "number")
    )
    for recommendation in recommendations:
        shown = shown_text(recommendation, drafts_visible=drafts_visible)
        answer = getattr(recommendation, "response", None)
        goals[shown.goal_id].recommendations.append(
            RecommendationLine(
                recommendation=shown,
                follow_ups=list(recommendation.follow_ups.all()),
                response=shown_text(answer, drafts_visible=drafts_visible),
            )
        )
    return CountryOverview(
        country=country, periods=periods, goals=list(goals.values()), drafts_visible=drafts_visible
    )
