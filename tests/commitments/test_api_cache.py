"""The API's page cache: a repeated poll reads no rows, and every change a reader may see shows at once."""

from __future__ import annotations

import datetime as dt

from django.db.models import F

from commitments import services
from commitments.api.views import IndicatorValueViewSet
from commitments.models import CommitmentProgress, IndicatorValue, Status
from sync import changes
from tests.commitments.api_fixtures import session_client, token_client

V1 = "/api/v1"
VALUES = f"{V1}/values/?page_size=100"
# A page read from the database, for a partner token whose last_used_at is fresh: 1 whether the feed's
# horizon holds a committed change back (the fast path stores only settled answers), 2 the token, 3 the
# data version, 4 the count, 5 the page, 6 the data version again (unchanged: the page is stored).
PAGE_READ = 6
# The same page again: answered by the partner fast path from Redis (commitments/api/fastpath.py) in one
# call, token, budget, data generation and page together. No query at all, at any size of the data.
PAGE_CACHED = 0


def polled(client):
    """A partner's client whose token's last_used_at is fresh, so its requests show the list's queries."""
    client.get(f"{V1}/goals/")
    return client


def values_of(response) -> dict[int, dict]:
    return {row["id"]: row for row in response.json()["results"]}


def test_a_repeated_poll_is_answered_from_the_cache_without_reading_a_row(
    world, tokens, django_assert_num_queries
):
    partner = polled(token_client(tokens.partner))
    with django_assert_num_queries(PAGE_READ):
        first = partner.get(VALUES)
    with django_assert_num_queries(PAGE_CACHED):
        again = partner.get(VALUES)
    assert again.status_code == 200
    assert again.content == first.content
    assert again["ETag"] == first["ETag"]
    assert again["Content-Type"] == first["Content-Type"] == "application/json"
    assert again["Cache-Control"] == "private, no-cache"


def test_an_approved_value_is_seen_at_once(world, tokens, reviewer, django_assert_num_queries):
    partner = polled(token_client(tokens.partner))
    submitted = world.values["BE", "submitted"]
    assert submitted.pk not in values_of(partner.get(VALUES))
    partner.get(VALUES)  # now certainly cached

    services.reviewable_transition(
        item=submitted, expected_version=submitted.version, action="approve", user=reviewer
    )
    with django_assert_num_queries(PAGE_READ):  # a new data version: the page is read again
        shown = values_of(partner.get(VALUES))
    assert shown[submitted.pk]["status"] == Status.APPROVED
    with django_assert_num_queries(PAGE_CACHED):
        assert values_of(partner.get(VALUES)) == shown


def test_a_reopened_value_leaves_the_partners_page_at_once(world, tokens, reviewer):
    partner = polled(token_client(tokens.partner))
    approved = world.values["NL", "approved"]
    assert approved.pk in values_of(partner.get(VALUES))
    services.reviewable_transition(
        item=approved,
        expected_version=approved.version,
        action="reopen",
        reason="Wrong source.",
        user=reviewer,
    )
    assert approved.pk not in values_of(partner.get(VALUES))


def test_a_reopened_progress_that_is_not_the_newest_leaves_the_commitment_at_once(world, tokens, reviewer):
    """Reopening changes no timestamp the partner sees (the newest approved progress is another
    country's): the reopening is a change in the outbox, so the data version moves."""
    partner = polled(token_client(tokens.partner))
    url, commitment = f"{V1}/commitments/", world.commitments["NL"]
    nl_progress = CommitmentProgress.objects.get(
        commitment=commitment, period=world.baseline, status=Status.APPROVED
    )
    assert CommitmentProgress.objects.filter(status=Status.APPROVED).latest("updated_at") != nl_progress

    def progress_shown() -> list[int]:
        rows = {row["id"]: row for row in partner.get(url).json()["results"]}
        return [progress["id"] for progress in rows[commitment.pk]["progress"]]

    assert progress_shown() == [nl_progress.pk]
    services.reviewable_transition(
        item=nl_progress,
        expected_version=nl_progress.version,
        action="reopen",
        reason="Check it.",
        user=reviewer,
    )
    assert progress_shown() == []


