"""The change feed: every change a reader may see, once, in order, removals included, whatever the order
in which concurrent transactions commit.

Transactional tests: the feed reads only changes of finished transactions, so the test's changes must be
committed, as in production.
"""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.test import Client
from django.utils import timezone

from commitments import services
from commitments.access import Role
from commitments.models import Country, EvaluationRound, IndicatorValue, Status
from reporting import services as report_services
from reporting.models import Report
from sync import changes
from sync.models import Change
from tests.commitments.api_fixtures import quick_user, token_client

FEED = "/api/v1/changes/"
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def sync(client: Client, cursor: str | None = None, limit: int = 1000) -> tuple[list[dict], str]:
    """Read the feed until it has nothing more: every entry, and the cursor to continue from."""
    entries = []
    while True:
        params = {"limit": limit} | ({"cursor": cursor} if cursor else {})
        response = client.get(FEED, params)
        assert response.status_code == 200, response.content
        body = response.json()
        entries += body["results"]
        cursor = body["next_cursor"]
        if not body["has_more"]:
            return entries, cursor


def keys(entries: list[dict]) -> list[tuple[str, str, bool]]:
    return [(entry["type"], entry["id"], entry["deleted"]) for entry in entries]


@pytest.fixture
def reviewer_user():
    return quick_user("feed-reviewer", Role.REVIEWER)


def test_the_feed_from_the_start_holds_what_the_partner_sees_and_nothing_else(world, tokens):
    entries, _cursor = sync(token_client(tokens.partner))
    values = {entry["id"] for entry in entries if entry["type"] == "value" and not entry["deleted"]}
    approved = {str(value.pk) for (code, state), value in world.values.items() if state == "approved"}
    assert values == approved  # drafts, submitted and returned values are no news to partners
    assert all(entry["data"]["status"] == "approved" for entry in entries if entry["type"] == "value")
    nl_commitment = str(world.commitments["NL"].pk)
    commitment = next(e for e in entries if e["type"] == "commitment" and e["id"] == nl_commitment)
    assert [progress["status"] for progress in commitment["data"]["progress"]] == ["approved"]
    # An item appears once per answer, at the place of its latest change.
    assert len(keys(entries)) == len(set(keys(entries)))


def test_a_change_then_a_removal_reach_the_partner_once_each(world, tokens, reviewer_user):
    partner = token_client(tokens.partner)
    _entries, cursor = sync(partner)
    submitted = world.values["NL", "submitted"]
    value = services.reviewable_transition(
        item=submitted, expected_version=submitted.version, action="approve", user=reviewer_user
    )
    entries, cursor = sync(partner, cursor)
    assert keys(entries) == [("value", str(value.pk), False)]
    assert entries[0]["data"]["status"] == "approved" and entries[0]["data"]["version"] == value.version
    # Nothing new: nothing delivered again.
    assert sync(partner, cursor)[0] == []
    services.reviewable_transition(
        item=value,
        expected_version=value.version,
        action="reopen",
        user=reviewer_user,
        reason="Wrong source.",
    )
    entries, cursor = sync(partner, cursor)
    assert entries == [{"type": "value", "id": str(value.pk), "deleted": True, "data": None}]
    # A draft the partner never saw changes: no entry, not even a removal.
    draft = world.values["NL", "draft"]
    services.indicator_value_save(
        country=draft.country,
        indicator=draft.indicator,
        period=draft.period,
        user=reviewer_user,
        number_value=Decimal(45),
        note="Corrected.",
        expected_version=draft.version,
    )
    assert sync(partner, cursor)[0] == []


def test_a_token_limited_to_belgium_never_hears_of_other_countries(world, tokens, reviewer_user):
    belgium = token_client(tokens.limited)
    entries, cursor = sync(belgium)
    countries = {entry["data"]["country"] for entry in entries if entry["type"] == "value"}
    assert countries == {"BE"}
    assert {entry["id"] for entry in entries if entry["type"] == "country"} == {"BE"}
    for code in ("NL", "BE"):
        value = world.values[code, "submitted"]
        services.reviewable_transition(
            item=value, expected_version=value.version, action="approve", user=reviewer_user
        )
    entries, _cursor = sync(belgium, cursor)
    assert keys(entries) == [("value", str(world.values["BE", "submitted"].pk), False)]


