"""Work queues: what each person's home page starts with (reads only).

Reviewers: what waits for their review, one line per country and period, oldest first, with how many
items and since when (and how many of them they may not judge themselves: four eyes). Staff: what was
returned to them, newest first, and what is due soon (open periods whose deadline comes within
``DUE_SOON_DAYS`` or has passed, per country, with what is still to be submitted). Long lists are paged
and filtered by country and period. Each function reads a fixed number of queries whatever the number of
countries, periods or items (the tests pin them).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.core.paginator import Page, Paginator
from django.db.models import Count, Min, Q
from django.utils import timezone

from .. import access
from ..models import (
    CommitmentProgress,
    Country,
    Indicator,
    IndicatorValue,
    RecommendationFollowUp,
    ReportingPeriod,
    Reviewable,
    Status,
)
from .threads import reply_counts

DUE_SOON_DAYS = 30
PER_PAGE = 15


@dataclass(frozen=True)
class QueueFilters:
    """The filters of a queue, as the home page's form sends them (unknown values are ignored)."""

    country: str = ""  # ISO code
    period: int | None = None

    @classmethod
    def from_query(cls, query, *, prefix: str) -> QueueFilters:
        code = (query.get(f"{prefix}country") or "").strip().upper()
        period = query.get(f"{prefix}period") or ""
        return cls(
            country=code if len(code) == 2 and code.isascii() and code.isalpha() else "",
            period=int(period) if period.isdigit() and len(period) < 10 else None,
        )

    @property
    def active(self) -> bool:
        return bool(self.country or self.period)


def _page(items: list, number: str | int | None, per_page: int = PER_PAGE) -> Page:
    """One page of ``items``; a page number out of range or not a number gives the nearest page."""
    return Paginator(items, per_page).get_page(number)


# The three kinds of reviewable row with the path to their country (and goal), as the queues read them.
SOURCES: list[tuple[str, type[Reviewable], str]] = [
    ("value", IndicatorValue, "country_id"),
    ("progress", CommitmentProgress, "commitment__country_id"),
    ("follow-up", RecommendationFollowUp, "recommendation__country_id"),
]


# --- reviewers: waiting for your review ---------------------------------------------------------------


@dataclass
class ReviewWork:
    """The items of one country and period waiting for review."""

    country: Country
    period: ReportingPeriod
    count: int
    oldest: dt.datetime | None  # the earliest submission still waiting
    own: int = 0  # items this reviewer changed or submitted: another reviewer must judge them

    def age_days(self, now: dt.datetime | None = None) -> int | None:
        if self.oldest is None:
            return None
        return max(0, ((now or timezone.now()) - self.oldest).days)

    @property
    def age(self) -> int | None:
        return self.age_days()


@dataclass
class ReviewQueue:
    page: Page  # of ReviewWork, oldest first
    total_items: int
    total_groups: int
    filters: QueueFilters
    countries: list[Country] = field(default_factory=list)  # those with something waiting (the filter)
    periods: list[ReportingPeriod] = field(default_factory=list)