def test_a_change_with_an_older_time_is_seen_too(world, tokens):
    """The data version does not depend on timestamps: a change written with an older time (as a
    transaction that saved first and committed last would leave it) is seen at once. A write that
    bypasses the models' signals (update()) records its change itself, as the services do."""
    partner = polled(token_client(tokens.partner))
    value = world.values["NL", "approved"]
    older = IndicatorValue.objects.filter(status=Status.APPROVED).earliest("updated_at").updated_at
    partner.get(VALUES)

    IndicatorValue.objects.filter(pk=value.pk).update(
        note="Corrected source.", version=F("version") + 1, updated_at=older - dt.timedelta(seconds=1)
    )
    changes.record(value)
    assert values_of(partner.get(VALUES))[value.pk]["note"] == "Corrected source."


def test_a_renamed_period_relabels_cached_values_at_once(world, tokens):
    partner = polled(token_client(tokens.partner))
    approved = world.values["NL", "approved"]
    partner.get(VALUES)

    period = world.baseline
    period.label = "2013 baseline (revised)"
    period.save()  # as the admin saves it: with a history record
    assert values_of(partner.get(VALUES))[approved.pk]["period_label"] == "2013 baseline (revised)"


def test_readers_who_see_different_rows_never_share_a_page(world, tokens, staff_nl):
    partner, limited = token_client(tokens.partner), token_client(tokens.limited)
    staff = session_client(staff_nl)
    everyone = partner.get(VALUES).json()
    belgium_only = limited.get(VALUES).json()
    with_drafts = staff.get(VALUES).json()
    assert {row["country"] for row in belgium_only["results"]} == {"BE"}
    assert {row["status"] for row in everyone["results"]} == {Status.APPROVED}
    assert Status.DRAFT in {row["status"] for row in with_drafts["results"]}
    assert partner.get(VALUES).json() == everyone


def test_readers_who_see_the_same_rows_share_a_page(world, tokens, django_assert_num_queries):
    _token, other_key = services.partner_token_create(name="Another unrestricted partner")
    partner = polled(token_client(tokens.partner))
    other = polled(token_client(other_key))
    first = partner.get(VALUES)
    with django_assert_num_queries(PAGE_CACHED):
        shared = other.get(VALUES)
    assert shared.content == first.content
    assert shared["ETag"] != first["ETag"]  # the ETag still names its reader


def test_a_page_read_while_a_change_lands_is_neither_stored_nor_given_an_etag(
    world, tokens, reviewer, monkeypatch, django_assert_num_queries
):
    """The data version is read before and after the page; between them another request approves a value
    (here: inside the page read). The page may show half a change, so nobody may keep it."""
    partner = polled(token_client(tokens.partner))
    submitted = world.values["DE", "submitted"]
    read_page = IndicatorValueViewSet.paginate_queryset

    def read_page_while_approving(view, queryset):
        services.reviewable_transition(
            item=submitted, expected_version=submitted.version, action="approve", user=reviewer
        )
        return read_page(view, queryset)

    monkeypatch.setattr(IndicatorValueViewSet, "paginate_queryset", read_page_while_approving)
    racing = partner.get(VALUES)
    assert racing.status_code == 200
    assert not racing.has_header("ETag")
    monkeypatch.setattr(IndicatorValueViewSet, "paginate_queryset", read_page)

    with django_assert_num_queries(PAGE_READ):  # not stored: read again, and stored now
        settled = partner.get(VALUES)
    assert values_of(settled)[submitted.pk]["status"] == Status.APPROVED
    assert settled.has_header("ETag")


def test_csv_exports_are_never_stored(world, tokens, django_assert_num_queries):
    partner = polled(token_client(tokens.partner))
    b"".join(partner.get(f"{V1}/values/?format=csv").streaming_content)
    # The token, the data version, the session set for the export, the rows, the session set back.
    with django_assert_num_queries(5):
        b"".join(partner.get(f"{V1}/values/?format=csv").streaming_content)


def test_with_redis_unreachable_the_api_answers_from_the_database(world, tokens, settings):
    settings.CACHES = {  # as in production (settings.py), but nothing listens on port 1
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"IGNORE_EXCEPTIONS": True, "SOCKET_CONNECT_TIMEOUT": 0.2, "SOCKET_TIMEOUT": 0.2},
        }
    }
    partner = token_client(tokens.partner)
    first, again = partner.get(VALUES), partner.get(VALUES)
    assert first.status_code == again.status_code == 200
    assert again.content == first.content
