"""The data-entry grid: one compact row per indicator (previous value, value, note, status).

Reads only (selectors for the grid pages). A grid is either one country's indicators for a period, or
one goal's indicators for every country the user may edit (the secretariat's view across countries).
Both cost the same few queries however many rows they hold: the periods, the indicators, the values of
this and the previous period (and, for the goal grid, the countries the caller passes in).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q

from .models import Country, Goal, Indicator, IndicatorValue, ReportingPeriod, Status
from .selectors import period_before, periods_in_order


@dataclass
class GridRow:
    """One country's indicator in the grid: the value of this period and of the period before."""

    country: Country
    indicator: Indicator
    value: IndicatorValue | None
    previous: IndicatorValue | None
    form: Any = None  # the row's IndicatorValueForm, set by the view
    conflict: dict[str, Any] | None = None

    @property
    def key(self) -> str:
        """The row's form prefix: country and indicator codes (unique in a grid)."""
        return f"{self.country.code}-{self.indicator.code}"

    @property
    def is_editable(self) -> bool:
        return self.value is None or self.value.is_editable

    @property
    def can_submit(self) -> bool:
        return self.value is not None and self.value.is_editable and self.value.has_value


@dataclass
class GridSection:
    """A heading of the grid (a goal in a country's grid, a country in a goal's grid) and its rows."""

    title: str
    anchor: str
    rows: list[GridRow] = field(default_factory=list)


@dataclass
class Grid:
    period: ReportingPeriod
    previous_period: ReportingPeriod | None
    sections: list[GridSection]
    periods: list[ReportingPeriod]

    @property
    def rows(self) -> list[GridRow]:
        return [row for section in self.sections for row in section.rows]

    @property
    def submittable(self) -> list[GridRow]:
        return [row for row in self.rows if row.can_submit]


def _values(
    *, countries: list[Country], period: ReportingPeriod, previous: ReportingPeriod | None, goal: Goal | None
) -> dict[tuple[int, int, int], IndicatorValue]:
    wanted = [period.pk] + ([previous.pk] if previous else [])
    query = IndicatorValue.objects.filter(country__in=[c.pk for c in countries], period_id__in=wanted)
    if goal is not None:
        query = query.filter(indicator__goal=goal)
    query = query.select_related("updated_by")
    return {(v.country_id, v.indicator_id, v.period_id): v for v in query}


def grid_for_country(*, country: Country, period: ReportingPeriod) -> Grid:
    """Every active indicator of ``country`` for ``period``, grouped by goal (3 queries)."""
    periods = periods_in_order()
    previous = period_before(period=period, periods=periods)
    values = _values(countries=[country], period=period, previous=previous, goal=None)
    sections: dict[int, GridSection] = {}
    indicators = Indicator.objects.filter(is_active=True).select_related("goal")
    for indicator in indicators.order_by("goal__order", "order", "code"):
        section = sections.setdefault(
            indicator.goal_id, GridSection(title=indicator.goal.title, anchor=f"goal-{indicator.goal.code}")
        )
        section.rows.append(_row(country, indicator, values, period, previous))
    return Grid(period=period, previous_period=previous, sections=list(sections.values()), periods=periods)


def grid_for_goal(*, goal: Goal, countries: list[Country], period: ReportingPeriod) -> Grid:
    """The goal's active indicators for each of ``countries`` (those the user may edit), by country
    (3 queries, however many countries)."""
    periods = periods_in_order()
    previous = period_before(period=period, periods=periods)
    values = _values(countries=countries, period=period, previous=previous, goal=goal)
    indicators = list(goal.indicators.filter(is_active=True).order_by("order", "code"))
    sections = []
    for country in countries:
        section = GridSection(title=country.name, anchor=f"country-{country.code}")
        for indicator in indicators:
            indicator.goal = goal
            section.rows.append(_row(country, indicator, values, period, previous))
        sections.append(section)
    return Grid(period=period, previous_period=previous, sections=sections, periods=periods)


def _row(country, indicator, values, period, previous) -> GridRow:
    value = values.get((country.pk, indicator.pk, period.pk))
    before = values.get((country.pk, indicator.pk, previous.pk)) if previous else None
    for item in (value, before):
        if item is not None:
            item.indicator, item.country = indicator, country
    return GridRow(country=country, indicator=indicator, value=value, previous=before)


def entry_period(*, country: Country) -> ReportingPeriod | None:
    """The period "Enter data" opens: an open period with something left to do, the latest first.

    A closed period, or an open one whose every value is already approved (a locked baseline), is not
    offered first; when no open period has work left, the latest open one; None when none is open.
    """
    open_periods = list(ReportingPeriod.objects.filter(is_open=True).order_by("-starts_on"))
    if not open_periods:
        return None
    active = Indicator.objects.filter(is_active=True).count()
    approved = dict.fromkeys((p.pk for p in open_periods), 0)
    for period_id in IndicatorValue.objects.filter(
        country=country, period__in=open_periods, status=Status.APPROVED, indicator__is_active=True
    ).values_list("period_id", flat=True):
        approved[period_id] += 1
    for period in open_periods:
        if approved[period.pk] < active:
            return period
    return open_periods[0]


def submittable_values(*, user, keys: list[str]) -> tuple[list[IndicatorValue], int]:
    """The values named by ``keys`` ("value-<pk>:<version>") that the user may submit now, each at the
    version the user saw; and how many keys named nothing submittable (locked, empty, not theirs)."""
    from . import access

    seen: dict[int, int] = {}
    for key in keys:
        name, _sep, version = key.rpartition(":")
        kind, _sep, pk = name.partition("-")
        if kind == "value" and pk.isdigit() and version.isdigit():
            seen[int(pk)] = int(version)
    items = list(
        IndicatorValue.objects.filter(pk__in=list(seen))
        .filter(Q(status=Status.DRAFT) | Q(status=Status.RETURNED))
        .select_related("country", "indicator__goal", "period")
        .order_by("country__code", "indicator__goal__order", "indicator__order", "indicator__code")
    )
    chosen = []
    for item in items:
        if access.can_edit_country(user, item.country) and item.has_value:
            item.version = seen[item.pk]
            chosen.append(item)
    return chosen, len(seen) - len(chosen)
