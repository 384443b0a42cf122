"""What to tell whom: returned items to staff, digests to reviewers, reminders before deadlines.

Each function decides the recipients (people with an email address who did not opt out) and renders
their messages in their language; ``emails`` sends them after the commit. Reminders and digests run from
Celery beat (tasks.py) and are safe to run twice: each is logged under a key (NotificationLog) in the
same transaction that decides to send it, so a second run finds the key and sends nothing.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import defaultdict
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from commitments.access import Role
from commitments.models import (
    CountryAssignment,
    Indicator,
    IndicatorValue,
    ReportingPeriod,
    Status,
)

from . import emails
from .models import NotificationLog, NotificationPreference

# --- preferences ---------------------------------------------------------------------------------------


def preference_for(*, user) -> NotificationPreference:
    """The person's preferences (everything on until they say otherwise)."""
    preference, _created = NotificationPreference.objects.get_or_create(user=user)
    return preference


def preference_update(*, user, **choices: Any) -> NotificationPreference:
    """Save a person's choices (the preferences page)."""
    allowed = {"language", *emails.KINDS}
    unknown = set(choices) - allowed
    if unknown:
        raise TypeError(f"Unknown preferences {sorted(unknown)}")
    with transaction.atomic():
        preference = preference_for(user=user)
        for name, value in choices.items():
            setattr(preference, name, value)
        preference.full_clean()
        preference._history_user = user
        preference._change_reason = "preferences"
        preference.save()
    return preference


def unsubscribe(*, user_id: int, kind: str) -> NotificationPreference | None:
    """Turn one kind of email off (or all of them) for the person a signed link names."""
    user = get_user_model().objects.filter(pk=user_id).first()
    if user is None:
        return None
    kinds = emails.KINDS if kind == "all" else (kind,)
    with transaction.atomic():
        preference = preference_for(user=user)
        for name in kinds:
            setattr(preference, name, False)
        preference._history_user = user
        preference._change_reason = f"unsubscribed: {kind}"
        preference.save()
    return preference


def remember_language(*, user, language: str) -> None:
    """The language the person used last: their emails' language unless they chose one."""
    language = (language or "")[:2]
    if language not in {"en", "nl"}:
        return
    updated = (
        NotificationPreference.objects.filter(user=user)
        .exclude(last_language=language)
        .update(last_language=language)
    )
    if not updated and not NotificationPreference.objects.filter(user=user).exists():
        try:
            with transaction.atomic():
                NotificationPreference.objects.create(user=user, last_language=language)
        except IntegrityError:
            pass  # created meanwhile by another request: the next sign-in records the language


def _recipients(users, kind: str) -> list[tuple[Any, NotificationPreference]]:
    """The people of ``users`` with an email address who want ``kind``, with their preferences."""
    users = [user for user in users if user.is_active and user.email]
    preferences = {p.user_id: p for p in NotificationPreference.objects.filter(user__in=users)}
    chosen = []
    for user in users:
        preference = preferences.get(user.pk) or NotificationPreference(user=user)
        if getattr(preference, kind):
            chosen.append((user, preference))
    return chosen


def _staff_of(country_ids: set[int]) -> dict[int, list]:
    """The staff assigned to each country (by country id)."""
    people: dict[int, list] = defaultdict(list)
    for assignment in CountryAssignment.objects.filter(
        country_id__in=country_ids, user__groups__name=Role.STAFF
    ).select_related("user"):
        people[assignment.country_id].append(assignment.user)
    return people


def _reviewers():
    return list(
        get_user_model()
        .objects.filter(Q(groups__name__in=[Role.REVIEWER, Role.ADMINISTRATOR]) | Q(is_superuser=True))
        .distinct()
        .order_by("pk")
    )


def _claim(*, key: str, user, kind: str) -> bool:
    """Log a reminder or digest under ``key``; False if it was sent before (a second run of the task)."""
    try:
        with transaction.atomic():
            NotificationLog.objects.create(key=key[:200], user=user, kind=kind)
    except IntegrityError:
        return False
    return True


# --- returned items -------------------------------------------------------------------------------------

_pending = threading.local()