def test_progress_follow_ups_and_reports_change_their_items(world, tokens, reviewer_user):
    partner = token_client(tokens.partner)
    _entries, cursor = sync(partner)
    commitment = world.commitments["DE"]
    progress = commitment.progress.get(status=Status.APPROVED)
    services.reviewable_transition(
        item=progress,
        expected_version=progress.version,
        action="reopen",
        user=reviewer_user,
        reason="Recount.",
    )
    entries, cursor = sync(partner, cursor)
    assert keys(entries) == [("commitment", str(commitment.pk), False)]
    assert entries[0]["data"]["progress"] == []  # the commitment stays; its reopened progress left the view
    report = Report.objects.create(
        kind=Report.Kind.ALLIANCE,
        evaluation_round=EvaluationRound.objects.first(),
        language="en",
        status=Report.Status.READY,
        file="reports/feed-test.pdf",
        sha256="0" * 64,
        page_count=1,
    )
    assert sync(partner, cursor)[0] == []  # not published: no news to partners
    # The round has too little approved data here: publishing it needs a reason (reporting, issue 11).
    report_services.report_publish(report=report, user=reviewer_user, reason="Feed test.")
    entries, cursor = sync(partner, cursor)
    assert keys(entries) == [("report", str(report.pk), False)]
    assert entries[0]["data"]["country"] is None
    report_services.report_unpublish(report=report, user=reviewer_user)
    entries, cursor = sync(partner, cursor)
    assert keys(entries) == [("report", str(report.pk), True)]


def test_reference_data_and_deletions_are_in_the_feed(world, tokens):
    partner = token_client(tokens.partner)
    _entries, cursor = sync(partner)
    Country.objects.filter(code="NL").first().save()
    value = world.values["BE", "approved"]
    value_id = str(value.pk)
    value.delete()
    entries, _cursor = sync(partner, cursor)
    assert keys(entries) == [("country", "NL", False), ("value", value_id, True)]


def test_a_cursor_is_refused_when_the_reader_sees_other_things_or_was_never_given(world, tokens):
    _entries, cursor = sync(token_client(tokens.partner))
    limited = token_client(tokens.limited).get(FEED, {"cursor": cursor})
    assert (limited.status_code, limited.json()["code"]) == (410, "cursor_expired")
    forged = token_client(tokens.partner).get(FEED, {"cursor": "bm90IGEgY3Vyc29y"})
    assert (forged.status_code, forged.json()["code"]) == (404, "not_found")
    malformed = token_client(tokens.partner).get(FEED, {"cursor": "not a cursor"})
    assert malformed.status_code == 400 and "cursor" in malformed.json()["fields"]


