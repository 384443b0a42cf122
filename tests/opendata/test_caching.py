"""HTTP caching of the public site, the catalogue read by a JSON-LD library, and the pages' query counts."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pyld import jsonld

from commitments.models import IndicatorValue
from tests.opendata.world import RELEASE

AFTER = RELEASE + dt.timedelta(days=1)
DCAT = "http://www.w3.org/ns/dcat#"
DCT = "http://purl.org/dc/terms/"


def pages(world) -> list[str]:
    return [
        reverse("public:overview", args=["en"]),
        reverse("public:goal", args=["nl", "VICTIM_ID"]),
        reverse("public:country", args=["en", "NL"]),
        reverse("public:round_data", args=[world.released.pk, "csv"]),
        reverse("public:country_data", args=[world.released.pk, "NL", "xlsx"]),
        reverse("public:goal_data", args=[world.released.pk, "VICTIM_ID", "csv"]),
        reverse("public:catalogue"),
    ]


@pytest.mark.django_db
def test_public_answers_carry_validators_and_a_conditional_get_gets_304(client, world):
    with time_machine.travel(AFTER, tick=False):
        for url in pages(world):
            response = client.get(url)
            assert response.status_code == 200, url
            assert response["Cache-Control"] == "public, max-age=60"
            etag, modified = response["ETag"], response["Last-Modified"]
            assert client.get(url, headers={"If-None-Match": etag}).status_code == 304
            assert client.get(url, headers={"If-Modified-Since": modified}).status_code == 304
            assert client.get(url, headers={"If-None-Match": '"other"'}).status_code == 200


@pytest.mark.django_db
def test_the_etag_changes_when_released_data_change_and_at_the_release(client, world, reviewer, staff_nl):
    url = reverse("public:country", args=["en", "NL"])
    with time_machine.travel(RELEASE - dt.timedelta(seconds=1), tick=False):
        before = client.get(url)["ETag"]
    with time_machine.travel(RELEASE, tick=False):
        at = client.get(url)
        assert at["ETag"] != before
        assert client.get(url, headers={"If-None-Match": before}).status_code == 200
        assert client.get(url)["ETag"] == at["ETag"]  # nothing changed: the same
        value = IndicatorValue.objects.get(country__code="NL", period=world.released.evaluation_period)
        from opendata import services

        proposal = services.withholding_propose(kind="value", item_id=value.pk, reason="Court", user=staff_nl)
        services.withholding_decide(withholding=proposal, approve=True, user=reviewer)
        assert client.get(url, headers={"If-None-Match": at["ETag"]}).status_code == 200


@pytest.mark.django_db
def test_a_page_is_rebuilt_only_when_released_data_change(client, world):
    url = reverse("public:overview", args=["en"])
    with time_machine.travel(AFTER, tick=False):
        client.get(url)
        with CaptureQueriesContext(connection) as again:
            second = client.get(url)
    assert second.status_code == 200
    # Nothing: the stamp's data are kept under the data generation, the page under the stamp (Redis).
    assert len(again) == 0, [query["sql"][:120] for query in again.captured_queries]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "args", "expected"),
    [
        # stamp (3); round (1), released rounds for the menu (1), indicators (1), countries (1), values
        # (1), goals (1), commitments (1), progress (1), alliance findings (1), decisions (1), their
        # commitments (1), reports (1); their progress is not read when none of them is released (here)
        ("public:overview", ["en"], 15),
        # stamp (3); goal (1), round (1), menu (1), indicators (1), countries (1), values (1), findings (1)
        ("public:goal", ["en", "VICTIM_ID"], 10),
        # stamp (3); country (1), round (1), menu (1), goals (1), indicators (1), countries (1), values
        # (1), commitments (1), progress (1), findings (1), recommendations (1), responses (1), reply
        # (1), decisions (1), their commitments (1), reports (1); as above, no progress of none
        ("public:country", ["en", "NL"], 19),
    ],
)
def test_query_counts_of_the_main_pages_do_not_grow_with_the_data(
    client, world, django_assert_num_queries, name, args, expected
):
    from tests.overview.world import grow

    url = reverse(name, args=args)
    with time_machine.travel(AFTER, tick=False):
        with django_assert_num_queries(expected):
            assert client.get(url).status_code == 200
        grow(countries=5, periods=0)
        with django_assert_num_queries(expected):
            assert client.get(url, headers={"If-None-Match": '"x"'}).status_code == 200


@pytest.mark.django_db
def test_the_catalogue_is_dcat_as_a_json_ld_library_reads_it(client, world):
    with time_machine.travel(AFTER, tick=False):
        body = client.get(reverse("public:catalogue")).json()
    expanded = jsonld.expand(body)
    catalogue = next(node for node in expanded if f"{DCAT}Catalog" in node.get("@type", []))
    datasets = catalogue[f"{DCAT}dataset"]
    assert len(datasets) > 2
    for dataset in datasets:
        assert f"{DCAT}Dataset" in dataset["@type"]
        for distribution in dataset[f"{DCAT}distribution"]:
            assert distribution[f"{DCT}license"] == [{"@id": "https://creativecommons.org/licenses/by/4.0/"}]
            url = distribution[f"{DCAT}downloadURL"][0]["@id"]
            assert url.startswith("http://testserver/public/data/")
            with time_machine.travel(AFTER, tick=False):
                assert client.get(url.removeprefix("http://testserver")).status_code == 200
    # As RDF: every dataset a dcat:Dataset triple (pyld's own N-Quads, not our serialisation).
    quads = jsonld.to_rdf(body, {"format": "application/n-quads"})
    assert quads.count(f"<{DCAT}Dataset>") == len(datasets)


@pytest.mark.django_db
def test_the_generation_is_read_from_redis_once_a_second_and_at_once_after_a_write_here(
    client, world, monkeypatch
):
    from opendata import caching
    from sync import generation

    clock = [1000.0]
    monkeypatch.setattr(caching.time, "monotonic", lambda: clock[0])
    url = reverse("public:catalogue")
    with time_machine.travel(AFTER, tick=False):
        first = client.get(url)["ETag"]
        # Another process changes public data and replaces the generation in Redis: this process keeps
        # its generation for up to a second (and so the ETag), then reads the new one.
        from focal.models import Reply

        Reply.objects.filter(text="PUBLIC-reply of the Netherlands").update(
            text="PUBLIC-reply, amended", updated_at=AFTER - dt.timedelta(hours=1)
        )
        generation.redis_client().set(generation.key(), "from-another-process", ex=60)
        clock[0] += caching.GENERATION_REUSE_SECONDS / 2
        assert client.get(url)["ETag"] == first
        clock[0] += caching.GENERATION_REUSE_SECONDS
        second = client.get(url)["ETag"]
        assert second != first
        # A write in this process (which replaces the generation) shows at the next request.
        Reply.objects.get(text="PUBLIC-reply, amended").save()
        assert client.get(url)["ETag"] != second


@pytest.mark.django_db
def test_an_answer_with_absolute_links_is_kept_per_address(client, world):
    # The catalogue names its downloads by absolute URL: asked over http first, it must not be served from
    # that copy to a reader who came over https (behind a TLS proxy) or by another allowed host name.
    with time_machine.travel(AFTER, tick=False):
        plain = client.get(reverse("public:catalogue"))
        secure = client.get(reverse("public:catalogue"), secure=True)
        other = client.get(reverse("public:catalogue"), HTTP_HOST="127.0.0.1")
    assert "http://testserver/public/data/" in plain.content.decode()
    assert "https://testserver/public/data/" in secure.content.decode()
    assert "http://testserver/" not in secure.content.decode()
    assert "http://127.0.0.1/public/data/" in other.content.decode()
    assert len({plain["ETag"], secure["ETag"], other["ETag"]}) == 3
