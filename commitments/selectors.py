"""Reads of the alliance's data, shaped for the workspace pages and the API.

Whatever depends on who asks goes through ``visible_reviewables``: a country's drafts reach only those who
may edit it (access.can_read_drafts); everyone else sees approved data. Each function reads a fixed number
of queries whatever the number of countries, indicators or periods (the tests pin them).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum

from django.db.models import Count, Max, Prefetch, Q, QuerySet
from django.utils import timezone

from . import access
from .models import (
    Commitment,
    CommitmentProgress,
    ConsistencyRule,
    Country,
    Finding,
    Goal,
    GovernmentResponse,
    Indicator,
    IndicatorValue,
    Recommendation,
    RecommendationFollowUp,
    ReportingPeriod,
    Reviewable,
    Revised,
    Status,
)

# ==================================================================================================
# Workspace (browser pages)
# ==================================================================================================

REVIEWABLE_KINDS: dict[str, type[Reviewable]] = {
    "value": IndicatorValue,
    "progress": CommitmentProgress,
    "follow-up": RecommendationFollowUp,
}


def visible_reviewables(queryset: QuerySet, *, user, country: Country) -> QuerySet:
    """The rows of ``queryset`` the user may read: all of them for editors, approved ones for the rest."""
    if access.can_read_drafts(user, country):
        return queryset
    return queryset.filter(status=Status.APPROVED)


def shown_text(item: Revised | None, *, drafts_visible: bool) -> Revised | None:
    """A reviewed text as a reader sees it: editors the working text, everyone else the approved revision.

    The one helper the workspace pages use (the API has serializers.RevisedSerializerMixin, the reports
    read the approved columns): None when the reader may not see the item at all (never approved).
    """
    if item is None:
        return None
    if drafts_visible:
        return item.working_copy()
    return item if item.is_published else None


def order_by_name(queryset: QuerySet[Country]) -> QuerySet[Country]:
    """Countries in the order of their names in the reader's language (one query to learn the order)."""
    from django.db.models import Case, IntegerField, Value, When

    ordered = sorted(queryset.only("pk", "name_en", "name_nl"), key=lambda country: country.sort_key)
    if not ordered:
        return queryset
    position = Case(
        *[When(pk=country.pk, then=Value(index)) for index, country in enumerate(ordered)],
        output_field=IntegerField(),
    )
    return queryset.order_by(position)


def periods_in_order() -> list[ReportingPeriod]:
    return list(ReportingPeriod.objects.order_by("starts_on"))


def period_before(*, period: ReportingPeriod, periods: list[ReportingPeriod]) -> ReportingPeriod | None:
    """The reporting period just before ``period`` (``periods`` in order), or None for the first."""
    earlier = [p for p in periods if p.starts_on < period.starts_on]
    return earlier[-1] if earlier else None


# --- direction-aware comparison -----------------------------------------------------------------------


class Trend(StrEnum):
    IMPROVED = "improved"
    WORSENED = "worsened"
    UNCHANGED = "unchanged"
    CHANGED = "changed"  # for context-only indicators, which are never judged


def _as_number(value: IndicatorValue) -> Decimal | None:
    if value.indicator.value_type == Indicator.ValueType.BOOLEAN:
        return None if value.boolean_value is None else Decimal(int(value.boolean_value))
    if value.indicator.value_type == Indicator.ValueType.TEXT:
        return None
    return value.number_value


def value_trend(
    *, indicator: Indicator, baseline: IndicatorValue | None, latest: IndicatorValue | None
) -> str | None:
    """Whether the latest value is progress on the baseline, as the indicator's direction says.

    A fall is progress for a "down" indicator (takedown time); "neutral" ones are only said to change.
    """
    if baseline is None or latest is None or baseline.pk == latest.pk:
        return None
    before, after = _as_number(baseline), _as_number(latest)
    if before is None or after is None:
        return None
    if before == after:
        return Trend.UNCHANGED
    if indicator.direction == Indicator.Direction.NEUTRAL:
        return Trend.CHANGED
    rising = after > before
    better = rising if indicator.direction == Indicator.Direction.UP else not rising
    return Trend.IMPROVED if better else Trend.WORSENED


