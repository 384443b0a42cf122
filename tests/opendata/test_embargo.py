"""The embargo around the release moment: withheld and unreleased numbers never appear, the files hold
exactly the released values, a withholding takes an item off at once, the catalogue lists released rounds
only. The probe of every public answer against the released set is tests/opendata/test_probe.py."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import pytest
import time_machine
from django.urls import reverse
from openpyxl import load_workbook

from commitments.models import (
    Finding,
    Goal,
    IndicatorValue,
)
from reporting.models import Report
from tests.opendata.test_probe import expected_items, number_forms, text_of
from tests.opendata.world import PUBLIC_NUMBERS, RELEASE, SECRET_NUMBERS

ONE_SECOND = dt.timedelta(seconds=1)
BEFORE, AT, AFTER = RELEASE - ONE_SECOND, RELEASE, RELEASE + dt.timedelta(days=1)


def routes(world) -> list[str]:
    """Every public route and download, for both rounds where a route names one."""
    urls = [reverse("public:catalogue"), reverse("sitemap"), reverse("robots")]
    goals = list(Goal.objects.order_by("order").values_list("code", flat=True))
    for language in ("en", "nl"):
        urls.append(reverse("public:overview", args=[language]))
        urls += [reverse("public:goal", args=[language, code]) for code in goals]
        urls += [reverse("public:country", args=[language, code]) for code in ("NL", "BE", "DE")]
        for evaluation_round in (world.released, world.unreleased):
            urls.append(reverse("public:overview", args=[language]) + f"?round={evaluation_round.pk}")
            urls.append(reverse("public:country", args=[language, "NL"]) + f"?round={evaluation_round.pk}")
    for evaluation_round in (world.released, world.unreleased):
        for kind in ("csv", "xlsx"):
            urls.append(reverse("public:round_data", args=[evaluation_round.pk, kind]))
            urls += [
                reverse("public:country_data", args=[evaluation_round.pk, code, kind])
                for code in ("NL", "BE")
            ]
            urls += [reverse("public:goal_data", args=[evaluation_round.pk, code, kind]) for code in goals]
    urls += [reverse("public:report", args=[pk]) for pk in Report.objects.values_list("pk", flat=True)]
    return urls


@pytest.mark.django_db
def test_withheld_and_unreleased_numbers_never_appear(client, world):
    for moment in (BEFORE, AT, AFTER):
        with time_machine.travel(moment, tick=False):
            for url in routes(world):
                text = text_of(client.get(url))
                for number in SECRET_NUMBERS:
                    assert not any(form in text for form in number_forms(number)), (url, number, moment)
                if moment < RELEASE:
                    for number in PUBLIC_NUMBERS:
                        assert not any(form in text for form in number_forms(number)), (url, number, moment)


@pytest.mark.django_db
def test_the_round_file_holds_exactly_the_released_values(client, world):
    with time_machine.travel(AT, tick=False):
        expected = set(
            IndicatorValue.objects.filter(
                pk__in=expected_items(AT)["value"],
                period_id__in=[world.released.baseline_period_id, world.released.evaluation_period_id],
            ).values_list("country__code", "indicator__code", "period__label")
        )
        body = client.get(reverse("public:round_data", args=[world.released.pk, "csv"])).content.decode(
            "utf-8-sig"
        )
        rows = list(csv.DictReader(io.StringIO(body)))
        assert {(row["country"], row["indicator"], row["period"]) for row in rows} == expected
        book = load_workbook(
            io.BytesIO(client.get(reverse("public:round_data", args=[world.released.pk, "xlsx"])).content)
        )
        sheet = list(book["values"].iter_rows(values_only=True))
        assert {(row[1], row[4], row[8]) for row in sheet[1:]} == expected
        assert "CC BY 4.0" in str([row for row in book["licence"].iter_rows(values_only=True)])


@pytest.mark.django_db
def test_a_withholding_approved_after_the_release_takes_the_item_off_every_answer(
    client, world, staff_nl, reviewer
):
    from opendata import services

    finding = Finding.objects.get(text="PUBLIC-finding on the Netherlands")
    url = reverse("public:country", args=["en", "NL"])
    with time_machine.travel(AFTER, tick=False):
        assert finding.text in client.get(url).content.decode()
        proposal = services.withholding_propose(
            kind="finding", item_id=finding.pk, reason="Court", user=staff_nl
        )
        assert finding.text in client.get(url).content.decode()  # proposed only: still public
        services.withholding_decide(withholding=proposal, approve=True, user=reviewer)
        assert finding.text not in client.get(url).content.decode()


@pytest.mark.django_db
def test_the_catalogue_lists_only_released_rounds(client, world):
    with time_machine.travel(BEFORE, tick=False):
        assert json.loads(client.get(reverse("public:catalogue")).content)["dcat:dataset"] == []
    with time_machine.travel(AT, tick=False):
        datasets = json.loads(client.get(reverse("public:catalogue")).content)["dcat:dataset"]
    assert datasets and all(world.released.label in dataset["dct:title"][0]["@value"] for dataset in datasets)
