"""Reads for the ministers' view: the alliance at a glance, a goal across countries, a country across rounds.

Nothing here computes a figure of its own where the reports already compute it: the round's data comes
from ``reporting.selectors.report_data`` (approved data only, one snapshot) and every comparison, tally,
ICSE verdict, commitment count and completeness figure from ``reporting.content.Book``, so the ministers'
view and the evaluation report can never disagree. What is new is one judgement per country and goal
(``goal_outcome``: more indicators better than worse, or the other way round), the trends over every
period, and where a country stands in the alliance's distribution (quartiles, no names, no ranks).

Which round is shown follows the one embargo rule, ``EvaluationRound.objects.released()``: everyone sees
released rounds; staff and reviewers, who work on the data before it is released, may also look at a
round that is not released yet, and the pages say so.
"""

from __future__ import annotations

import hashlib
import statistics
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.cache import cache
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from alliance_monitor.charts import Chart, Series, bar_chart
from commitments import access
from commitments.models import Country, EvaluationRound, Indicator, IndicatorValue, ReportingPeriod
from reporting.content import (
    CONTEXT,
    IMPROVED,
    MISSING,
    NOT_COMPARED,
    UNCHANGED,
    WORSENED,
    Book,
    Completeness,
    CountryInfo,
    GoalInfo,
    GoalTally,
    IndicatorInfo,
    OutcomeCounts,
    PeriodInfo,
    assessment_label,
    format_value,
)
from reporting.selectors import DATA_FORMAT, report_data
from sync.changes import data_version

from .charts import Band, distribution_chart, trend_chart

OUTCOMES = (IMPROVED, UNCHANGED, WORSENED, MISSING)
# Fewer reported values than this and quartiles would nearly name the countries behind them.
MIN_DISTRIBUTION = 5


def outcome_label(outcome: str) -> str:
    return {
        IMPROVED: _("improved"),
        UNCHANGED: _("stayed the same"),
        WORSENED: _("worsened"),
        MISSING: _("cannot be compared"),
    }[outcome]


def goal_outcome(tally: GoalTally) -> str:
    """One country's outcome on one goal, from the report's comparisons of its indicators.

    Improved when more of its indicators got better than worse, worsened when more got worse, the same
    when as many went either way (or none moved); cannot be compared when no indicator has both an
    approved baseline and an approved evaluation value. Context-only and text indicators never count.
    """
    if tally.compared == 0:
        return MISSING
    if tally.improved > tally.worsened:
        return IMPROVED
    if tally.worsened > tally.improved:
        return WORSENED
    return UNCHANGED


# --- which round ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RoundChoice:
    """The round a page shows and the rounds the reader may choose from."""

    shown: EvaluationRound | None
    options: list[EvaluationRound]  # each with ``is_released``
    preview: EvaluationRound | None = None  # no released round: the latest one, offered to staff

    @property
    def is_released(self) -> bool:
        return bool(self.shown and self.shown.is_released)


def round_choice(*, user, round_id: int | None = None) -> RoundChoice | None:
    """The round to show: ``round_id`` if the user may see it (None when not: the page is not there),
    else the latest released round. One query.

    Staff and reviewers may see rounds before their release; everyone else only released rounds.
    """
    rounds = (
        EvaluationRound.objects.select_related("baseline_period", "evaluation_period")
        .annotate(is_released=Exists(EvaluationRound.objects.released().filter(pk=OuterRef("pk"))))
        .order_by("evaluation_period__ends_on", "ministerial_date", "pk")
    )
    if not (access.is_reviewer(user) or access.is_staff_member(user)):
        rounds = rounds.filter(is_released=True)
    options = list(rounds)
    if round_id is not None:
        shown = next((item for item in options if item.pk == round_id), None)
        return RoundChoice(shown=shown, options=options) if shown else None
    released = [item for item in options if item.is_released]
    if released:
        return RoundChoice(shown=released[-1], options=options)
    return RoundChoice(shown=None, options=options, preview=options[-1] if options else None)


# --- the alliance at a glance ------------------------------------------------------------------------


@dataclass(frozen=True)
class CountryGoal:
    """A country's outcome on a goal, with the counts it rests on."""

    country: CountryInfo
    tally: GoalTally
    outcome: str

    @property
    def outcome_label(self) -> str:
        return outcome_label(self.outcome)