# --- country page -------------------------------------------------------------------------------------


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


# --- data entry ---------------------------------------------------------------------------------------


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


# --- completeness matrix ------------------------------------------------------------------------------


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


# --- home page ----------------------------------------------------------------------------------------


@dataclass
class PeriodDeadline:
    period: ReportingPeriod
    days_left: int

    @property
    def overdue(self) -> bool:
        return self.days_left < 0

    @property
    def days_overdue(self) -> int:
        return max(0, -self.days_left)


@dataclass
class WorkCount:
    country: Country
    period: ReportingPeriod
    count: int


@dataclass
class Attention:
    deadlines: list[PeriodDeadline]
    returned: list[Reviewable]
    drafts: list[WorkCount]
    waiting_review: list[WorkCount]
    countries: list[Country]


def attention_for(*, user, today: dt.date | None = None, limit: int = 20) -> Attention:
    """What needs the user's attention: open periods' deadlines, returned items, drafts, items to review."""
    today = today or timezone.localdate()
    open_periods = list(ReportingPeriod.objects.filter(is_open=True).order_by("deadline"))
    deadlines = [PeriodDeadline(period=p, days_left=(p.deadline - today).days) for p in open_periods]
    countries = access.editable_countries(user, Country.objects.all())
    editable = {country.pk: country for country in countries.order_by("name_en")}
    if not editable:
        return Attention(deadlines=deadlines, returned=[], drafts=[], waiting_review=[], countries=[])
    periods = {period.pk: period for period in open_periods}
    sources = [
        (IndicatorValue.objects.filter(country_id__in=editable), "country_id", ["indicator", "country"]),
        (
            CommitmentProgress.objects.filter(commitment__country_id__in=editable),
            "commitment__country_id",
            ["commitment__country"],
        ),
        (
            RecommendationFollowUp.objects.filter(recommendation__country_id__in=editable),
            "recommendation__country_id",
            ["recommendation__country"],
        ),
    ]
    returned: list[Reviewable] = []
    grouped: dict[tuple[str, int, int], int] = defaultdict(int)
    for queryset, country_key, related in sources:
        in_open = queryset.filter(period_id__in=periods)
        returned += list(
            in_open.filter(status=Status.RETURNED)
            .select_related("period", *related)
            .order_by("-updated_at")[:limit]
        )
        for group in (
            in_open.filter(status__in=[Status.DRAFT, Status.SUBMITTED])
            .values(country_key, "period_id", "status")
            .annotate(n=Count("pk"))
            .order_by()
        ):
            grouped[(group["status"], group[country_key], group["period_id"])] += group["n"]

    def work(status: str) -> list[WorkCount]:
        found = [
            WorkCount(country=editable[country_id], period=periods[period_id], count=n)
            for (state, country_id, period_id), n in grouped.items()
            if state == status
        ]
        return sorted(found, key=lambda w: (w.period.deadline, w.country.name_en))

    return Attention(
        deadlines=deadlines,
        returned=sorted(returned, key=lambda item: item.updated_at, reverse=True)[:limit],
        drafts=work(Status.DRAFT),
        waiting_review=work(Status.SUBMITTED) if access.can_review(user) else [],
        countries=list(editable.values()),
    )


# --- reviewed texts waiting for someone ----------------------------------------------------------------


