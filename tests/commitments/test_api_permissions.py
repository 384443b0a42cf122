"""Who may do what through the API: one table, every endpoint and method, every kind of caller.

Each row is one request; each column what a caller gets. The rows run one after the other against the
same world (each inside a transaction that is rolled back), so a row's answer never depends on another.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.db import transaction
from django.test import Client
from drf_spectacular.generators import SchemaGenerator

from commitments.models import EvaluationRound
from tests.commitments.api_fixtures import World, quick_user, session_client, token_client

V1 = "/api/v1"
PERSONAS = [
    "anonymous",
    "partner",
    "limited",
    "revoked",
    "expired",
    "no_role",
    "minister",
    "staff_nl",
    "reviewer",
]

# What callers get by default: reads need any role or a valid token; writes need a staff or reviewer session.
READ = {
    "anonymous": 401, "revoked": 401, "expired": 401, "no_role": 403,
    "partner": 200, "limited": 200, "minister": 200, "staff_nl": 200, "reviewer": 200,
}  # fmt: skip
WRITE = {
    "anonymous": 401, "revoked": 401, "expired": 401, "no_role": 403,
    "partner": 403, "limited": 403, "minister": 403,
}  # fmt: skip
# Unapproved rows: only those who may edit the country see them; for the others they do not exist.
DRAFT_NL = {**READ, "partner": 404, "limited": 404, "minister": 404}
HIDDEN_FROM_LIMITED = {**READ, "limited": 404}
# A row that does not exist (no meeting or decision in the world): refused first, then not found.
NOT_FOUND = {**READ, **dict.fromkeys(["partner", "limited", "minister", "staff_nl", "reviewer"], 404)}


@dataclass
class Row:
    method: str
    path: Callable[[World], str]
    expected: dict[str, int]
    body: Callable[[World], dict] | None = None

    def __str__(self) -> str:
        return f"{self.method} {self.path.__doc__ or ''}"


def row(
    method: str, path: str | Callable[[World], str], expected: dict[str, int], body=None, **statuses: int
):
    """A table row; ``statuses`` are the write statuses of staff_nl and reviewer (or overrides)."""
    path_of = path if callable(path) else (lambda world, path=path: path)
    body_of = body if callable(body) or body is None else (lambda world, body=body: body)
    return Row(method=method, path=path_of, expected={**expected, **statuses}, body=body_of)


def value(key: tuple[str, str], suffix: str = "") -> Callable[[World], str]:
    return lambda world: f"{V1}/values/{world.values[key].pk}/{suffix}"


def commitment(code: str, suffix: str = "") -> Callable[[World], str]:
    return lambda world: f"{V1}/commitments/{world.commitments[code].pk}/{suffix}"


def recommendation(code: str, suffix: str = "") -> Callable[[World], str]:
    return lambda world: f"{V1}/recommendations/{world.recommendations[code].pk}/{suffix}"


def new_value(country: str, **extra):
    return lambda world: {"country": country, "indicator": "VI-3", "period": world.progress.pk, **extra}


def in_progress_period(**fields):
    return lambda world: {"period": world.progress.pk, **fields}


TABLE = [
    # --- reference data: read by all, changed by none (the admin changes it)
    row("GET", f"{V1}/countries/", READ),
    row("GET", f"{V1}/countries/NL/", HIDDEN_FROM_LIMITED),
    row("GET", f"{V1}/countries/BE/", READ),
    row("POST", f"{V1}/countries/", WRITE, {"code": "XX"}, staff_nl=405, reviewer=405),
    row("GET", f"{V1}/goals/", READ),
    row("GET", f"{V1}/goals/VICTIM_ID/", READ),
    row("GET", f"{V1}/indicators/", READ),
    row("GET", f"{V1}/indicators/VI-2/", READ),
    row("DELETE", f"{V1}/indicators/VI-2/", WRITE, staff_nl=405, reviewer=405),
    row("GET", f"{V1}/periods/", READ),
    row("GET", lambda world: f"{V1}/periods/{world.baseline.pk}/", READ),
    row("GET", f"{V1}/rounds/", READ),
    row("GET", lambda world: f"{V1}/rounds/{EvaluationRound.objects.get().pk}/", READ),
    # --- the change feed: read by all who read, each seeing their own view's changes
    row("GET", f"{V1}/changes/", READ),
    row("POST", f"{V1}/changes/", WRITE, {}, staff_nl=405, reviewer=405),
    # --- indicator values
    row("GET", f"{V1}/values/", READ),
    row("GET", value(("NL", "approved")), HIDDEN_FROM_LIMITED),
    row("GET", value(("BE", "approved")), READ),
    row("GET", value(("NL", "draft")), DRAFT_NL),
    row("GET", value(("NL", "submitted")), DRAFT_NL),
    row("GET", value(("NL", "returned")), DRAFT_NL),
    row("GET", value(("BE", "draft")), {**DRAFT_NL, "staff_nl": 404}),
    row("POST", f"{V1}/values/", WRITE, new_value("NL", number_value="12.5"), staff_nl=201, reviewer=201),
    row("POST", f"{V1}/values/", WRITE, new_value("BE", number_value="12.5"), staff_nl=403, reviewer=201),
    row("POST", f"{V1}/values/", WRITE, new_value("NL", boolean_value=True), staff_nl=400, reviewer=400),
    row(
        "PATCH",
        value(("NL", "draft")),
        WRITE,
        {"number_value": "45", "version": 1},
        staff_nl=200,
        reviewer=200,
    ),
    # A change that does not say which version it is based on is refused, never applied blindly.
    row("PATCH", value(("NL", "draft")), WRITE, {"number_value": "45"}, staff_nl=400, reviewer=400),
    row(
        "PATCH",
        value(("NL", "draft")),
        WRITE,
        {"number_value": "45", "version": 99},
        staff_nl=409,
        reviewer=409,
    ),
    row(
        "PATCH",
        value(("NL", "approved")),
        WRITE,
        {"number_value": "45", "version": 1},
        staff_nl=409,
        reviewer=409,
    ),
    row(
        "PATCH",
        value(("BE", "approved")),
        WRITE,
        {"number_value": "45", "version": 1},
        staff_nl=403,
        reviewer=409,
    ),
    row(
        "PATCH",
        value(("BE", "draft")),
        WRITE,
        {"number_value": "45", "version": 1},
        staff_nl=404,
        reviewer=200,
    ),
    row(
        "PUT", value(("NL", "draft")), WRITE, {"number_value": "45", "version": 1}, staff_nl=405, reviewer=405
    ),
    row("DELETE", value(("NL", "draft")), WRITE, staff_nl=405, reviewer=405),
    row(
        "POST",
        value(("NL", "draft"), "transition/"),
        WRITE,
        {"action": "submit", "version": 1},
        staff_nl=200,
        reviewer=200,
    ),
    row(
        "POST",
        value(("NL", "submitted"), "transition/"),
        WRITE,
        {"action": "approve", "version": 1},
        staff_nl=403,
        reviewer=200,
    ),
    row(
        "POST",
        value(("NL", "submitted"), "transition/"),
        WRITE,
        {"action": "return", "version": 1},
        staff_nl=403,
        reviewer=400,
    ),
    row(
        "POST",
        value(("NL", "approved"), "transition/"),
        WRITE,
        {"action": "approve", "version": 1},
        staff_nl=403,
        reviewer=409,
    ),
    # --- commitments and their progress
    row("GET", f"{V1}/commitments/", READ),
    row("GET", commitment("NL"), HIDDEN_FROM_LIMITED),
    row("GET", commitment("BE"), READ),
    row(
        "POST",
        f"{V1}/commitments/",
        WRITE,
        {
            "country": "NL",
            "goal": "PREVENTION",
            "title": "Run a school campaign",
            "committed_on": "2013-04-15",
        },
        staff_nl=201,
        reviewer=201,
    ),  # fmt: skip
    row(
        "POST",
        f"{V1}/commitments/",
        WRITE,
        {
            "country": "BE",
            "goal": "PREVENTION",
            "title": "Run a school campaign",
            "committed_on": "2013-04-15",
        },
        staff_nl=403,
        reviewer=201,
    ),  # fmt: skip
    row(
        "PATCH",
        commitment("NL"),
        WRITE,
        {"lead_organisation": "Ministry of Justice", "version": 1},
        staff_nl=200,
        reviewer=200,
    ),
    # A change to an existing text must say which version it is based on.
    row(
        "PATCH",
        commitment("NL"),
        WRITE,
        {"lead_organisation": "Ministry of Justice"},
        staff_nl=400,
        reviewer=400,
    ),
    row(
        "PATCH",
        commitment("BE"),
        WRITE,
        {"lead_organisation": "Ministry of Justice", "version": 1},
        staff_nl=403,
        reviewer=200,
    ),
    row("DELETE", commitment("NL"), WRITE, staff_nl=405, reviewer=405),
    row(
        "POST",
        commitment("NL", "progress/"),
        WRITE,
        in_progress_period(completion="complete", version=1),
        staff_nl=200,
        reviewer=200,
    ),  # fmt: skip
    row(
        "POST",
        commitment("NL", "transition/"),
        WRITE,
        in_progress_period(action="submit", version=1),
        staff_nl=200,
        reviewer=200,
    ),
    row(
        "POST",
        commitment("BE", "transition/"),
        WRITE,
        in_progress_period(action="submit", version=1),
        staff_nl=404,
        reviewer=200,
    ),
    # The commitment's own words go through the workflow too (reopen: reviewers only).
    row(
        "POST",
        commitment("NL", "review/"),
        WRITE,
        {"action": "submit", "version": 1},
        staff_nl=409,
        reviewer=409,
    ),
    row(
        "POST",
        commitment("NL", "review/"),
        WRITE,
        {"action": "reopen", "reason": "Typo.", "version": 1},
        staff_nl=403,
        reviewer=200,
    ),
    row(
        "POST",
        commitment("BE", "review/"),
        WRITE,
        {"action": "reopen", "reason": "Typo.", "version": 1},
        staff_nl=403,
        reviewer=200,
    ),
    # --- recommendations, responses and follow-ups
    row("GET", f"{V1}/recommendations/", READ),
    row("GET", recommendation("NL"), HIDDEN_FROM_LIMITED),
    row("GET", recommendation("alliance"), READ),
    row(
        "POST",
        f"{V1}/recommendations/",
        WRITE,
        {
            "country": "NL",
            "number": "9",
            "source_document": "Monitor 2014",
            "goal": "PREVENTION",
            "text": "Fund prevention.",
            "addressees": ["Ministry of Justice"],
            "issued_on": "2014-10-01",
        },
        staff_nl=201,
        reviewer=201,
    ),  # fmt: skip
    row(
        "POST",
        f"{V1}/recommendations/",
        WRITE,
        {
            "country": None,
            "number": "9",
            "source_document": "Monitor 2014",
            "goal": "PREVENTION",
            "text": "Fund prevention.",
            "addressees": ["Ministry of Justice"],
            "issued_on": "2014-10-01",
        },
        staff_nl=403,
        reviewer=201,
    ),  # fmt: skip
    row(
        "PATCH",
        recommendation("NL"),
        WRITE,
        {"text": "Invest more.", "version": 1},
        staff_nl=200,
        reviewer=200,
    ),
    row("PUT", recommendation("NL"), WRITE, {"text": "Invest more."}, staff_nl=405, reviewer=405),
    row(
        "PUT",
        recommendation("NL", "response/"),
        WRITE,
        {"response": "partially_adopted", "responded_on": "2014-03-01", "version": 1},
        staff_nl=200,
        reviewer=200,
    ),  # fmt: skip
    row(
        "POST",
        recommendation("NL", "review/"),
        WRITE,
        {"action": "reopen", "reason": "Quote the report.", "version": 1},
        staff_nl=403,
        reviewer=200,
    ),
    row(
        "POST",
        recommendation("NL", "response/review/"),
        WRITE,
        {"action": "reopen", "reason": "Give the paper's number.", "version": 1},
        staff_nl=403,
        reviewer=200,
    ),
    row(
        "POST",
        recommendation("NL", "follow-ups/"),
        WRITE,
        in_progress_period(follow_up="not_implemented", version=1),
        staff_nl=200,
        reviewer=200,
    ),  # fmt: skip
    row(
        "POST",
        recommendation("NL", "transition/"),
        WRITE,
        in_progress_period(action="submit", version=1),
        staff_nl=200,
        reviewer=200,
    ),  # fmt: skip
    row(
        "POST",
        recommendation("alliance", "transition/"),
        WRITE,
        in_progress_period(action="submit", version=1),
        staff_nl=404,
        reviewer=200,
    ),  # fmt: skip
    # --- ministerial meetings and decisions: read-only (drafts only for reviewers)
    row("GET", f"{V1}/meetings/", READ),
    row("GET", f"{V1}/meetings/0/", NOT_FOUND),
    row("POST", f"{V1}/meetings/", WRITE, {}, staff_nl=405, reviewer=405),
    row("GET", f"{V1}/decisions/", READ),
    row("GET", f"{V1}/decisions/0/", NOT_FOUND),
    row("POST", f"{V1}/decisions/", WRITE, {}, staff_nl=405, reviewer=405),
    # --- government-reported figures: read-only
    row("GET", f"{V1}/self-reported-values/", READ),
    row("POST", f"{V1}/self-reported-values/", WRITE, {}, staff_nl=405, reviewer=405),
    # --- spreadsheet import: a multipart upload, so a JSON body is refused once the caller may write
    row("POST", f"{V1}/imports/", WRITE, {}, staff_nl=415, reviewer=415),
]


def client_for(persona: str, request, tokens) -> Client:
    if persona == "anonymous":
        return Client()
    if persona in ("partner", "limited", "revoked", "expired"):
        return token_client(getattr(tokens, persona))
    if persona == "no_role":
        return session_client(quick_user("nadia-no-role", role=None))
    return session_client(request.getfixturevalue(persona))  # the personas of tests/conftest.py


@pytest.mark.parametrize("persona", PERSONAS)
def test_every_endpoint_and_method_answers_each_caller_as_the_table_says(persona, world, tokens, request):
    client = client_for(persona, request, tokens)
    answers = {}
    for number, entry in enumerate(TABLE):
        path = entry.path(world)
        body = json.dumps(entry.body(world)) if entry.body else None
        with transaction.atomic():
            response = client.generic(entry.method, path, body or "", content_type="application/json")
            transaction.set_rollback(True)
        answers[number, entry.method, path] = (response.status_code, response.content[:200])
    wrong = {
        key: answer
        for (number, method, path), answer in answers.items()
        for key in [(number, method, path)]
        if answer[0] != TABLE[number].expected[persona]
    }
    assert wrong == {}, f"{persona}: expected per TABLE, got {wrong}"


def test_the_table_covers_every_operation_of_the_schema(world):
    schema = SchemaGenerator().get_schema(request=None, public=True)
    tested = [(entry.method, entry.path(world)) for entry in TABLE]
    untested = [
        (method.upper(), template)
        for template, operations in schema["paths"].items()
        if template.startswith(f"{V1}/") and not template.startswith(f"{V1}/reports/")
        for method in operations
        if not any(
            tested_method == method.upper() and re.fullmatch(re.sub(r"\{[^}]+\}", "[^/]+", template), path)
            for tested_method, path in tested
        )
    ]
    assert untested == []


def test_an_account_without_a_role_is_told_why_it_is_refused(db):
    client = session_client(quick_user("nadia-no-role", role=None))
    response = client.get(f"{V1}/values/")
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    assert "no role" in response.json()["message"]