@dataclass
class GoalSummary(OutcomeCounts):
    """A goal across the alliance: how many countries improved, stayed, worsened or cannot be compared."""

    goal: GoalInfo
    countries: list[CountryGoal]

    def count(self, outcome: str) -> int:
        return sum(1 for row in self.countries if row.outcome == outcome)

    def of(self, country_id: int) -> CountryGoal | None:
        return next((row for row in self.countries if row.country.id == country_id), None)


@dataclass
class AllianceOverview:
    """Everything the ministers' view shows of one round, computed from the report's data and kept as
    plain values (labels in the language it was built in), so that it can be cached (``_cached``)."""

    evaluation_round: EvaluationRound
    baseline: PeriodInfo
    evaluation: PeriodInfo
    is_demo: bool
    data_warning: str
    countries: list[CountryInfo]
    indicators: list[IndicatorInfo]
    goals: list[GoalSummary]
    icse_counts: dict[str, int]
    commitments: dict[str, int]
    completeness: Completeness
    outcomes_chart: Chart
    completion_chart: Chart
    cache_keys: dict[str, str] = field(default_factory=dict)

    @property
    def is_released(self) -> bool:
        return bool(getattr(self.evaluation_round, "is_released", False))

    def goal(self, code: str) -> GoalSummary | None:
        return next((summary for summary in self.goals if summary.goal.code == code), None)


def _outcomes_chart(goals: list[GoalSummary]) -> Chart:
    """Countries per goal by outcome (the same numbers as the table beside it)."""
    return bar_chart(
        title=_("Countries per goal: improved, stayed the same, worsened or cannot be compared"),
        categories=[summary.goal.numbered_title for summary in goals],
        series=[
            Series(outcome_label(outcome), [summary.count(outcome) for summary in goals], outcome)
            for outcome in OUTCOMES
        ],
        unit=_("countries"),
        axis="count",
    )


@dataclass(frozen=True)
class Spread:
    """The approved evaluation values of one indicator across the participating countries."""

    values: dict[int, Decimal]  # by country id; countries without an approved number are left out

    def of(self, *, country_id: int | None, direction: str) -> Distribution | None:
        """Quartiles and median, and the country's own value (None when fewer than MIN_DISTRIBUTION
        countries reported: quartiles of so few would nearly name them)."""
        numbers = sorted(self.values.values())
        if len(numbers) < MIN_DISTRIBUTION:
            return None
        lower, median, upper = statistics.quantiles(numbers, n=4, method="inclusive")
        own = self.values.get(country_id) if country_id is not None else None
        return Distribution(len(numbers), lower, median, upper, own, direction)


# The CSS class (app.css .trend--*) of each assessment: missing and not compared look alike, context
# only is "changed" (never judged).
TREND_CLASS = {MISSING: "missing", NOT_COMPARED: "missing", CONTEXT: "changed"}


@dataclass(frozen=True)
class Cell:
    """One country's indicator on a goal's page: both values, the judgement in words, its CSS class."""

    text: str
    label: str
    css: str


@dataclass
class RoundData:
    """What one build of the round's data yields: the overview, every goal's chapter, every spread."""

    overview: AllianceOverview
    chapters: dict[str, dict[str, Any]]  # by goal code, each cached under a key of its own
    spreads: dict[int, Spread]  # by indicator id (numeric indicators only)


def _build(evaluation_round: EvaluationRound) -> RoundData:
    """Read the round's approved data as the alliance-wide report does and compute every figure the pages
    show. Queries: those of ``report_data`` (a fixed number, whatever the number of countries)."""
    book = Book(report_data(evaluation_round=evaluation_round))
    goals = []
    for goal in book.goals:
        rows = []
        for country in book.countries:
            tally = book.tally(goal=goal, countries=[country])
            rows.append(CountryGoal(country=country, tally=tally, outcome=goal_outcome(tally)))
        goals.append(GoalSummary(goal=goal, countries=rows))
    overview = AllianceOverview(
        evaluation_round=evaluation_round,
        baseline=book.baseline,
        evaluation=book.evaluation,
        is_demo=book.is_demo,
        data_warning=book.data_warning,
        countries=book.countries,
        indicators=book.indicators,
        goals=goals,
        icse_counts=book.icse_counts,
        commitments=book.commitment_summary(),
        completeness=book.completeness(),
        outcomes_chart=_outcomes_chart(goals),
        completion_chart=book.completion_chart(title=_("Commitments by completion status")),
    )
    chapters = {}
    labels = {
        key: assessment_label(key) for key in (IMPROVED, UNCHANGED, WORSENED, MISSING, CONTEXT, NOT_COMPARED)
    }
    for summary in goals:
        chapter = book.goal_chapter(summary.goal)
        # Rows as printed (plain strings): a page of 55 countries x 6 indicators renders in milliseconds.
        chapter["rows"] = [
            {
                "country": row["country"],
                "outcome": summary.of(row["country"].id),
                "cells": [
                    Cell(
                        f"{cell.baseline.text} → {cell.evaluation.text}",
                        labels[cell.assessment],
                        TREND_CLASS.get(cell.assessment, cell.assessment),
                    )
                    for cell in row["cells"]
                ],
            }
            for row in chapter["rows"]
        ]
        chapters[summary.goal.code] = chapter
    spreads = {
        indicator.id: Spread(
            {
                country.id: value
                for country in book.countries
                if isinstance(value := book.value(country, indicator, book.evaluation), Decimal)
            }
        )
        for indicator in book.indicators
        if indicator.value_type not in {"text", "boolean"}
    }
    return RoundData(overview=overview, chapters=chapters, spreads=spreads)