def item_returned(*, item) -> None:
    """Note that ``item`` was returned (or reopened) to its country's staff; they get one email per
    transaction listing everything returned in it, after the commit."""
    from commitments.services import country_of

    country = country_of(item)
    if country is None:
        return
    buffer = getattr(_pending, "items", None)
    registered = buffer is not None and any(
        callback is _flush_returned for _sids, callback, *_rest in connection.run_on_commit
    )
    if not registered:
        _pending.items = buffer = []
        if not connection.in_atomic_block:
            buffer.append((country, item))
            _flush_returned()
            return
        transaction.on_commit(_flush_returned)
    buffer.append((country, item))


def _flush_returned() -> None:
    items = getattr(_pending, "items", None) or []
    _pending.items = None
    if not items:
        return
    by_country: dict[int, list] = defaultdict(list)
    for country, item in items:
        by_country[country.pk].append((country, item))
    staff = _staff_of(set(by_country))
    per_person: dict[int, tuple[Any, list]] = {}
    for country_id, entries in by_country.items():
        for person in staff.get(country_id, []):
            per_person.setdefault(person.pk, (person, []))[1].extend(entries)
    messages = []
    for person, preference in _recipients(
        [person for person, _entries in per_person.values()], "returned_items"
    ):
        entries = per_person[person.pk][1]
        lines = [_returned_line(country, item) for country, item in entries]
        messages.append(
            emails.render(
                template="returned_items",
                user=person,
                kind="returned_items",
                language=preference.email_language,
                context={"lines": lines, "count": len(lines)},
            )
        )
    emails.send_after_commit(messages)


def _returned_line(country, item) -> dict[str, Any]:
    period = getattr(item, "period", None)
    if isinstance(item, IndicatorValue):
        what = f"{item.indicator.code} {item.indicator.name_en}"
        names = {"en": item.indicator.name_en, "nl": item.indicator.name_nl or item.indicator.name_en}
        url = (
            reverse("data_grid", args=[country.code, item.period_id])
            + f"#row-{country.code}-{item.indicator.code}"
        )
    else:
        what = str(item)
        names = {"en": what, "nl": what}
        url = reverse("country_detail", args=[country.code])
    return {
        "country": country,
        "what": what,
        "code": getattr(getattr(item, "indicator", None), "code", ""),
        "names": names,
        "period": period,
        "reason": item.review_reason,
        "url": emails.site_url(url),
    }


# --- digests and reminders (Celery beat) ------------------------------------------------------------------


def submission_digests(*, now: dt.datetime | None = None) -> int:
    """Tell each reviewer what was submitted since their last digest, by country and period: one email
    per reviewer, never one per item. Returns how many emails were sent."""
    now = now or timezone.now()
    reviewers = _recipients(_reviewers(), "submission_digest")
    if not reviewers:
        return 0
    oldest = min(
        (p.digest_sent_until for _u, p in reviewers if p.digest_sent_until),
        default=now - dt.timedelta(days=1),
    )
    submitted = list(
        IndicatorValue.objects.filter(status=Status.SUBMITTED, submitted_at__gt=oldest, submitted_at__lte=now)
        .select_related("country", "period")
        .order_by("submitted_at", "pk")
    )
    messages = []
    with transaction.atomic():
        for user, preference in reviewers:
            since = preference.digest_sent_until or now - dt.timedelta(days=1)
            groups: dict[tuple[int, int], dict[str, Any]] = {}
            for value in submitted:
                if value.submitted_at <= since or value.submitted_by_id == user.pk:
                    continue
                group = groups.setdefault(
                    (value.country_id, value.period_id),
                    {
                        "country": value.country,
                        "period": value.period,
                        "count": 0,
                        "url": emails.site_url(reverse("review", args=[value.country.code, value.period_id])),
                    },
                )
                group["count"] += 1
            if preference.pk is None:
                preference.save()
            NotificationPreference.objects.filter(pk=preference.pk).update(digest_sent_until=now)
            if groups:
                rows = sorted(groups.values(), key=lambda g: (g["country"].code, g["period"].label))
                messages.append(
                    emails.render(
                        template="submission_digest",
                        user=user,
                        kind="submission_digest",
                        language=preference.email_language,
                        context={"rows": rows, "total": sum(r["count"] for r in rows)},
                    )
                )
        emails.send_after_commit(messages)
    return len(messages)


