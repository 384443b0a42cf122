"""The home page: deadlines, work waiting for the user, and reviewed texts waiting for someone."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count
from django.utils import timezone

from .. import access
from ..models import (
    Commitment,
    CommitmentProgress,
    Country,
    GovernmentResponse,
    IndicatorValue,
    Recommendation,
    RecommendationFollowUp,
    ReportingPeriod,
    Reviewable,
    Revised,
    Status,
)


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
