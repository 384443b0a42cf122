"""The partner fast path (commitments/api/fastpath.py): a repeated GET answered from Redis without a query,
and every guarantee of the full path kept: what a token may see, revocation, expiry, the budget, ETags."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from commitments import services
from commitments.api import fastpath
from commitments.models import Country, PartnerToken, Status
from sync import generation
from tests.commitments.api_fixtures import session_client, token_client

V1 = "/api/v1"
VALUES = f"{V1}/values/?page_size=100"


def warm(client, url: str):
    """Two requests: the first keeps the token for the fast path, the second stores the page."""
    client.get(url)
    return client.get(url)


def ids(response) -> set[int]:
    return {row["id"] for row in response.json()["results"]}


@pytest.mark.parametrize(
    "url",
    [
        VALUES,
        f"{V1}/commitments/",
        f"{V1}/recommendations/",
        f"{V1}/countries/",
        f"{V1}/countries/NL/",
        f"{V1}/changes/?limit=100",
    ],
)
def test_a_repeated_read_costs_no_query(world, tokens, url, django_assert_num_queries):
    partner = token_client(tokens.partner)
    first = warm(partner, url)
    with django_assert_num_queries(0):
        again = partner.get(url)
    assert again.status_code == first.status_code == 200
    assert again.content == first.content
    assert again["Content-Type"] == first["Content-Type"]
    assert again["Cache-Control"] == first["Cache-Control"]
    assert again.get("ETag") == first.get("ETag")
    assert again["X-Content-Type-Options"] == "nosniff"  # the full path's security headers, kept


def test_the_etag_is_the_same_on_both_paths_and_304_on_either(world, tokens, django_assert_num_queries):
    partner = token_client(tokens.partner)
    etag = warm(partner, VALUES)["ETag"]
    with django_assert_num_queries(0):
        not_modified = partner.get(VALUES, headers={"If-None-Match": etag})
    assert not_modified.status_code == 304 and not_modified["ETag"] == etag
    # A new generation (here: a change nobody outside sees) sends the request down the full path: the
    # bytes are the same, so is the ETag, and the answer is still 304.
    generation.bump()
    again = partner.get(VALUES, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again["ETag"] == etag
    # Another token reading the same page gets its own ETag, and a 200 for someone else's.
    other = token_client(services.partner_token_create(name="Another partner")[1])
    shared = warm(other, VALUES)
    assert shared["ETag"] != etag
    assert other.get(VALUES, headers={"If-None-Match": etag}).status_code == 200


def test_a_change_is_seen_at_once(world, tokens, reviewer):
    partner = token_client(tokens.partner)
    submitted = world.values["BE", "submitted"]
    assert submitted.pk not in ids(warm(partner, VALUES))
    services.reviewable_transition(
        item=submitted, expected_version=submitted.version, action="approve", user=reviewer
    )
    assert submitted.pk in ids(partner.get(VALUES))


def test_a_kept_feed_answer_gives_way_to_a_new_change(world, tokens, reviewer, django_assert_num_queries):
    partner = token_client(tokens.partner)
    cursor = partner.get(f"{V1}/changes/", {"limit": 1000}).json()["next_cursor"]
    url = f"{V1}/changes/?cursor={cursor}"
    assert warm(partner, url).json()["results"] == []
    with django_assert_num_queries(0):
        assert partner.get(url).json()["results"] == []
    submitted = world.values["NL", "submitted"]
    services.reviewable_transition(
        item=submitted, expected_version=submitted.version, action="approve", user=reviewer
    )
    entries = partner.get(url).json()["results"]
    assert [(entry["type"], entry["id"], entry["deleted"]) for entry in entries] == [
        ("value", str(submitted.pk), False)
    ]


def test_a_revoked_token_is_refused_at_once(world, tokens, django_assert_num_queries):
    partner = token_client(tokens.partner)
    warm(partner, VALUES)
    with django_assert_num_queries(0):
        assert partner.get(VALUES).status_code == 200
    services.partner_token_revoke(token=PartnerToken.objects.get(pk=tokens.ids["partner"]))
    refused = partner.get(VALUES)
    assert refused.status_code == 401 and refused.json()["code"] == "token_revoked"


def test_a_token_given_other_countries_sees_them_at_once(world, tokens):
    limited = token_client(tokens.limited)
    countries = {row["country"] for row in warm(limited, VALUES).json()["results"]}
    assert countries == {"BE"}
    token = PartnerToken.objects.get(pk=tokens.ids["limited"])
    token.countries.add(Country.objects.get(code="NL"))  # as the admin does
    assert {row["country"] for row in limited.get(VALUES).json()["results"]} == {"BE", "NL"}
    token.countries.remove(Country.objects.get(code="NL"))
    assert {row["country"] for row in limited.get(VALUES).json()["results"]} == {"BE"}


def test_a_limited_token_never_gets_a_page_stored_for_a_wider_one(world, tokens):
    everyone = warm(token_client(tokens.partner), VALUES).json()
    assert {row["country"] for row in everyone["results"]} > {"BE"}
    limited = token_client(tokens.limited)
    assert {row["country"] for row in warm(limited, VALUES).json()["results"]} == {"BE"}


def test_the_expiry_is_checked_on_every_request(world, tokens, monkeypatch, django_assert_num_queries):
    """The kept entry carries the expiry: past it, the fast path steps aside and the database decides
    (here the token is still valid in the database, so the full path answers, with its queries)."""
    partner = token_client(tokens.partner)
    token = PartnerToken.objects.get(pk=tokens.ids["partner"])
    token.expires_at = token.created_at.replace(year=2099)
    token.save()
    warm(partner, VALUES)
    with django_assert_num_queries(0):
        partner.get(VALUES)
    later = token.expires_at.timestamp() + 1
    monkeypatch.setattr(fastpath.time, "time", lambda: later)
    with CaptureQueriesContext(connection) as queries:
        assert partner.get(VALUES).status_code == 200
    assert any("commitments_partnertoken" in query["sql"] for query in queries)  # the database decided


def test_sessions_always_take_the_full_path(world, staff_nl):
    staff = session_client(staff_nl)
    warm(staff, VALUES)
    with CaptureQueriesContext(connection) as queries:
        response = staff.get(VALUES)
    assert response.status_code == 200 and len(queries) > 0
    assert Status.DRAFT in {row["status"] for row in response.json()["results"]}


@pytest.fixture
def tight_budget(settings, tokens):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"partner": "3/min", "user": "5/min"},
    }
    cache.delete_many([f"budget_partner_{token_id}" for token_id in tokens.ids.values()])
    yield
    cache.delete_many([f"budget_partner_{token_id}" for token_id in tokens.ids.values()])


def test_the_budget_counts_each_fast_request_once_and_answers_429(world, tokens, tight_budget):
    partner = token_client(tokens.partner)
    codes = [partner.get(VALUES).status_code for _ in range(3)]  # the third one from the fast path
    refused = partner.get(VALUES)
    assert codes == [200, 200, 200]
    assert refused.status_code == 429 and refused.json()["code"] == "throttled"
    assert 0 < int(refused["Retry-After"]) <= 60


def test_a_token_entry_lives_a_bounded_time(world, tokens, settings):
    warm(token_client(tokens.partner), VALUES)
    key_hash = PartnerToken.objects.get(pk=tokens.ids["partner"]).key_hash
    client = generation.redis_client()
    left = client.ttl(fastpath.token_key(key_hash))
    assert 0 < left <= settings.API_TOKEN_CACHE_SECONDS
    assert 0 < client.ttl(generation.key()) <= settings.API_GENERATION_SECONDS