# A finding or a consistency rule changes no data version (the change feed does not carry them): the
# cache keeps a round's figures at most this long, so such a change shows within minutes.
CACHE_SECONDS = 600
PARTS = ("overview", "chapters", "spreads")


def _cache_keys(evaluation_round: EvaluationRound) -> dict[str, str]:
    """Keys of everything that decides the figures: the round and its release, the language of the
    labels, and the data version (the newest approved change in the change feed's outbox: every write of
    data a minister may see moves it, so a cached figure is never read after its data changed)."""
    version = data_version(Q(public=True))
    stamp = f"{evaluation_round.pk}:{evaluation_round.released_at}:{get_language()}:{version}:{DATA_FORMAT}"
    digest = hashlib.sha256(stamp.encode()).hexdigest()[:32]
    return {"digest": f"overview:{digest}", **{part: f"overview:{digest}:{part}" for part in PARTS}}


def round_data(*, evaluation_round: EvaluationRound, part: str, keys: dict[str, str] | None = None) -> Any:
    """One part of the round's computed data, from the cache when its data has not changed since.

    Queries: the data version (1, unless ``keys`` of this request are given); on a miss also
    report_data's. A miss computes and stores every part (each goal's chapter under a key of its own), so
    the other parts are hits. Without the cache (Redis away) the pages are computed each time.
    """
    keys = keys or _cache_keys(evaluation_round)
    key = keys[part] if part in keys else f"{keys['digest']}:{part}"
    found = cache.get(key)
    if found is None:
        built = _build(evaluation_round)
        values = {keys["overview"]: built.overview, keys["spreads"]: built.spreads}
        values.update(
            {f"{keys['digest']}:chapter:{code}": chapter for code, chapter in built.chapters.items()}
        )
        cache.set_many(values, CACHE_SECONDS)
        found = values.get(key)
    if part == "overview":
        found.evaluation_round = evaluation_round  # the reader's own (with its is_released)
        found.cache_keys = keys  # the other parts of this request: no second look at the version
    return found


def cached(*, overview: AllianceOverview, name: str, build) -> Any:
    """Something drawn from the round's figures (a country's trends, a map), kept beside them under the
    same data version: computed once per version and language, then read."""
    key = f"{overview.cache_keys['digest']}:{name}"
    found = cache.get(key)
    if found is None:
        found = build()
        cache.set(key, found, CACHE_SECONDS)
    return found


def alliance_overview(*, evaluation_round: EvaluationRound) -> AllianceOverview:
    """The round's figures, as the alliance-wide report computes them, judged per country and goal."""
    return round_data(evaluation_round=evaluation_round, part="overview")


# --- a goal across all countries ------------------------------------------------------------------------


def goal_across_countries(*, overview: AllianceOverview, summary: GoalSummary) -> dict[str, Any]:
    """The report's goal chapter (every country's figures for the goal's indicators), each row with the
    country's outcome on the goal."""
    return round_data(
        evaluation_round=overview.evaluation_round,
        part=f"chapter:{summary.goal.code}",
        keys=overview.cache_keys,
    )


# --- a country across every round -----------------------------------------------------------------------