def review_queue(*, user, filters: QueueFilters | None = None, page: str | int | None = 1) -> ReviewQueue:
    """What waits for the user's review, one line per country and period, the longest waiting first.

    For reviewers only (others get an empty queue). Five queries: the submitted items of each kind grouped
    by country and period (3), their countries (1) and periods (1).
    """
    filters = filters or QueueFilters()
    if not access.can_review(user):
        return ReviewQueue(page=_page([], 1), total_items=0, total_groups=0, filters=filters)
    grouped: dict[tuple[int, int], dict] = {}
    own = Q(edited_by_id=user.pk) | Q(submitted_by_id=user.pk)
    for _kind, model, country_key in SOURCES:
        rows = (
            model.objects.filter(status=Status.SUBMITTED)
            .values(country_key, "period_id")
            .annotate(n=Count("pk"), oldest=Min("submitted_at"), own=Count("pk", filter=own))
            .order_by()
        )
        for row in rows:
            entry = grouped.setdefault(
                (row[country_key], row["period_id"]), {"n": 0, "oldest": None, "own": 0}
            )
            entry["n"] += row["n"]
            entry["own"] += row["own"]
            if row["oldest"] and (entry["oldest"] is None or row["oldest"] < entry["oldest"]):
                entry["oldest"] = row["oldest"]
    countries = Country.objects.in_bulk({country_id for country_id, _ in grouped})
    periods = ReportingPeriod.objects.in_bulk({period_id for _, period_id in grouped})
    work = [
        ReviewWork(
            country=countries[country_id],
            period=periods[period_id],
            count=entry["n"],
            oldest=entry["oldest"],
            own=entry["own"],
        )
        for (country_id, period_id), entry in grouped.items()
    ]
    far_future = dt.datetime.max.replace(tzinfo=dt.UTC)
    work.sort(key=lambda w: (w.oldest or far_future, w.period.starts_on, w.country.sort_key))
    shown = [
        w
        for w in work
        if (not filters.country or w.country.code == filters.country)
        and (filters.period is None or w.period.pk == filters.period)
    ]
    return ReviewQueue(
        page=_page(shown, page),
        total_items=sum(w.count for w in work),
        total_groups=len(work),
        filters=filters,
        countries=sorted({w.country.pk: w.country for w in work}.values(), key=lambda c: c.sort_key),
        periods=sorted({w.period.pk: w.period for w in work}.values(), key=lambda p: p.starts_on),
    )


# --- staff: returned to you, due soon ----------------------------------------------------------------


@dataclass
class ReturnedItem:
    """An item a reviewer returned, as the staff's queue lists it."""

    kind: str
    item: Reviewable
    country: Country
    title: str
    replies: int = 0  # messages in its thread since it was returned


@dataclass
class DueSoon:
    """A country's open period whose deadline is near (or passed), with what is still to be submitted."""

    country: Country
    period: ReportingPeriod
    days_left: int
    expected: int  # indicator values asked for
    submitted: int  # values submitted or approved
    drafts: int  # items still drafts
    returned: int  # items returned

    @property
    def missing(self) -> int:
        return max(0, self.expected - self.submitted)

    @property
    def overdue(self) -> bool:
        return self.days_left < 0

    @property
    def days_overdue(self) -> int:
        return max(0, -self.days_left)


@dataclass
class StaffQueue:
    returned: Page  # of ReturnedItem, newest first
    returned_total: int
    due_soon: list[DueSoon]
    filters: QueueFilters
    countries: list[Country] = field(default_factory=list)  # the user's countries (the filter)
    periods: list[ReportingPeriod] = field(default_factory=list)  # open periods (the filter)


def _country_of(item: Reviewable) -> Country:
    if isinstance(item, IndicatorValue):
        return item.country
    if isinstance(item, CommitmentProgress):
        return item.commitment.country
    return item.recommendation.country


def _title(kind: str, item: Reviewable) -> str:
    from django.utils.translation import gettext as _

    if kind == "value":
        return f"{item.indicator.code} {item.indicator.name}"
    if kind == "progress":
        return item.commitment.title
    return _("Recommendation %(number)s") % {"number": item.recommendation.number}