def texts_needing_attention(*, user, limit: int = 20) -> list[Revised]:
    """Reviewed texts (commitments, recommendations, responses) the user should act on, newest first:
    for reviewers the submitted ones, for staff the returned ones of their countries (3 queries)."""
    if access.can_review(user):
        wanted, countries = Status.SUBMITTED, None
    else:
        countries = list(access.editable_countries(user, Country.objects.all()).values_list("pk", flat=True))
        if not countries:
            return []
        wanted = Status.RETURNED
    sources = [
        (Commitment.objects.select_related("country"), "country_id"),
        (Recommendation.objects.select_related("country"), "country_id"),
        (GovernmentResponse.objects.select_related("recommendation__country"), "recommendation__country_id"),
    ]
    found: list[Revised] = []
    for queryset, country_key in sources:
        queryset = queryset.filter(status=wanted)
        if countries is not None:
            queryset = queryset.filter(**{f"{country_key}__in": countries})
        found += list(queryset.order_by("-updated_at")[:limit])
    return sorted(found, key=lambda item: item.updated_at, reverse=True)[:limit]


# --- consistency rules --------------------------------------------------------------------------------


@dataclass(frozen=True)
class RuleSpec:
    """A consistency rule as plain data (from the database, or from a report's frozen data)."""

    code: str
    kind: str
    indicator: str  # indicator code
    related: str | None
    low: Decimal | None
    high: Decimal | None
    tolerance: Decimal | None
    description: str


@dataclass(frozen=True)
class Violation:
    """A figure that breaks a rule: which rule, which indicators, and what is wrong, in words."""

    rule: str
    kind: str
    indicator: str
    related: str | None
    message: str

    @property
    def indicators(self) -> set[str]:
        return {self.indicator, *([self.related] if self.related else [])}


def _decimal_or_none(value) -> Decimal | None:
    return None if value in (None, "") else Decimal(str(value))


def rule_specs(rules: list) -> list[RuleSpec]:
    """Rules (model instances or report data dicts) as ``RuleSpec`` in the active language."""
    from django.utils.translation import get_language

    dutch = (get_language() or "en")[:2] == "nl"
    specs = []
    for rule in rules:
        item = rule if isinstance(rule, dict) else rule_data(rule)
        specs.append(
            RuleSpec(
                item["code"],
                item["kind"],
                item["indicator"],
                item["related"],
                _decimal_or_none(item["low"]),
                _decimal_or_none(item["high"]),
                _decimal_or_none(item["tolerance"]),
                (item["description_nl"] if dutch and item["description_nl"] else item["description_en"]),
            )
        )
    return specs


def rule_data(rule: ConsistencyRule) -> dict:
    """A rule as JSON-ready data (the report freezes its rules with its data)."""
    return {
        "code": rule.code,
        "kind": rule.kind,
        "indicator": rule.indicator.code,
        "related": rule.related_indicator.code if rule.related_indicator_id else None,
        "low": None if rule.low is None else str(rule.low),
        "high": None if rule.high is None else str(rule.high),
        "tolerance": None if rule.tolerance is None else str(rule.tolerance),
        "description_en": rule.description_en,
        "description_nl": rule.description_nl,
    }


def active_rules() -> list[ConsistencyRule]:
    """The rules in force (one query)."""
    return list(
        ConsistencyRule.objects.filter(is_active=True)
        .select_related("indicator", "related_indicator")
        .order_by("code")
    )


def _number_text(value: Decimal) -> str:
    """A figure as people read it in the active language (the charts' format: at most one decimal)."""
    from django.utils.formats import number_format

    value = Decimal(str(value))
    places = 0 if value == value.to_integral_value() else 1
    return number_format(value, decimal_pos=places, use_l10n=True, force_grouping=True)


def _signed_percent_text(value: Decimal) -> str:
    value = value.quantize(Decimal("0.1"))
    sign = "+" if value > 0 else "−" if value < 0 else "±"
    return f"{sign}{_number_text(abs(value))}%"


