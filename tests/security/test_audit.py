"""The administrators' audit view: who changed what and when, across every model that keeps history."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.apps import apps
from django.urls import reverse
from django.utils import timezone

from alliance_monitor import audit
from commitments.models import Country, CountryAssignment
from commitments.services import commitment_progress_save, indicator_value_save, reviewable_transition
from tests.factories import CommitmentFactory, UserFactory


@pytest.fixture
def history(indicator, nl, be, progress_period, staff_nl, staff_be, reviewer):
    """A working day: values entered, submitted, one returned with a reason; progress on a commitment."""
    identified = indicator("VI-2")
    value = indicator_value_save(
        country=nl, indicator=identified, period=progress_period, user=staff_nl, number_value=Decimal(12)
    )
    value = indicator_value_save(
        country=nl,
        indicator=identified,
        period=progress_period,
        user=staff_nl,
        number_value=Decimal(14),
        expected_version=value.version,
    )
    value = reviewable_transition(item=value, expected_version=value.version, action="submit", user=staff_nl)
    reviewable_transition(
        item=value,
        expected_version=value.version,
        action="return",
        user=reviewer,
        reason="Source for 14 missing",
    )
    indicator_value_save(
        country=be, indicator=identified, period=progress_period, user=staff_be, number_value=Decimal(3)
    )
    commitment = CommitmentFactory(country=nl)
    commitment_progress_save(
        commitment=commitment,
        period=progress_period,
        user=staff_nl,
        completion="substantial",
        narrative="Synthetic: half the team trained.",
    )
    return value


def audit_page(client, **params):
    return client.get(reverse("audit_log"), params)


def rows(response) -> list:
    return response.context["entries"]


def test_only_administrators_open_the_audit_view(client, staff_nl, reviewer, minister, administrator):
    response = client.get(reverse("audit_log"))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))
    for user in (staff_nl, reviewer, minister):
        client.force_login(user)
        assert client.get(reverse("audit_log")).status_code == 403, user
    client.force_login(administrator)
    assert client.get(reverse("audit_log")).status_code == 200


def test_it_shows_who_changed_what_when_and_why(client, administrator, history, reviewer, staff_nl):
    client.force_login(administrator)

    entries = rows(audit_page(client, user=reviewer.pk))

    assert len(entries) == 1
    returned = entries[0]
    assert returned.who == reviewer
    assert returned.action == "changed"
    assert returned.reason == "return: Source for 14 missing"
    assert returned.country.code == "NL"
    assert returned.description == "NL VI-2 2014 progress"
    changed = {change.field: (change.before, change.after) for change in returned.changes}
    assert changed["status"] == ("Submitted", "Returned")
    assert changed["reason"] == ("—", "Source for 14 missing")
    assert changed["updated by"] == ("anna-nl", "rita-reviewer")
    assert "number" not in changed  # unchanged fields are not listed

    by_staff = rows(audit_page(client, user=staff_nl.pk))
    edits = [e for e in by_staff if e.source.model.__name__ == "IndicatorValue"]
    assert [e.action for e in edits] == ["changed", "changed", "created"]  # newest first
    assert {c.field: (c.before, c.after) for c in edits[1].changes}["number"] == ("12.0000", "14.0000")


def test_the_page_renders_the_changes(client, administrator, history):
    client.force_login(administrator)
    page = audit_page(client, country=Country.objects.get(code="NL").pk).content.decode()
    assert "Source for 14 missing" in page
    assert "rita-reviewer" in page
    assert "Submitted → Returned" in page


def test_filters_by_country(client, administrator, history):
    client.force_login(administrator)
    be = Country.objects.get(code="BE")

    entries = rows(audit_page(client, country=be.pk))

    assert entries
    assert {entry.country.code for entry in entries} == {"BE"}
    # Belgium's own record (seeded) and the Belgian value; the assignment of staff to Belgium too.
    kinds = {entry.source.model.__name__ for entry in entries}
    assert kinds >= {"Country", "IndicatorValue", "CountryAssignment"}


def test_filters_by_date_range(client, administrator, history, staff_nl):
    client.force_login(administrator)
    today = timezone.localdate()
    # Only the fixture's own records (staff_nl's, made now): the reference data the test database was
    # set up with may date from yesterday, local time, when the suite starts just before midnight.
    mine = {"user": staff_nl.pk}
    assert rows(audit_page(client, date_from=today.isoformat(), date_to=today.isoformat(), **mine))
    tomorrow = today + dt.timedelta(days=1)
    assert rows(audit_page(client, date_from=tomorrow.isoformat(), **mine)) == []
    assert rows(audit_page(client, date_to=(today - dt.timedelta(days=1)).isoformat(), **mine)) == []


def test_filters_by_kind_of_record(client, administrator, history):
    client.force_login(administrator)
    kind = next(s.index for s in audit.history_sources() if s.model.__name__ == "CommitmentProgress")

    entries = rows(audit_page(client, kind=kind))

    assert [entry.description for entry in entries] == [
        f"{entry.record.commitment} – 2014 progress: Substantial" for entry in entries
    ]
    assert entries[0].country.code == "NL"


def test_records_pointing_to_deleted_rows_are_still_listed(client, administrator, nl):
    leaver = UserFactory(username="left-the-team")
    CountryAssignment.objects.create(user=leaver, country=nl)
    leaver.delete()  # the assignment goes with the account; its history stays
    client.force_login(administrator)
    kind = next(s.index for s in audit.history_sources() if s.model is CountryAssignment)

    response = audit_page(client, kind=kind, country=nl.pk)

    assert response.status_code == 200
    entries = rows(response)
    assert [entry.action for entry in entries][:2] == ["deleted", "created"]
    created = entries[1]
    assert created.description.startswith("country assignment #")
    assert {c.field: c.after for c in created.changes}["user"].endswith("(deleted)")


def test_a_start_after_the_end_is_refused(client, administrator):
    client.force_login(administrator)
    response = audit_page(client, date_from="2014-02-01", date_to="2014-01-01")
    assert response.status_code == 400
    assert "The start date is after the end date." in response.content.decode()


def test_every_model_with_history_is_included_so_later_ones_appear_by_themselves():
    with_history = {
        model for model in apps.get_models() if hasattr(model._meta, "simple_history_manager_attribute")
    }
    assert {source.model for source in audit.history_sources()} == with_history
    assert CountryAssignment in with_history


def test_the_trail_is_paginated_newest_first(client, administrator, history):
    client.force_login(administrator)
    # The seeded reference data alone is hundreds of versions.
    first = audit_page(client)
    page = first.context["page"]
    assert page.paginator.count > audit.PAGE_SIZE
    assert len(rows(first)) == audit.PAGE_SIZE
    dates = [entry.when for entry in rows(first)]
    assert dates == sorted(dates, reverse=True)
    second = rows(audit_page(client, page=2))
    assert second[0].when <= dates[-1]
    assert 'rel="next"' in first.content.decode()


def test_the_query_count_is_fixed_whatever_the_rows(
    client, administrator, history, django_assert_num_queries
):
    client.force_login(administrator)
    audit_page(client)  # warm the content-type and site caches
    nl = Country.objects.get(code="NL")
    kinds_on_page = {e.source.index for e in rows(audit_page(client, country=nl.pk))}
    assert len(kinds_on_page) >= 4  # Country, CountryAssignment, IndicatorValue, CommitmentProgress, ...

    # 1 session, 2 user, 3 the user's groups (administrators only), 4 all users (filter and names),
    # 5 all countries (filter and names), 6 count of the UNION, 7 the page of the UNION,
    # then 1 per kind of record on the page (its records and the versions before them, joined).
    with django_assert_num_queries(7 + len(kinds_on_page)):
        response = audit_page(client, country=nl.pk)
    assert response.status_code == 200