@dataclass(frozen=True)
class Distribution:
    """Where a country's value stands among the alliance's values of the evaluation period: quartiles and
    median only (no other country named, no rank)."""

    count: int
    lower: Decimal
    median: Decimal
    upper: Decimal
    value: Decimal | None
    direction: str

    @property
    def band(self) -> str:
        if self.value is None:
            return Band.MISSING
        if self.value < self.lower:
            return Band.BELOW
        if self.value < self.median:
            return Band.LOWER
        if self.value == self.median:
            return Band.MEDIAN
        if self.value <= self.upper:
            return Band.UPPER
        return Band.ABOVE


@dataclass
class TrendLine:
    """One indicator of a country over every period up to the round's evaluation period."""

    indicator: IndicatorInfo
    values: list[Any]  # one per period, None where nothing approved
    rows: list[tuple[str, str]]  # (period, value as printed): the chart's table
    chart: Chart | None = None
    distribution: Distribution | None = None
    distribution_chart: Chart | None = None


@dataclass
class GoalTrends:
    goal: GoalInfo
    outcome: CountryGoal | None
    lines: list[TrendLine] = field(default_factory=list)


@dataclass
class CountryTrends:
    country: Country
    info: CountryInfo | None  # None: not taking part in the round
    periods: list[ReportingPeriod]
    goals: list[GoalTrends]


def _decimal(value: Any) -> Decimal | None:
    if isinstance(value, bool):
        return Decimal(int(value))
    if isinstance(value, Decimal):
        return value
    return None


def country_trends(*, country: Country, overview: AllianceOverview) -> CountryTrends:
    """A country's trends (``_country_trends``), kept beside the round's figures under their version."""
    return cached(
        overview=overview,
        name=f"country:{country.code}",
        build=lambda: _country_trends(country=country, overview=overview),
    )


def _country_trends(*, country: Country, overview: AllianceOverview) -> CountryTrends:
    """A country's approved values in every period up to the round's evaluation period, per indicator with
    a trend chart, and where it stands in the round's distribution.

    Queries: periods (1) and the country's approved values (1), beside the overview's.
    """
    spreads = round_data(evaluation_round=overview.evaluation_round, part="spreads", keys=overview.cache_keys)
    end = overview.evaluation_round.evaluation_period.ends_on
    periods = list(ReportingPeriod.objects.filter(ends_on__lte=end).order_by("starts_on"))
    position = {period.pk: index for index, period in enumerate(periods)}
    values: dict[int, list[Any]] = {}
    rows = (
        IndicatorValue.objects.approved()
        .filter(country=country, period_id__in=list(position))
        .values_list("indicator_id", "period_id", "number_value", "boolean_value", "text_value")
    )
    types = {indicator.id: indicator.value_type for indicator in overview.indicators}
    for indicator_id, period_id, number, boolean, text in rows:
        kind = types.get(indicator_id)
        if kind is None:
            continue
        value = (
            boolean if kind == Indicator.ValueType.BOOLEAN else (text or None) if kind == "text" else number
        )
        values.setdefault(indicator_id, [None] * len(periods))[position[period_id]] = value
    info = next((item for item in overview.countries if item.id == country.pk), None)
    labels = [period.name for period in periods]
    goals = []
    for summary in overview.goals:
        goal = summary.goal
        trends = GoalTrends(goal=goal, outcome=summary.of(country.pk) if info else None)
        for indicator in (item for item in overview.indicators if item.goal_id == goal.id):
            if not indicator.is_active and indicator.id not in values:
                continue
            cells = values.get(indicator.id, [None] * len(periods))
            line = TrendLine(
                indicator=indicator,
                values=cells,
                rows=[
                    (label, format_value(indicator, cell)) for label, cell in zip(labels, cells, strict=True)
                ],
            )
            if indicator.value_type not in {"text", "boolean"}:
                line.chart = trend_chart(
                    title=f"{indicator.code} {indicator.name}",
                    labels=labels,
                    values=[_decimal(cell) for cell in cells],
                    unit=indicator.unit if indicator.value_type != "maturity" else _("level 0–4"),
                    axis=indicator.value_type,
                    direction=indicator.direction,
                )
            spread = spreads.get(indicator.id)
            if spread is not None:
                line.distribution = spread.of(country_id=info and info.id, direction=indicator.direction)
            if line.distribution is not None:
                line.distribution_chart = distribution_chart(
                    title=_("%(code)s in %(period)s: %(country)s among the alliance")
                    % {"code": indicator.code, "period": overview.evaluation.label, "country": country.name},
                    distribution=line.distribution,
                    country=country.name,
                    axis=indicator.value_type,
                )
            trends.lines.append(line)
        goals.append(trends)
    return CountryTrends(country=country, info=info, periods=periods, goals=goals)
