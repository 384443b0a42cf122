"""The OpenAPI schema is valid and true: property-based requests (schemathesis) get documented answers.

Schemathesis reads /api/schema/ from the application itself and sends generated requests to every
operation, in process (WSGI), on the test database: as a partner token and as a signed-in reviewer
(who may write, so writes are exercised too). No answer may be a server error, and every answer must
match the schema: status code, content type, headers and body.
"""

from __future__ import annotations

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.management import call_command
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import Client
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from commitments.access import Role
from commitments.models import EvaluationRound
from tests.commitments.api_fixtures import quick_user

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
# Few examples per operation (28 operations, two callers), besides the schema's own examples (explicit
# phase): the whole file runs in well under a minute.
EXAMPLES = settings(
    max_examples=6,
    deadline=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
CSRF = "a" * 32  # any well-formed secret: the cookie and the header only have to agree


# Loaded once, at collection: the schema is public and generated without the database.
schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", WSGIHandler())
# The credentials are the fixtures' (a valid token, a valid session): not generated ones, always refused.
schema.config.generation.update(with_security_parameters=False)
# The coverage phase sends every boundary case of the schema; its negative half tripled the run time, and
# the generate phase sends invalid requests anyway. Positive boundaries keep the file well under a minute.
schema.config.phases.coverage.generation.update(modes=["positive"], with_security_parameters=False)


@pytest.fixture(autouse=True)
def keep_the_test_connection():
    """Django closes the database connection after each WSGI request; the test client avoids this, and so
    must these in-process requests, or the test's transaction would be closed under it."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def unthrottled(settings):
    """Hundreds of requests in a few seconds: the budgets are not what is tested here."""
    rates = {"partner": None, "user": None}
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}


@pytest.fixture
def partner_headers(world, tokens, unthrottled):
    return {"Authorization": f"Bearer {tokens.partner}"}


@pytest.fixture
def reviewer_session(world, unthrottled):
    """The cookies and header of a reviewer signed in through the browser session (writes need CSRF)."""
    client = Client()
    client.force_login(quick_user("schemathesis-reviewer", Role.REVIEWER))
    cookies = {"sessionid": client.cookies["sessionid"].value, "csrftoken": CSRF}
    return {"headers": {"X-CSRFToken": CSRF}, "cookies": cookies}


def aim_at_the_world(case, world) -> None:
    """Point generated ids and codes at rows that exist, so that details and writes are exercised too
    (random ids only ever find 404). Generated values stay in every other part of the request."""
    rows = {
        "values": [value.pk for value in world.values.values()],
        "commitments": [commitment.pk for commitment in world.commitments.values()],
        "recommendations": [recommendation.pk for recommendation in world.recommendations.values()],
        "periods": [world.baseline.pk, world.progress.pk],
        "rounds": list(EvaluationRound.objects.values_list("pk", flat=True)),
        "countries": ["NL", "BE", "DE"],
        "goals": ["VICTIM_ID"],
        "indicators": ["VI-1", "VI-2"],
    }
    resource = case.path.removeprefix("/api/v1/").split("/")[0]
    for name in ("id", "code"):
        if name in (case.path_parameters or {}) and resource in rows:
            choices = rows[resource]
            case.path_parameters[name] = choices[hash(repr(case.body)) % len(choices)]


@schema.parametrize()
@EXAMPLES
def test_partner_requests_are_answered_as_documented(case, partner_headers, world):
    aim_at_the_world(case, world)
    response = case.call_and_validate(headers=partner_headers, checks=CHECKS)
    assert response.status_code != 401, "the partner token must be accepted: the test would prove nothing"


@schema.parametrize()
@EXAMPLES
def test_reviewer_requests_are_answered_as_documented(case, reviewer_session, world):
    aim_at_the_world(case, world)
    response = case.call_and_validate(**reviewer_session, checks=CHECKS)
    assert response.status_code != 401, "the session must be accepted: the test would prove nothing"


def test_the_schema_is_valid_openapi_without_warnings(db, capsys):
    call_command("spectacular", "--validate", "--fail-on-warn", "--format", "openapi-json")
    assert '"openapi": "3.0.3"' in capsys.readouterr().out


def test_every_operation_documents_its_errors_in_the_one_error_shape(db):
    body = Client().get("/api/schema/", {"format": "json"}).json()
    assert body["components"]["securitySchemes"]["partnerToken"] == {
        "type": "http",
        "scheme": "bearer",
        "description": body["components"]["securitySchemes"]["partnerToken"]["description"],
    }
    for path, operations in body["paths"].items():
        for method, operation in operations.items():
            for code in ("400", "401", "403", "404", "429"):
                content = operation["responses"][code]["content"]["application/json"]
                assert content["schema"] == {"$ref": "#/components/schemas/Error"}, (method, path, code)
            assert "Retry-After" in operation["responses"]["429"]["headers"]
            if method == "get":
                assert "ETag" in operation["responses"]["200"]["headers"]
                assert "304" in operation["responses"]


def test_an_unknown_api_address_answers_in_the_error_shape(db):
    response = Client().get("/api/v1/no-such-thing/")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
