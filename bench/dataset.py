"""Build the benchmark dataset: the demo data, scaled up by a factor in countries and periods.

Scale 1 is exactly ``seed_demo``. Scale N adds (N-1) x 55 synthetic countries (codes not used by real
members, named "Synthetic benchmark country ...") and (N-1) x 2 later reporting periods, and fills every
(country, indicator, period) with an approved synthetic value, plus commitments and progress, so each
cost can be compared as the data grows from 1x to 10x. Synthetic rows carry ``is_demo=True``.

Values grow with countries x periods, so about N squared (10x: some 116 times the values of 1x); a
country's own rows grow with the periods (N); the countries of a period with N. Every scale ends with
VACUUM ANALYZE: the planner needs statistics of the bulk-loaded tables (a running database gets them
from autovacuum within a minute; without them the 10x page of 100 values took 0.5 s instead of 1 ms).

Used by bench/run.py; never by the application or the tests.
"""

from __future__ import annotations

import datetime as dt
import itertools
import random
import string
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

DEMO_PASSWORD = "bench-demo-password-2014"


def build(*, scale: int) -> dict[str, int]:
    """Load seed_demo, then scale it up by ``scale`` in countries and periods; returns the row counts."""
    from commitments.seeding import seed_demo

    seed_demo(password=DEMO_PASSWORD)
    if scale > 1:
        _scale_up(scale=scale)
        _outbox()
    _analyze()
    return _counts()


def _outbox() -> None:
    """A change in the change feed's outbox for every item the scale-up added with bulk_create (which
    sends no signals), as a database that grew through the services would hold: the data version and
    the feed are then measured on an outbox as large as the data."""
    from django.db import connection

    from commitments.models import Commitment, Country, IndicatorValue, ReportingPeriod
    from sync.models import Change

    known = set(Change.objects.values_list("resource", "key"))
    sources = [
        ("country", Country.objects.values_list("code", "pk")),
        ("period", ReportingPeriod.objects.values_list("pk", "pk")),
        ("value", IndicatorValue.objects.values_list("pk", "country_id")),
        ("commitment", Commitment.objects.values_list("pk", "country_id")),
    ]
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_current_xact_id()::text::bigint")
        txid = cursor.fetchone()[0]
    rows = [
        Change(txid=txid, resource=resource, key=str(key), country_id=None if resource == "period" else owner)
        for resource, items in sources
        for key, owner in items.iterator(chunk_size=10000)
        if (resource, str(key)) not in known
    ]
    Change.objects.bulk_create(rows, batch_size=10000)


def _analyze() -> None:
    """Statistics for the planner and an up-to-date visibility map, as autovacuum would leave them."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")


def _scale_up(*, scale: int) -> None:
    """Add (scale-1) x 55 countries and (scale-1) x 2 periods, every value filled and approved."""
    from commitments.models import (
        Commitment,
        CommitmentProgress,
        Country,
        Goal,
        Indicator,
        IndicatorValue,
        ReportingPeriod,
        Status,
    )

    now = timezone.now()
    with transaction.atomic():
        used = set(Country.objects.values_list("code", flat=True))
        free = (a + b for a, b in itertools.product(string.ascii_uppercase, repeat=2) if a + b not in used)
        extra_countries = [
            Country(
                code=code,
                name_en=f"Synthetic benchmark country {code}",
                name_nl=f"Synthetisch benchmarkland {code}",
                region="Europe",
                membership=Country.Membership.FOUNDING,
                joined_on=dt.date(2012, 12, 5),
                membership_note="Synthetic benchmark country (bench/dataset.py), not a real member.",
            )
            for code in itertools.islice(free, 55 * (scale - 1))
        ]
        Country.objects.bulk_create(extra_countries)
        last = ReportingPeriod.objects.order_by("-starts_on").first()
        extra_periods = []
        start = last.ends_on + dt.timedelta(days=1)
        for number in range(2 * (scale - 1)):
            end = dt.date(start.year, 12, 31) if start.month < 7 else dt.date(start.year + 1, 6, 30)
            extra_periods.append(
                ReportingPeriod(
                    label=f"Synthetic period {number + 1} ({start.isoformat()})",
                    starts_on=start,
                    ends_on=end,
                    deadline=end + dt.timedelta(days=31),
                    is_open=True,
                )
            )
            start = end + dt.timedelta(days=1)
        ReportingPeriod.objects.bulk_create(extra_periods)
        countries = list(Country.objects.participating_on(dt.date(2013, 12, 31)))
        periods = list(ReportingPeriod.objects.all())
        indicators = list(Indicator.objects.filter(is_active=True))
        goals = list(Goal.objects.all())
        existing = set(IndicatorValue.objects.values_list("country_id", "indicator_id", "period_id"))
        rng = random.Random(f"bench-{scale}")
        batch: list[IndicatorValue] = []
        for country, indicator, period in itertools.product(countries, indicators, periods):
            if (country.pk, indicator.pk, period.pk) in existing:
                continue
            value = IndicatorValue(
                country=country,
                indicator=indicator,
                period=period,
                status=Status.APPROVED,
                approved_at=now,
                submitted_at=now,
                note="Synthetic benchmark value.",
                is_demo=True,
            )
            if indicator.value_type == Indicator.ValueType.BOOLEAN:
                value.boolean_value = rng.random() < 0.6
            elif indicator.value_type == Indicator.ValueType.TEXT:
                value.text_value = "Synthetic benchmark text."
            elif indicator.value_type == Indicator.ValueType.MATURITY:
                value.number_value = Decimal(rng.randint(0, 4))
            elif indicator.value_type == Indicator.ValueType.PERCENTAGE:
                value.number_value = Decimal(rng.randint(0, 100))
            else:
                value.number_value = Decimal(rng.randint(0, 500))
            batch.append(value)
            if len(batch) >= 5000:
                IndicatorValue.objects.bulk_create(batch)
                batch = []
        IndicatorValue.objects.bulk_create(batch)
        commitments = [
            Commitment(
                country=country,
                goal=goal,
                title=f"[Demo] Synthetic benchmark action ({goal.code})",
                committed_on=dt.date(2013, 4, 15),
                is_demo=True,
                # Reviewed texts: approved, so that readers of the benchmark see them.
                status=Status.APPROVED,
                approved_at=now,
                submitted_at=now,
            )
            for country in extra_countries
            for goal in goals
        ]
        Commitment.objects.bulk_create(commitments)
        progress = [
            CommitmentProgress(
                commitment=commitment,
                period=period,
                completion="limited",
                status=Status.APPROVED,
                approved_at=now,
                submitted_at=now,
                narrative="Synthetic benchmark narrative.",
                is_demo=True,
            )
            for commitment in Commitment.objects.filter(country__in=extra_countries)
            for period in periods
        ]
        CommitmentProgress.objects.bulk_create(progress, batch_size=5000)


def _counts() -> dict[str, int]:
    from commitments.models import Commitment, CommitmentProgress, Country, IndicatorValue, ReportingPeriod
    from sync.models import Change

    return {
        "changes": Change.objects.count(),
        "countries": Country.objects.count(),
        "periods": ReportingPeriod.objects.count(),
        "values": IndicatorValue.objects.count(),
        "commitments": Commitment.objects.count(),
        "progress": CommitmentProgress.objects.count(),
    }
