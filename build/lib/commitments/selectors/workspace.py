"""What the workspace's reads share: the reviewable kinds, who sees drafts, order, periods, trends."""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum

from django.db.models import QuerySet

from .. import access
from ..models import (
    CommitmentProgress,
    Country,
    Indicator,
    IndicatorValue,
    RecommendationFollowUp,
    ReportingPeriod,
    Reviewable,
    Revised,
    Status,
)

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
