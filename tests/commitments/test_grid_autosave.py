"""The grid's autosave, server side: the payloads static/js/grid.js sends for a row that already holds a
draft change what they carry and nothing else; the form the grid falls back to does the same."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from django.urls import reverse

from commitments.grid_views import GRID_RENDERER
from commitments.models import IndicatorValue, Status
from tests.commitments.views_support import give_value, signed_in

pytestmark = pytest.mark.django_db

LINKS = "https://example.invalid/ministry-report\nhttps://example.invalid/annex"
# A draft of each kind of cell the grid shows, and what grid.js sends when that cell is changed.
DRAFTS = {
    "VI-2": ({"number_value": Decimal(240)}, {"number_value": "245"}),
    "VI-3": ({"number_value": Decimal("12.5")}, {"number_value": "13"}),
    "VI-1": ({"boolean_value": True}, {"boolean_value": False}),
    "PR-1": ({"number_value": Decimal(2)}, {"number_value": "3"}),
}
CONTENT = ("number_value", "boolean_value", "text_value", "note", "evidence_links")


def content(value: IndicatorValue) -> dict:
    return {name: getattr(value, name) for name in CONTENT}


def send(client, method: str, path: str, body: dict):
    return client.generic(method, path, json.dumps(body), content_type="application/json")


@pytest.fixture
def drafts(staff_nl, nl, indicator, progress_period) -> dict[str, IndicatorValue]:
    return {
        code: give_value(
            country=nl,
            indicator=indicator(code),
            period=progress_period,
            user=staff_nl,
            note=f"Note of {code}",
            evidence_links=LINKS,
            **typed,
        )
        for code, (typed, _change) in DRAFTS.items()
    }


@pytest.mark.parametrize("code", sorted(DRAFTS))
@pytest.mark.parametrize("cells", [("value",), ("note",), ("value", "note")], ids="+".join)
def test_an_autosave_changes_only_the_cells_it_sends(drafts, staff_nl, code, cells):
    draft = drafts[code]
    before = content(draft)
    body: dict = {"version": draft.version}
    if "value" in cells:
        body.update(DRAFTS[code][1])
    if "note" in cells:
        body["note"] = "Changed in the grid"
    response = send(signed_in(staff_nl), "PATCH", f"/api/v1/values/{draft.pk}/", body)
    assert response.status_code == 200, response.content
    draft.refresh_from_db()
    after = content(draft)
    changed = {name for name in CONTENT if after[name] != before[name]}
    expected = ({"note"} if "note" in cells else set()) | (
        set(DRAFTS[code][1]) if "value" in cells else set()
    )
    assert changed == expected
    assert after["evidence_links"] == LINKS and draft.status == Status.DRAFT
    others = {other.pk: content(other) for other in drafts.values() if other.pk != draft.pk}
    assert {pk: content(IndicatorValue.objects.get(pk=pk)) for pk in others} == others


def test_emptying_the_value_cell_keeps_the_note_and_the_links(drafts, staff_nl):
    draft = drafts["VI-2"]
    response = send(
        signed_in(staff_nl), "PATCH", f"/api/v1/values/{draft.pk}/", {"number_value": None, "version": 1}
    )
    assert response.status_code == 200, response.content
    draft.refresh_from_db()
    assert (draft.number_value, draft.note, draft.evidence_links) == (None, "Note of VI-2", LINKS)


def test_a_row_created_by_someone_else_is_saved_by_post_with_its_version_and_keeps_the_rest(
    drafts, staff_nl, progress_period
):
    """After "Keep mine" on a row that was empty when the page was loaded, grid.js posts the row again
    (it has no id yet) with the version it was shown."""
    client = signed_in(staff_nl)
    body = {"country": "NL", "indicator": "VI-2", "period": progress_period.pk, "note": "Mine"}
    refused = send(client, "POST", "/api/v1/values/", {**body, "version": 0})
    assert refused.status_code == 409 and refused.json()["current_version"] == 1
    saved = send(client, "POST", "/api/v1/values/", {**body, "version": 1})
    assert saved.status_code == 200, saved.content
    draft = drafts["VI-2"]
    draft.refresh_from_db()
    assert (draft.number_value, draft.note, draft.evidence_links) == (240, "Mine", LINKS)


def test_a_stale_autosave_is_a_conflict_that_says_what_changed_and_changes_nothing(drafts, staff_nl):
    draft = drafts["VI-2"]
    client = signed_in(staff_nl)
    first = send(client, "PATCH", f"/api/v1/values/{draft.pk}/", {"number_value": "250", "version": 1})
    assert first.status_code == 200
    stale = send(client, "PATCH", f"/api/v1/values/{draft.pk}/", {"note": "Second person", "version": 1})
    assert stale.status_code == 409
    assert stale.json()["current_version"] == 2
    assert stale.json()["changes"]["number_value"] == ["240.0000", "250.0000"]
    draft.refresh_from_db()
    assert (draft.number_value, draft.note, draft.version) == (250, "Note of VI-2", 2)


def test_the_grid_form_keeps_the_links_and_a_note_it_does_not_carry(drafts, staff_nl, nl, progress_period):
    """Without JavaScript the grid posts value, note and version; a client that drops the note cell must
    not blank it either."""
    url = reverse("data_grid", args=[nl.code, progress_period.pk])
    response = signed_in(staff_nl).post(url, {"NL-VI-2-value": "245", "NL-VI-2-expected_version": "1"})
    assert response.status_code == 302, response.content.decode()[:2000]
    changed, untouched = drafts["VI-2"], drafts["VI-3"]
    changed.refresh_from_db()
    untouched.refresh_from_db()
    assert (changed.number_value, changed.note, changed.evidence_links, changed.version) == (
        245,
        "Note of VI-2",
        LINKS,
        2,
    )
    assert (untouched.number_value, untouched.note, untouched.version) == (Decimal("12.5"), "Note of VI-3", 1)


def test_the_grid_renderer_writes_the_same_html_as_djangos_templates(
    staff_nl, nl, indicator, progress_period
):
    """The goal grid renders its ~1,000 widgets in Python (grid_views.GridRenderer) for speed: each
    widget and error list must come out as Django's templates write it, escaping included."""
    import re

    from django.forms.renderers import DjangoTemplates

    give_value(
        country=nl,
        indicator=indicator("VI-2"),
        period=progress_period,
        user=staff_nl,
        number="1234.5",
        note='<b>"Ministry" & co</b>',
    )
    give_value(
        country=nl, indicator=indicator("VI-1"), period=progress_period, user=staff_nl, boolean_value=True
    )
    url = reverse("data_grid", args=[nl.code, progress_period.pk])
    client = signed_in(staff_nl)
    shown = client.get(url)
    invalid = client.post(
        url, {"NL-VI-5-value": "many", "NL-VI-5-expected_version": "0", "NL-PR-1-value": "9"}
    )
    assert invalid.status_code == 400

    def plain(html: str) -> str:
        return re.sub(r">\s+<", "><", str(html)).strip()

    compared = 0
    for response in (shown, invalid):
        for row in response.context["grid"].rows:
            if not row.is_editable:
                continue
            for name in ("value", "note", "expected_version"):
                field = row.form[name]
                fast = plain(field) + plain(field.errors)
                row.form.renderer = DjangoTemplates()
                slow = plain(field) + plain(field.errors)
                row.form.renderer = GRID_RENDERER
                assert fast == slow, (row.key, name)
                compared += 1
    assert compared > 200
    page = invalid.content.decode()
    assert "&lt;b&gt;&quot;Ministry&quot; &amp; co&lt;/b&gt;" in shown.content.decode()
    assert 'class="errorlist"' in page and "NL-VI-5-value_error" in page
