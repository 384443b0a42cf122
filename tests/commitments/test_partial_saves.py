"""Nothing lost silently: a save changes only what the client sent, from the version it started from.

A script, a partial client or a browser extension that drops fields once blanked every other row of the
data-entry page. Here hypothesis posts random subsets of the data-entry form and of the API's fields and
checks, for every field of every row, that what was not sent did not change; and that a change without
the version it is based on is refused, never applied.
"""

from __future__ import annotations

import json
from contextlib import contextmanager
from decimal import Decimal

import pytest
from django.db import transaction
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from commitments import services
from commitments.models import CommitmentProgress, IndicatorValue
from tests.commitments.views_support import entry_post, give_value, signed_in
from tests.factories import CommitmentFactory

pytestmark = pytest.mark.django_db

CONTENT = ("number_value", "boolean_value", "text_value", "note", "evidence_links")
# The rows the tests fill: a number, a yes/no, a maturity level and a percentage, each with a note.
FILLED = {"VI-2": {"number": "240"}, "VI-1": {"boolean_value": True}, "PR-1": {"number": "2"}, "VS-2": {}}
EMPTY_ROWS = ("VI-5", "SU-4")  # rows of the page with no value yet
FORM_FIELDS = ("value", "note", "evidence_links")
HYPOTHESIS = settings(max_examples=30, deadline=None, database=None, suppress_health_check=list(HealthCheck))


@contextmanager
def rolled_back():
    """Each example starts from the same rows: its writes are rolled back."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def snapshot(country, period) -> dict[str, dict[str, object]]:
    rows = IndicatorValue.objects.filter(country=country, period=period).select_related("indicator")
    return {
        row.indicator.code: {**{name: getattr(row, name) for name in CONTENT}, "version": row.version}
        for row in rows
    }


@pytest.fixture
def filled(staff_nl, nl, indicator, progress_period):
    for code, typed in FILLED.items():
        give_value(
            country=nl,
            indicator=indicator(code),
            period=progress_period,
            user=staff_nl,
            note=f"Note of {code}",
            evidence_links="https://example.org/source",
            **typed,
        )
    return snapshot(nl, progress_period)


# --- the data-entry form --------------------------------------------------------------------------------

# Per row and form field: not sent, sent as the page shows it, or sent with something else.
choice = st.sampled_from(["omit", "same", "other"])
row_plan = st.fixed_dictionaries(
    {**{name: choice for name in FORM_FIELDS}, "version": st.sampled_from(["omit", "same", "stale"])}
)
page_plan = st.fixed_dictionaries({code: row_plan for code in (*FILLED, *EMPTY_ROWS)})
OTHER = {"value": "", "note": "Changed by the property test.", "evidence_links": "https://example.org/new"}


@HYPOTHESIS
@given(plan=page_plan)
def test_a_data_entry_post_changes_nothing_it_did_not_send(plan, filled, staff_nl, nl, progress_period):
    client = signed_in(staff_nl)
    url = reverse("data_entry", args=[nl.code, progress_period.pk])
    with rolled_back():
        full = entry_post(client.get(url))
        # The post: only the planned fields of the planned rows, nothing of any other row.
        data: dict[str, str] = {}
        for code, fields in plan.items():
            for name in FORM_FIELDS:
                if fields[name] != "omit":
                    data[f"{code}-{name}"] = full[f"{code}-{name}"] if fields[name] == "same" else OTHER[name]
            if fields["version"] != "omit":
                version = int(full[f"{code}-expected_version"])
                data[f"{code}-expected_version"] = str(
                    version + 5 if fields["version"] == "stale" else version
                )

        response = client.post(url, data)

        assert response.status_code in (302, 400, 409), response.status_code
        after = snapshot(nl, progress_period)
        for code, fields in plan.items():
            before = filled.get(code)
            sent = {name for name in FORM_FIELDS if fields[name] != "omit"}
            if before is None:
                # An empty row stays empty unless something was sent for it.
                assert code not in after or sent, code
                continue
            unsent = {"note", "evidence_links"} - sent
            value_fields = {"number_value", "boolean_value", "text_value"}
            kept = unsent | (value_fields if "value" not in sent else set())
            for name in kept:
                assert after[code][name] == before[name], (code, name, data)
            if fields["version"] == "omit" and after[code] != before:
                pytest.fail(f"{code} changed without the version it was based on: {data}")
            if fields["version"] == "stale":
                assert after[code] == before, (code, data)  # someone else's version: a conflict, no write


def test_a_one_row_post_leaves_every_other_row_and_field_alone(filled, staff_nl, nl, progress_period):
    """The report's case: a one-row POST once cleared 23 other values and their notes."""
    client = signed_in(staff_nl)
    url = reverse("data_entry", args=[nl.code, progress_period.pk])
    version = IndicatorValue.objects.get(indicator__code="VI-2", country=nl, period=progress_period).version
    response = client.post(url, {"VI-2-value": "250", "VI-2-expected_version": str(version)})
    assert response.status_code == 302
    after = snapshot(nl, progress_period)
    assert after["VI-2"]["number_value"] == Decimal(250) and after["VI-2"]["note"] == "Note of VI-2"
    assert {code: row for code, row in after.items() if code != "VI-2"} == {
        code: row for code, row in filled.items() if code != "VI-2"
    }


