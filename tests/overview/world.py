"""The released round the ministers' view tests read: approved values made here, not the demo's.

Seven countries with designed figures for VI-2 (victims identified through ICSE) and VI-5, so that each
outcome, each ICSE verdict and the quartiles are known in advance; ``grow`` adds countries and periods
(every value approved) to check that the pages' queries stay the same as the data grows.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from commitments.models import (
    Commitment,
    CommitmentProgress,
    Country,
    EvaluationRound,
    Goal,
    Indicator,
    IndicatorValue,
    ReportingPeriod,
)

# VI-2 in the baseline and the evaluation period (None: nothing approved).
VICTIMS = {
    "NL": (100, 120),  # +20%: improved, ICSE target met
    "BE": (100, 90),  # -10%: worsened, not met
    "DE": (50, None),  # cannot be compared, cannot tell
    "FR": (200, 230),  # +15%: improved, met
    "IT": (80, 88),  # +10%: improved, met (at least 10%)
    "ES": (60, 60),  # stayed the same, not met
    "AT": (None, 70),  # cannot be compared, cannot tell
}


def approved(**fields) -> IndicatorValue:
    return IndicatorValue(status="approved", approved_at=timezone.now(), **fields)


def released_round() -> EvaluationRound:
    """The seeded 2012–2014 round, released yesterday, with the designed values, a pilot period before the
    baseline (so a country has three periods of trends) and a Dutch commitment complete in 2014."""
    evaluation_round = EvaluationRound.objects.select_related("baseline_period", "evaluation_period").get(
        label="2012–2014"
    )
    evaluation_round.released_at = timezone.now() - dt.timedelta(days=1)
    evaluation_round.save()
    baseline, evaluation = evaluation_round.baseline_period, evaluation_round.evaluation_period
    pilot = ReportingPeriod.objects.create(
        label="2012 pilot",
        label_nl="2012 proef",
        starts_on=dt.date(2012, 1, 1),
        ends_on=dt.date(2012, 12, 31),
        deadline=dt.date(2013, 3, 31),
    )
    victims = Indicator.objects.get(code="VI-2")
    rows = []
    countries = {c.code: c for c in Country.objects.filter(code__in=VICTIMS)}
    for code, (before, after) in VICTIMS.items():
        for period, number in ((baseline, before), (evaluation, after)):
            if number is not None:
                rows.append(
                    approved(country=countries[code], indicator=victims, period=period, number_value=number)
                )
    rows.append(approved(country=countries["NL"], indicator=victims, period=pilot, number_value=Decimal(90)))
    IndicatorValue.objects.bulk_create(rows)
    commitment = Commitment.objects.create(
        country=countries["NL"],
        goal=Goal.objects.get(code="VICTIM_ID"),
        title="Expand the victim-identification team",
        committed_on=dt.date(2013, 4, 15),
        status="approved",
        approved_at=timezone.now(),
    )
    CommitmentProgress.objects.create(
        commitment=commitment,
        period=evaluation,
        completion="complete",
        status="approved",
        approved_at=timezone.now(),
    )
    return evaluation_round


def grow(*, countries: int, periods: int) -> None:
    """More data of every kind the pages read: ``countries`` more participating countries with every
    numeric indicator approved in both periods of the round, and ``periods`` more periods before the
    baseline with the Netherlands' values in each."""
    evaluation_round = EvaluationRound.objects.select_related("baseline_period", "evaluation_period").get(
        label="2012–2014"
    )
    indicators = list(Indicator.objects.filter(value_type__in=["number", "percentage", "maturity"]))
    added = [
        Country.objects.create(
            code=f"Q{chr(ord('A') + index)}",
            name_en=f"Synthetic country {index}",
            name_nl=f"Synthetisch land {index}",
            region="Europe",
            membership="joined",
            joined_on=dt.date(2012, 12, 5),
        )
        for index in range(countries)
    ]
    rows = [
        approved(country=country, indicator=indicator, period=period, number_value=Decimal(index % 4))
        for index, country in enumerate(added)
        for indicator in indicators
        for period in (evaluation_round.baseline_period, evaluation_round.evaluation_period)
    ]
    nl = Country.objects.get(code="NL")
    for year in range(2011 - periods + 1, 2012):
        period = ReportingPeriod.objects.create(
            label=f"{year} extra",
            starts_on=dt.date(year, 1, 1),
            ends_on=dt.date(year, 12, 31),
            deadline=dt.date(year + 1, 3, 31),
        )
        rows += [
            approved(country=nl, indicator=indicator, period=period, number_value=Decimal(1))
            for indicator in indicators
        ]
    IndicatorValue.objects.bulk_create(rows)
