"""The embargo on every public route and download, with the clock moved around the release moment.

For each moment (a day after the release, one second before it, at it) every public answer is fetched,
without clearing the server's cache between moments, and a probe compares what each answer contains with
``opendata.released.items()`` at that moment: nothing outside the released set, and after the release
everything in it somewhere. The round not yet released, drafts, unapproved and withheld items are never
found at any moment.
"""

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
    Commitment,
    Finding,
    Goal,
    GovernmentResponse,
    IndicatorValue,
    Recommendation,
)
from cycle.models import Decision
from focal.models import Reply
from opendata import released
from reporting.models import Report
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


def text_of(response) -> str:
    """What an answer says as text: pages, CSV and JSON as they are, a workbook's cells, a PDF's bytes."""
    if response.status_code != 200:
        return ""
    content = b"".join(response.streaming_content) if response.streaming else response.content
    if response["Content-Type"].startswith("application/vnd.openxmlformats"):
        book = load_workbook(io.BytesIO(content), read_only=True)
        return "\n".join(
            "\t".join("" if cell is None else str(cell) for cell in row)
            for sheet in book.worksheets
            for row in sheet.iter_rows(values_only=True)
        )
    return content.decode("utf-8", errors="replace")


def markers() -> dict[tuple[str, int], str]:
    """Each item of every kind (released or not) and the words that give it away in an answer."""
    found = {}
    found.update({("commitment", pk): t for pk, t in Commitment.objects.values_list("pk", "title")})
    found.update({("finding", pk): t for pk, t in Finding.objects.values_list("pk", "text")})
    found.update({("recommendation", pk): t for pk, t in Recommendation.objects.values_list("pk", "text")})
    found.update({("response", pk): t for pk, t in GovernmentResponse.objects.values_list("pk", "summary")})
    found.update({("reply", pk): t for pk, t in Reply.objects.values_list("pk", "text")})
    found.update({("decision", pk): t for pk, t in Decision.objects.values_list("pk", "title")})
    found.update(
        {
            ("report", pk): reverse("public:report", args=[pk])
            for pk in Report.objects.values_list("pk", flat=True)
        }
    )
    return found


def number_forms(number: int) -> list[str]:
    return [str(number), f"{number:,}", f"{number:,}".replace(",", ".")]


def value_ids_in(text: str) -> set[int]:
    """The indicator values an answer shows, by their numbers (each distinct in the test world)."""
    return {
        pk
        for pk, number in IndicatorValue.objects.filter(number_value__isnull=False).values_list(
            "pk", "number_value"
        )
        if any(form in text for form in number_forms(int(number)))
    }


def probe(client, world, moment) -> tuple[dict[str, set[int]], dict[str, set[int]], dict[str, int]]:
    """Fetch every route at ``moment``; return (what the answers show, what is released, status by URL)."""
    with time_machine.travel(moment, tick=False):
        expected = released.items()
        shown: dict[str, set[int]] = {kind: set() for kind in expected}
        statuses = {}
        marks = markers()
        for url in routes(world):
            response = client.get(url)
            statuses[url] = response.status_code
            assert response.status_code in {200, 404}, url
            text = text_of(response)
            assert "SECRET-" not in text, (url, moment)
            assert world.unreleased.label not in text, (url, moment)
            assert "2015 later" not in text and "2016 later" not in text, (url, moment)
            for (kind, pk), words in marks.items():
                if words in text:
                    shown[kind].add(pk)
            shown["value"] |= value_ids_in(text)
    return shown, expected, statuses


PROBED = ("value", "commitment", "finding", "recommendation", "response", "reply", "decision", "report")


@pytest.mark.django_db
def test_every_public_answer_shows_the_released_items_and_nothing_else_around_the_release(client, world):
    # After first, then back to a second before and to the moment itself: the cache never carries a page
    # across the release.
    for moment in (AFTER, BEFORE, AT, AFTER):
        shown, expected, statuses = probe(client, world, moment)
        for kind in PROBED:
            assert shown[kind] <= expected[kind], (moment, kind, shown[kind] - expected[kind])
        if moment < RELEASE:
            assert all(not shown[kind] for kind in PROBED), moment
            assert all(not expected[kind] for kind in expected), moment
            data_urls = [
                url for url, status in statuses.items() if "/public/data/" in url or "/reports/" in url
            ]
            assert data_urls and all(statuses[url] == 404 for url in data_urls)
        else:
            for kind in PROBED:
                assert shown[kind] == expected[kind], (moment, kind, expected[kind] - shown[kind])
            assert expected["value"] and expected["report"]
        for url, status in statuses.items():
            if f"round={world.unreleased.pk}" in url or f"round-{world.unreleased.pk}" in url:
                assert status == 404, (url, moment)


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
            released.values()
            .filter(period_id__in=[world.released.baseline_period_id, world.released.evaluation_period_id])
            .values_list("country__code", "indicator__code", "period__label")
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