def staff_queue(
    *,
    user,
    filters: QueueFilters | None = None,
    page: str | int | None = 1,
    today: dt.date | None = None,
    due_within: int = DUE_SOON_DAYS,
) -> StaffQueue:
    """What was returned to the user's countries (newest first, paged) and which deadlines come soon.

    For everyone who may edit countries (staff: theirs; reviewers: all). Queries: the user's countries (1),
    open periods (1), the returned items' keys (3), the page's items (at most 3), the replies on them (1),
    the active indicators (1), the due-soon counts (1): eleven at most, whatever the numbers.
    """
    filters = filters or QueueFilters()
    today = today or timezone.localdate()
    countries = {c.pk: c for c in access.editable_countries(user, Country.objects.all())}
    open_periods = list(ReportingPeriod.objects.filter(is_open=True).order_by("deadline"))
    empty = StaffQueue(returned=_page([], 1), returned_total=0, due_soon=[], filters=filters)
    if not countries:
        return empty
    country_ids = [
        pk for pk, country in countries.items() if not filters.country or country.code == filters.country
    ]
    period_ids = [p.pk for p in open_periods if filters.period is None or p.pk == filters.period]

    # Returned: first the keys of every returned item (cheap), then the objects of the page shown only.
    keys: list[tuple[dt.datetime, str, int]] = []
    for kind, model, country_key in SOURCES:
        keys += [
            (updated_at, kind, pk)
            for pk, updated_at in model.objects.filter(
                status=Status.RETURNED, **{f"{country_key}__in": country_ids, "period_id__in": period_ids}
            ).values_list("pk", "updated_at")
        ]
    keys.sort(reverse=True)
    shown = _page(keys, page)
    wanted: dict[str, list[int]] = {}
    for _at, kind, pk in shown.object_list:
        wanted.setdefault(kind, []).append(pk)
    related = {
        "value": ["indicator", "period", "country"],
        "progress": ["commitment__country", "period"],
        "follow-up": ["recommendation__country", "period"],
    }
    loaded: dict[tuple[str, int], Reviewable] = {}
    for kind, model, _country_key in SOURCES:
        if wanted.get(kind):
            for item in model.objects.filter(pk__in=wanted[kind]).select_related(*related[kind]):
                loaded[(kind, item.pk)] = item
    counts = reply_counts(items=list(loaded.items()))
    shown.object_list = [
        ReturnedItem(
            kind=kind,
            item=loaded[(kind, pk)],
            country=_country_of(loaded[(kind, pk)]),
            title=_title(kind, loaded[(kind, pk)]),
            replies=counts.get((kind, pk), 0),
        )
        for _at, kind, pk in shown.object_list
        if (kind, pk) in loaded
    ]

    # Due soon: open periods whose deadline is within ``due_within`` days (or has passed).
    near = [p for p in open_periods if (p.deadline - today).days <= due_within and p.pk in period_ids]
    due: list[DueSoon] = []
    if near:
        expected = Indicator.objects.filter(is_active=True).count()
        counts_by: dict[tuple[int, int], dict[str, int]] = {}
        has_figure = Q(number_value__isnull=False) | Q(boolean_value__isnull=False) | ~Q(text_value="")
        for row in (
            IndicatorValue.objects.filter(
                country_id__in=country_ids, period_id__in=[p.pk for p in near], indicator__is_active=True
            )
            .values("country_id", "period_id")
            .annotate(
                submitted=Count("pk", filter=Q(status__in=[Status.SUBMITTED, Status.APPROVED]) & has_figure),
                drafts=Count("pk", filter=Q(status=Status.DRAFT)),
                returned=Count("pk", filter=Q(status=Status.RETURNED)),
            )
            .order_by()
        ):
            counts_by[(row["country_id"], row["period_id"])] = row
        for period in near:
            for country_id in country_ids:
                row = counts_by.get((country_id, period.pk), {})
                line = DueSoon(
                    country=countries[country_id],
                    period=period,
                    days_left=(period.deadline - today).days,
                    expected=expected,
                    submitted=row.get("submitted", 0),
                    drafts=row.get("drafts", 0),
                    returned=row.get("returned", 0),
                )
                if line.missing or line.drafts or line.returned:
                    due.append(line)
        due.sort(key=lambda d: (d.period.deadline, -d.missing, d.country.sort_key))
    return StaffQueue(
        returned=shown,
        returned_total=len(keys),
        due_soon=due,
        filters=filters,
        countries=sorted(countries.values(), key=lambda c: c.sort_key),
        periods=open_periods,
    )