def test_a_transaction_that_commits_late_is_neither_lost_nor_repeated(world, tokens, reviewer_user):
    """An approval whose transaction began first but commits last: the naive feed (rows after the last
    id read) would skip it for ever. Here it holds the feed back until it commits, then comes once."""
    partner = token_client(tokens.partner)
    _entries, cursor = sync(partner)
    slow_value = world.values["NL", "submitted"]
    fast_value = world.values["BE", "submitted"]
    written, release, done = threading.Event(), threading.Event(), threading.Event()
    failures = []

    def slow_approval():
        # Written without a history row (an update() and its change, as reporting's publish does): every
        # history row takes the audit chain's lock until its transaction ends (audit/sealing.py), so a
        # held transaction that wrote history would make the fast approval below wait for it instead.
        try:
            with transaction.atomic():
                IndicatorValue.objects.filter(pk=slow_value.pk).update(
                    status=Status.APPROVED, approved_at=timezone.now(), approved_by=reviewer_user
                )
                slow_value.refresh_from_db()
                changes.record(slow_value)
                written.set()
                assert release.wait(60)
        except Exception as error:  # reported by the main thread
            failures.append(error)
        finally:
            connection.close()
            done.set()

    thread = threading.Thread(target=slow_approval)
    thread.start()
    assert written.wait(60)
    services.reviewable_transition(
        item=fast_value, expected_version=fast_value.version, action="approve", user=reviewer_user
    )
    fast_row = Change.objects.order_by("-id").first()
    assert fast_row.resource == "value" and fast_row.key == str(fast_value.pk)
    assert not Change.objects.filter(key=str(slow_value.pk), id__gt=fast_row.pk - 1).exclude(pk=fast_row.pk)

    # The client syncs while the slow transaction is open: the later, committed change waits its turn.
    held, cursor = sync(partner, cursor)
    assert held == []
    release.set()
    assert done.wait(60)
    thread.join()
    assert not failures, failures
    entries, cursor = sync(partner, cursor)
    assert keys(entries) == [
        ("value", str(slow_value.pk), False),
        ("value", str(fast_value.pk), False),
    ]
    assert sync(partner, cursor)[0] == []
    assert IndicatorValue.objects.get(pk=slow_value.pk).status == Status.APPROVED


def test_a_writer_reads_its_own_changes_once_and_an_earlier_transaction_still_comes(
    world, tokens, reviewer_user
):
    """A reader whose own transaction wrote changes sees them at once (they are final to itself, as in
    the data version), although its transaction id is above the horizon. The cursor it is given must not
    pass the horizon: a transaction with a lower id, still open, is delivered when it commits, and the
    reader's own changes are not given again."""
    partner = token_client(tokens.partner)
    _entries, cursor = sync(partner)
    slow_value = world.values["NL", "submitted"]
    own_value = world.values["BE", "submitted"]
    written, release, done = threading.Event(), threading.Event(), threading.Event()
    failures = []

    def slow_approval():  # as in the test above: an update() and its change, held open
        try:
            with transaction.atomic():
                IndicatorValue.objects.filter(pk=slow_value.pk).update(
                    status=Status.APPROVED, approved_at=timezone.now(), approved_by=reviewer_user
                )
                slow_value.refresh_from_db()
                changes.record(slow_value)
                written.set()
                assert release.wait(60)
        except Exception as error:  # reported by the main thread
            failures.append(error)
        finally:
            connection.close()
            done.set()

    thread = threading.Thread(target=slow_approval)
    thread.start()
    assert written.wait(60)  # its transaction id is lower than the one the block below is given
    with transaction.atomic():
        services.reviewable_transition(
            item=own_value, expected_version=own_value.version, action="approve", user=reviewer_user
        )
        own, cursor = sync(partner, cursor)
        assert keys(own) == [("value", str(own_value.pk), False)]
        assert sync(partner, cursor)[0] == []  # not again
    release.set()
    assert done.wait(60)
    thread.join()
    assert not failures, failures
    entries, cursor = sync(partner, cursor)
    assert keys(entries) == [("value", str(slow_value.pk), False)]  # not lost, and the own one not again
    assert sync(partner, cursor)[0] == []


def test_the_feed_answers_in_a_fixed_number_of_queries(world, tokens, django_assert_num_queries):
    partner = token_client(tokens.partner)
    partner.get(FEED, {"limit": 1})  # the token's first use writes its last-used time
    # whether anything committed waits behind the horizon (the fast path stores settled answers only);
    # the token; the horizon, the changes, the newest position; then per type shown: countries, goals,
    # indicators, periods, rounds and values one each, commitments and recommendations two each (their
    # visible progress and follow-ups). However many changes: 15.
    with django_assert_num_queries(1 + 1 + 3 + 6 + 2 * 2):
        response = partner.get(FEED, {"limit": 1000})
    assert response.status_code == 200