def test_a_change_without_its_version_is_refused_with_a_clear_message(filled, staff_nl, nl, progress_period):
    client = signed_in(staff_nl)
    url = reverse("data_entry", args=[nl.code, progress_period.pk])
    response = client.post(url, {"VI-2-value": "250"})
    assert response.status_code == 400
    assert "say which version of it your change is based on" in response.content.decode()
    assert snapshot(nl, progress_period) == filled


# --- the API --------------------------------------------------------------------------------------------

API_VALUES = {
    "number_value": st.sampled_from([None, "3", "7.5"]),
    "boolean_value": st.sampled_from([None, True, False]),
    "text_value": st.sampled_from(["", "words"]),
    "note": st.text(alphabet="abc xyz", max_size=12),
    "evidence_links": st.sampled_from([[], ["https://example.org/api"]]),
}
api_body = st.fixed_dictionaries({}, optional=API_VALUES)
api_version = st.sampled_from(["omit", "same", "stale"])


def send(client, method: str, url: str, body: dict):
    return client.generic(method, url, json.dumps(body), content_type="application/json")


def _with_version(body: dict, how: str, current: int) -> dict:
    if how == "omit":
        return body
    return {**body, "version": current + 5 if how == "stale" else current}


@HYPOTHESIS
@given(
    body=api_body,
    how=api_version,
    code=st.sampled_from(sorted(FILLED)),
    method=st.sampled_from(["PATCH", "POST"]),
)
def test_an_api_write_changes_nothing_it_did_not_send(
    body, how, code, method, filled, staff_nl, nl, progress_period
):
    client = signed_in(staff_nl)
    with rolled_back():
        value = IndicatorValue.objects.get(country=nl, period=progress_period, indicator__code=code)
        sent = _with_version(body, how, value.version)
        if method == "PATCH":
            response = send(client, "PATCH", f"/api/v1/values/{value.pk}/", sent)
        else:
            where = {"country": "NL", "indicator": code, "period": progress_period.pk}
            response = send(client, "POST", "/api/v1/values/", {**where, **sent})

        assert response.status_code in (200, 400, 409), response.content[:300]
        after = snapshot(nl, progress_period)
        for name in set(CONTENT) - set(body):
            assert after[code][name] == filled[code][name], (name, sent)
        for other in set(FILLED) - {code}:
            assert after[other] == filled[other]
        if how != "same":
            assert after[code] == filled[code], (how, sent)  # no version, or a stale one: nothing written


progress_body = st.fixed_dictionaries(
    {},
    optional={
        "completion": st.sampled_from(["limited", "complete"]),
        "narrative": st.text(alphabet="abc ", max_size=10),
        "evidence_links": st.sampled_from([[], ["https://example.org/p"]]),
    },
)


@HYPOTHESIS
@given(body=progress_body, how=api_version)
def test_an_api_progress_report_changes_nothing_it_did_not_send(body, how, staff_nl, nl, progress_period):
    commitment = CommitmentFactory(country=nl)
    item = services.commitment_progress_save(
        commitment=commitment,
        period=progress_period,
        user=staff_nl,
        completion="substantial",
        narrative="What was done.",
        evidence_links="https://example.org/evidence",
    )
    before = {name: getattr(item, name) for name in ("completion", "narrative", "evidence_links")}
    client = signed_in(staff_nl)
    with rolled_back():
        response = send(
            client,
            "POST",
            f"/api/v1/commitments/{commitment.pk}/progress/",
            {"period": progress_period.pk, **_with_version(body, how, item.version)},
        )
        assert response.status_code in (200, 400, 409), response.content[:300]
        now = CommitmentProgress.objects.get(pk=item.pk)
        for name in set(before) - set(body):
            assert getattr(now, name) == before[name], (name, body)
        if how != "same":
            assert {name: getattr(now, name) for name in before} == before
