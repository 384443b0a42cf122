"""The list endpoints: what each reader sees, filters, incremental sync, stable paging, caching, queries."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import RequestFactory
from django.utils import timezone
from django.utils.http import http_date
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request

from commitments import access, services
from commitments.api.pagination import MAX_PAGE_SIZE, StablePageNumberPagination
from commitments.models import Commitment, GovernmentResponse, IndicatorValue, Status
from tests.commitments.api_fixtures import session_client, token_client

V1 = "/api/v1"
LISTS = ["countries", "goals", "indicators", "periods", "rounds", "values", "commitments", "recommendations"]


def all_rows(client, endpoint: str, **params) -> list[dict]:
    response = client.get(f"{V1}/{endpoint}/", {"page_size": MAX_PAGE_SIZE, **params})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["next"] is None
    return body["results"]


def statuses(rows: list[dict]) -> set[str]:
    """Every workflow status in the rows, nested progress and follow-ups included."""
    found = {row["status"] for row in rows if "status" in row}
    for row in rows:
        for child in row.get("progress", []) + row.get("follow_ups", []):
            found.add(child["status"])
    return found


# --- what each reader sees ----------------------------------------------------------------------------


@pytest.mark.parametrize("token", ["partner", "limited"])
def test_partners_never_see_drafts_submitted_or_returned_rows(world, tokens, token):
    client = token_client(getattr(tokens, token))
    for endpoint in ("values", "commitments", "recommendations"):
        rows = all_rows(client, endpoint)
        assert rows, endpoint
        assert statuses(rows) == {Status.APPROVED}, endpoint
        for status in (Status.DRAFT, Status.SUBMITTED, Status.RETURNED):
            assert all_rows(client, endpoint, status=status) == [], (endpoint, status)
        csv_text = client.get(f"{V1}/{endpoint}/", {"format": "csv"}).getvalue().decode("utf-8-sig")
        for status in ("draft", "submitted", "returned"):
            assert f'"status": "{status}"' not in csv_text and f",{status}," not in csv_text


def test_a_limited_token_sees_only_its_countries_and_the_alliance_wide_recommendations(world, tokens):
    client = token_client(tokens.limited)
    assert [row["code"] for row in all_rows(client, "countries")] == ["BE"]
    assert {row["country"] for row in all_rows(client, "values")} == {"BE"}
    assert {row["country"] for row in all_rows(client, "commitments")} == {"BE"}
    assert {row["country"] for row in all_rows(client, "recommendations")} == {"BE", None}
    assert all_rows(client, "values", country="NL") == []


def test_staff_see_unapproved_rows_exactly_of_the_countries_they_may_edit(world, staff_nl):
    rows = all_rows(session_client(staff_nl), "values")
    shown = {row["id"] for row in rows}
    for item in IndicatorValue.objects.select_related("country"):
        expected = item.status == Status.APPROVED or access.can_read_drafts(staff_nl, item.country)
        assert (item.pk in shown) == expected, (item.country.code, item.status)


def test_ministers_see_approved_rows_only(world, minister):
    client = session_client(minister)
    for endpoint in ("values", "commitments", "recommendations"):
        assert statuses(all_rows(client, endpoint)) == {Status.APPROVED}


def test_reviewers_see_every_row(world, reviewer):
    rows = all_rows(session_client(reviewer), "values")
    assert len(rows) == IndicatorValue.objects.count()


# --- incremental sync ---------------------------------------------------------------------------------


def test_updated_since_returns_exactly_the_values_changed_since(world, tokens, reviewer, staff_nl):
    since = timezone.now()
    nl_submitted = world.values["NL", "submitted"]
    services.reviewable_transition(
        item=nl_submitted, expected_version=nl_submitted.version, action="approve", user=reviewer
    )
    edited_draft = services.indicator_value_save(
        country=world.values["NL", "draft"].country, indicator=world.values["NL", "draft"].indicator,
        period=world.progress, user=staff_nl, number_value=world.values["NL", "draft"].number_value + 1,
        expected_version=world.values["NL", "draft"].version,
    )  # fmt: skip

    as_reviewer = all_rows(session_client(reviewer), "values", updated_since=since.isoformat())
    assert {row["id"] for row in as_reviewer} == {nl_submitted.pk, edited_draft.pk}
    # The partner sees the newly approved value; the edited draft is not theirs to see.
    as_partner = all_rows(token_client(tokens.partner), "values", updated_since=since.isoformat())
    assert [row["id"] for row in as_partner] == [nl_submitted.pk]
    assert all_rows(token_client(tokens.partner), "values", updated_since=timezone.now().isoformat()) == []


def test_updated_since_finds_commitments_by_their_own_changes_or_their_visible_progress(
    world, tokens, reviewer, staff_nl
):
    since = timezone.now()
    Commitment.objects.filter(pk=world.commitments["DE"].pk).update(updated_at=timezone.now())
    be_draft = world.commitments["BE"].progress.get(period=world.progress)
    services.reviewable_transition(
        item=be_draft, expected_version=be_draft.version, action="submit", user=reviewer
    )  # not visible to partners yet
    nl_draft = world.commitments["NL"].progress.get(period=world.progress)
    nl_draft = services.reviewable_transition(
        item=nl_draft, expected_version=nl_draft.version, action="submit", user=staff_nl
    )
    services.reviewable_transition(
        item=nl_draft, expected_version=nl_draft.version, action="approve", user=reviewer
    )

    as_partner = all_rows(token_client(tokens.partner), "commitments", updated_since=since.isoformat())
    assert {row["country"] for row in as_partner} == {"DE", "NL"}
    as_reviewer = all_rows(session_client(reviewer), "commitments", updated_since=since.isoformat())
    assert {row["country"] for row in as_reviewer} == {"BE", "DE", "NL"}


def test_updated_since_finds_recommendations_by_their_response(world, tokens, reviewer, staff_be):
    since = timezone.now()
    answer = services.government_response_save(
        user=staff_be,
        recommendation=world.recommendations["BE"],
        response="rejected",
        responded_on=dt.date(2014, 3, 1),
        expected_version=GovernmentResponse.objects.get(recommendation=world.recommendations["BE"]).version,
    )
    # The response's words are reviewed: partners read the change once it is approved.
    answer = services.reviewable_transition(
        item=answer, action="submit", user=staff_be, expected_version=answer.version
    )
    services.reviewable_transition(
        item=answer, action="approve", user=reviewer, expected_version=answer.version
    )
    rows = all_rows(token_client(tokens.partner), "recommendations", updated_since=since.isoformat())
    assert [(row["country"], row["response"]["response"]) for row in rows] == [("BE", "rejected")]


def test_any_offset_the_schema_allows_is_accepted_and_turned_into_utc(world, tokens):
    # Found by schemathesis: RFC 3339 offsets go up to 23:59; PostgreSQL refuses those past 15:59, so the
    # filter turns the time into UTC before PostgreSQL sees it.
    for since in ("8451-07-22T19:32:10-18:53", "0731-08-24T09:47:58+23:00"):
        response = token_client(tokens.partner).get(f"{V1}/values/", {"updated_since": since})
        assert response.status_code == 200, (since, response.content)


@pytest.mark.parametrize(
    ("since", "message"),
    [
        ("yesterday", "Enter a valid date/time."),
        # Past the year 9999 once turned into UTC.
        ("9999-12-31T23:00:00-05:00", "Give a time from year 1 to 9999 (in UTC)."),
        ("0001-01-01T00:30:00+01:00", "Give a time from year 1 to 9999 (in UTC)."),
    ],
)
def test_updated_since_must_be_a_timestamp_postgresql_can_compare(world, tokens, since, message):
    response = token_client(tokens.partner).get(f"{V1}/values/", {"updated_since": since})
    assert response.status_code == 400
    assert response.json()["fields"] == {"updated_since": [message]}


def test_updated_since_takes_any_real_time_zone(world, tokens):
    client = token_client(tokens.partner)
    assert all_rows(client, "values", updated_since="2000-01-01T00:00:00+14:00")
    assert all_rows(client, "values", updated_since="2000-01-01T00:00:00") == all_rows(client, "values")


# --- filters and ordering -------------------------------------------------------------------------------


def test_values_filter_by_country_goal_indicator_period_and_status(world, reviewer):
    client = session_client(reviewer)
    assert {row["country"] for row in all_rows(client, "values", country="nl,be")} == {"NL", "BE"}
    assert {row["indicator"] for row in all_rows(client, "values", indicator="vi-1")} == {"VI-1"}
    assert {row["goal"] for row in all_rows(client, "values", goal="VICTIM_ID")} == {"VICTIM_ID"}
    assert all_rows(client, "values", goal="PREVENTION") == []
    assert {row["period"] for row in all_rows(client, "values", period=world.baseline.pk)} == {
        world.baseline.pk
    }
    assert {row["status"] for row in all_rows(client, "values", status="returned")} == {"returned"}
    response = client.get(f"{V1}/values/", {"status": "lost"})
    assert response.status_code == 400 and "status" in response.json()["fields"]


def test_commitments_filter_by_the_period_and_status_of_one_progress_entry(world, reviewer):
    client = session_client(reviewer)
    rows = all_rows(client, "commitments", period=world.progress.pk, status="approved")
    assert rows == []  # progress of 2014 exists, but no entry of 2014 is approved
    assert len(all_rows(client, "commitments", period=world.baseline.pk, status="approved")) == 3


def test_ordering_is_by_the_documented_names_and_always_ends_in_the_id(world, reviewer):
    client = session_client(reviewer)
    rows = all_rows(client, "values", ordering="-country")
    keys = [(row["country"], row["id"]) for row in rows]
    by_id = sorted(keys, key=lambda key: key[1])
    assert keys == sorted(by_id, key=lambda key: key[0], reverse=True)  # a stable sort keeps ids ascending
    refused = client.get(f"{V1}/values/", {"ordering": "country,no_such_field"})
    assert refused.status_code == 400 and "ordering" in refused.json()["fields"]


def test_pages_in_a_stable_order_hold_every_row_once(world, reviewer):
    client = session_client(reviewer)
    seen, url = [], f"{V1}/values/?ordering=country&page_size=1"
    while url:
        body = client.get(url).json()
        seen.extend(row["id"] for row in body["results"])
        url = body["next"]
    assert seen == [row["id"] for row in all_rows(client, "values", ordering="country")]
    assert len(seen) == len(set(seen)) == body["count"]


def test_page_size_is_100_by_default_and_at_most_1000():
    pagination = StablePageNumberPagination()
    request = lambda query: Request(RequestFactory().get("/", query))  # noqa: E731
    assert pagination.get_page_size(request({})) == 100
    assert pagination.get_page_size(request({"page_size": 1000})) == 1000
    assert pagination.get_page_size(request({"page_size": 7})) == 7
    for wrong in ("5000", "0", "-1", "null", "", "7.0", "1e3"):
        with pytest.raises(ValidationError):
            pagination.get_page_size(request({"page_size": wrong}))


def test_an_unordered_list_is_refused(db):
    request = Request(RequestFactory().get("/"))
    with pytest.raises(ImproperlyConfigured):
        StablePageNumberPagination().paginate_queryset(IndicatorValue.objects.order_by(), request)


def test_a_page_past_the_last_is_a_404_in_the_error_shape(world, tokens):
    response = token_client(tokens.partner).get(f"{V1}/values/", {"page": 99})
    assert response.status_code == 404
    assert response.json() == {"status": 404, "code": "not_found", "message": "Invalid page."}


# --- caching --------------------------------------------------------------------------------------------


def test_polling_with_the_etag_gets_304_until_something_the_reader_sees_changes(
    world, tokens, reviewer, staff_nl
):
    partner = token_client(tokens.partner)
    first = partner.get(f"{V1}/values/")
    etag = first["ETag"]
    assert first["Cache-Control"] == "private, no-cache"
    assert partner.get(f"{V1}/values/", headers={"If-None-Match": etag}).status_code == 304

    # A draft changes: the partner's list does not, so its ETag holds.
    draft = world.values["NL", "draft"]
    services.indicator_value_save(
        country=draft.country,
        indicator=draft.indicator,
        period=draft.period,
        user=staff_nl,
        number_value=50,
        expected_version=draft.version,
    )
    assert partner.get(f"{V1}/values/", headers={"If-None-Match": etag}).status_code == 304

    services.reviewable_transition(
        item=world.values["BE", "submitted"],
        expected_version=world.values["BE", "submitted"].version,
        action="approve",
        user=reviewer,
    )
    changed = partner.get(f"{V1}/values/", headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed["ETag"] != etag


def test_no_last_modified_so_if_modified_since_never_hides_a_removal(world, tokens, reviewer):
    """A whole-second date cannot say that a row left the list, nor tell two changes in one second apart:
    lists send no Last-Modified, and If-Modified-Since never earns a 304. The ETag is exact."""
    partner = token_client(tokens.partner)
    first = partner.get(f"{V1}/values/")
    assert not first.has_header("Last-Modified")
    approved = world.values["NL", "approved"]
    services.reviewable_transition(
        item=approved,
        expected_version=approved.version,
        action="reopen",
        reason="Wrong source.",
        user=reviewer,
    )
    later = http_date(time.time() + 3600)
    after = partner.get(f"{V1}/values/", headers={"If-Modified-Since": later, "If-None-Match": first["ETag"]})
    assert after.status_code == 200
    assert approved.pk not in {row["id"] for row in after.json()["results"]}
    assert after.json()["count"] == first.json()["count"] - 1


def test_etags_differ_between_readers_formats_and_queries(world, tokens, reviewer):
    partner = token_client(tokens.partner)
    etags = {
        partner.get(f"{V1}/values/")["ETag"],
        partner.get(f"{V1}/values/", {"format": "csv"})["ETag"],
        partner.get(f"{V1}/values/", {"page_size": 5})["ETag"],
        token_client(tokens.limited).get(f"{V1}/values/")["ETag"],
        session_client(reviewer).get(f"{V1}/values/")["ETag"],
    }
    assert len(etags) == 5


def test_details_carry_an_etag_too(world, tokens):
    partner = token_client(tokens.partner)
    url = f"{V1}/commitments/{world.commitments['NL'].pk}/"
    etag = partner.get(url)["ETag"]
    assert partner.get(url, headers={"If-None-Match": etag}).status_code == 304


# --- queries --------------------------------------------------------------------------------------------

# Queries of one list request not yet in the page cache (a cached page: the token and the data version
# only, see test_api_cache.py), after the token's last_used_at is fresh (see test_api_tokens.py).
# Partner token: 1 the token with its countries (one join), then per endpoint:
#   every list:      2 the data version (the newest change the reader may see, one indexed query),
#                    3 the count, 4 the page, and last the data version again (unchanged: cached)
#   commitments:     and the visible progress of the page's commitments
#   recommendations: and the visible follow-ups (the response is joined to the page)
PARTNER_QUERIES = {
    "countries": 5, "goals": 5, "indicators": 5, "periods": 5, "rounds": 5,
    "values": 5, "commitments": 6, "recommendations": 6,
}  # fmt: skip
# Staff session: 1 session, 2 user, 3 the user's roles, 4 the user's country assignments, then as above.
STAFF_EXTRA_QUERIES = 3


@pytest.fixture
def no_page_cache(settings):
    """The queries of reading a page: a page cached by an earlier test (the reference data is the same in
    every test) would be served without them. test_api_cache.py pins the queries of a cached page."""
    settings.API_CACHE_SECONDS = 0


@pytest.mark.parametrize("endpoint", LISTS)
def test_a_partner_list_costs_the_same_queries_for_any_page_size(
    world, tokens, endpoint, django_assert_num_queries, no_page_cache
):
    client = token_client(tokens.partner)
    client.get(f"{V1}/goals/")  # records last_used_at: later requests within the minute do not write
    for page_size in (1, 100):
        with django_assert_num_queries(PARTNER_QUERIES[endpoint]):
            response = client.get(f"{V1}/{endpoint}/", {"page_size": page_size})
        assert response.status_code == 200


@pytest.mark.parametrize("endpoint", LISTS)
def test_a_staff_list_costs_the_same_queries_for_any_page_size(
    world, staff_nl, endpoint, django_assert_num_queries, no_page_cache
):
    client = session_client(staff_nl)
    for page_size in (1, 100):
        with django_assert_num_queries(PARTNER_QUERIES[endpoint] + STAFF_EXTRA_QUERIES):
            response = client.get(f"{V1}/{endpoint}/", {"page_size": page_size})
        assert response.status_code == 200


def test_a_not_modified_answer_reads_no_rows(world, tokens, django_assert_num_queries):
    client = token_client(tokens.partner)
    etag = client.get(f"{V1}/values/")["ETag"]
    # The token's entry is now in Redis but this page is not (the first request went the full path
    # before the entry existed): the fast path's miss checks that the feed is settled before the full
    # path answers. The settled check, the token, the data version: no page read.
    with django_assert_num_queries(3):
        assert client.get(f"{V1}/values/", headers={"If-None-Match": etag}).status_code == 304