def consistency_violations(
    *, rules: list[RuleSpec], before: dict[str, Decimal | None], after: dict[str, Decimal | None]
) -> list[Violation]:
    """Every rule the figures break: ``after`` holds the values (by indicator code) of the period checked,
    ``before`` those of the period it is compared with (empty: only ranges are checked).

    The one place the rules are evaluated: the report, the review page and the tests all call this.
    A rule that lacks a figure it needs is not broken (missing data is reported as missing elsewhere).
    """
    from django.utils.translation import gettext as _

    found: list[Violation] = []
    for rule in rules:
        value = after.get(rule.indicator)
        if rule.kind == ConsistencyRule.Kind.CHANGE:
            first, second = before.get(rule.related or ""), after.get(rule.related or "")
            if value is None or first is None or second is None or first <= 0:
                continue
            computed = 100 * (second - first) / first
            opposite = (value > 0 > computed) or (value < 0 < computed)
            if opposite or abs(value - computed) > (rule.tolerance or 0):
                message = _(
                    "%(code)s reports %(reported)s, but %(related)s went from %(first)s to %(second)s "
                    "(%(computed)s): the two contradict each other."
                ) % {
                    "code": rule.indicator,
                    "reported": _signed_percent_text(value),
                    "related": rule.related,
                    "first": _number_text(first),
                    "second": _number_text(second),
                    "computed": _signed_percent_text(computed),
                }
                found.append(Violation(rule.code, rule.kind, rule.indicator, rule.related, message))
        elif rule.kind == ConsistencyRule.Kind.BOUNDS:
            if value is None:
                continue
            if (rule.low is not None and value < rule.low) or (rule.high is not None and value > rule.high):
                message = _("%(code)s is %(value)s, outside the plausible range %(low)s to %(high)s.") % {
                    "code": rule.indicator,
                    "value": _number_text(value),
                    "low": _number_text(rule.low) if rule.low is not None else "−∞",
                    "high": _number_text(rule.high) if rule.high is not None else "∞",
                }
                found.append(Violation(rule.code, rule.kind, rule.indicator, None, message))
        elif rule.kind == ConsistencyRule.Kind.JUMP:
            first = before.get(rule.indicator)
            if value is None or first is None or first <= 0:
                continue
            change = 100 * (value - first) / first
            if abs(change) > (rule.tolerance or 0):
                message = _(
                    "%(code)s went from %(first)s to %(second)s (%(change)s): a larger change than the "
                    "%(limit)s%% that is plausible."
                ) % {
                    "code": rule.indicator,
                    "first": _number_text(first),
                    "second": _number_text(value),
                    "change": _signed_percent_text(change),
                    "limit": _number_text(rule.tolerance or 0),
                }
                found.append(Violation(rule.code, rule.kind, rule.indicator, None, message))
    return found


def consistency_check(*, country: Country, period: ReportingPeriod) -> list[Violation]:
    """The rules a country's figures for ``period`` break (what the review page shows beside them).

    The period's values count whatever their state (a reviewer checks them before approving); the
    period before it counts with approved values only. Queries: rules (1), periods (1), values (2).
    """
    rules = rule_specs(active_rules())
    previous = period_before(period=period, periods=periods_in_order())

    def numbers(queryset) -> dict[str, Decimal | None]:
        return dict(
            queryset.filter(number_value__isnull=False).values_list("indicator__code", "number_value")
        )

    after = numbers(IndicatorValue.objects.filter(country=country, period=period))
    before = (
        numbers(IndicatorValue.objects.approved().filter(country=country, period=previous))
        if previous
        else {}
    )
    return consistency_violations(rules=rules, before=before, after=after)


# --- the rapporteur's findings ------------------------------------------------------------------------


@dataclass
class FindingRow:
    """One place findings are written: a goal (or all goals) of a country (or the alliance)."""

    goal: Goal | None
    finding: Finding | None


def findings_for(*, period: ReportingPeriod, country: Country | None) -> list[FindingRow]:
    """The findings of a period for a country (None: the alliance), all goals first, then goal by goal.

    Two queries: goals, findings.
    """
    goals = list(Goal.objects.order_by("order"))
    found = {
        finding.goal_id: finding
        for finding in Finding.objects.filter(period=period, country=country).select_related("goal")
    }
    return [FindingRow(goal, found.get(goal.pk if goal else None)) for goal in [None, *goals]]