def _open_items(*, period: ReportingPeriod, country_ids: set[int]) -> dict[int, int]:
    """Per country: how many active indicators have no submitted or approved value in ``period``."""
    active = Indicator.objects.filter(is_active=True).count()
    done: dict[int, int] = defaultdict(int)
    for country_id in IndicatorValue.objects.filter(
        period=period,
        country_id__in=country_ids,
        status__in=[Status.SUBMITTED, Status.APPROVED],
        indicator__is_active=True,
    ).values_list("country_id", flat=True):
        done[country_id] += 1
    return {
        country_id: active - done[country_id] for country_id in country_ids if active - done[country_id] > 0
    }


def reminder_days() -> list[int]:
    return sorted({int(day) for day in settings.NOTIFICATION_REMINDER_DAYS}, reverse=True)


def deadline_reminders(*, today: dt.date | None = None) -> int:
    """Remind staff, a set number of days before each open period's deadline, of what is still to do."""
    today = today or timezone.localdate()
    days = reminder_days()
    sent = 0
    for period in ReportingPeriod.objects.filter(is_open=True, deadline__gte=today).order_by("deadline"):
        left = (period.deadline - today).days
        if left not in days:
            continue
        assignments = list(
            CountryAssignment.objects.filter(user__groups__name=Role.STAFF).select_related("user", "country")
        )
        open_items = _open_items(period=period, country_ids={a.country_id for a in assignments})
        per_person: dict[int, tuple[Any, list]] = {}
        for assignment in assignments:
            if assignment.country_id in open_items:
                per_person.setdefault(assignment.user_id, (assignment.user, []))[1].append(
                    {
                        "country": assignment.country,
                        "open": open_items[assignment.country_id],
                        "url": emails.site_url(
                            reverse("data_grid", args=[assignment.country.code, period.pk])
                        ),
                    }
                )
        messages = []
        with transaction.atomic():
            for user, preference in _recipients(
                [u for u, _rows in per_person.values()], "deadline_reminders"
            ):
                if not _claim(
                    key=f"reminder:{period.pk}:{left}:{user.pk}", user=user, kind="deadline_reminders"
                ):
                    continue
                rows = sorted(per_person[user.pk][1], key=lambda row: row["country"].code)
                messages.append(
                    emails.render(
                        template="deadline_reminder",
                        user=user,
                        kind="deadline_reminders",
                        language=preference.email_language,
                        context={"period": period, "days": left, "rows": rows},
                    )
                )
            emails.send_after_commit(messages)
        sent += len(messages)
    return sent


def overdue_digests(*, today: dt.date | None = None) -> int:
    """Tell reviewers, once a day, which countries have not submitted everything of a period whose
    deadline has passed (open periods only)."""
    today = today or timezone.localdate()
    periods = list(ReportingPeriod.objects.filter(is_open=True, deadline__lt=today).order_by("deadline"))
    if not periods:
        return 0
    from commitments.models import Country

    countries = {c.pk: c for c in Country.objects.participating_on(today)}
    rows = []
    for period in periods:
        for country_id, count in sorted(
            _open_items(period=period, country_ids=set(countries)).items(),
            key=lambda kv: countries[kv[0]].code,
        ):
            rows.append(
                {
                    "period": period,
                    "country": countries[country_id],
                    "open": count,
                    "days": (today - period.deadline).days,
                }
            )
    if not rows:
        return 0
    messages = []
    with transaction.atomic():
        for user, preference in _recipients(_reviewers(), "overdue_digest"):
            if not _claim(key=f"overdue:{today.isoformat()}:{user.pk}", user=user, kind="overdue_digest"):
                continue
            messages.append(
                emails.render(
                    template="overdue_digest",
                    user=user,
                    kind="overdue_digest",
                    language=preference.email_language,
                    context={"rows": rows, "today": today},
                )
            )
        emails.send_after_commit(messages)
    return len(messages)


def check_kind(kind: str) -> None:
    if kind not in (*emails.KINDS, "all"):
        raise ValidationError("Unknown kind of email.")
