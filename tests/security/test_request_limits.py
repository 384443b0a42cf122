"""Request limits: a body over DATA_UPLOAD_MAX_MEMORY_SIZE (2 MiB), or more fields than
DATA_UPLOAD_MAX_NUMBER_FIELDS, gets a clear 413 or 400 (a page that says why; under /api/, the API's
error shape), never a 500, and nothing is saved. A request within the limits still works.
"""

from __future__ import annotations

import io
import json
from urllib.parse import urlencode

import pytest
from axes.models import AccessAttempt
from django.conf import settings as django_settings
from django.test import Client

from commitments.models import Commitment, Goal

KIB = 1024


@pytest.fixture
def staff(staff_nl, settings) -> Client:
    settings.TWO_FACTOR_REQUIRED_FOR_REVIEWERS = False
    client = Client()
    client.force_login(staff_nl)
    return client


@pytest.fixture
def commitment(db) -> dict[str, str]:
    """A valid new commitment of the Netherlands, as the form posts it."""
    goal = Goal.objects.get(code="PREVENTION")
    return {"goal": str(goal.pk), "title": "School programme", "committed_on": "2013-04-15"}


def limit() -> int:
    return django_settings.DATA_UPLOAD_MAX_MEMORY_SIZE


def form_body(fields: dict[str, str]) -> str:
    return urlencode(fields)


def too_many(count: int | None = None) -> dict[str, str]:
    return {
        f"field{number}": "1"
        for number in range((count or django_settings.DATA_UPLOAD_MAX_NUMBER_FIELDS) + 1)
    }


def assert_refusal_page(response, status: int) -> None:
    assert response.status_code == status
    page = response.content.decode()
    assert "The request was not accepted" in page and "Nothing was saved." in page


def assert_api_error(response, status: int, code: str) -> None:
    assert response.status_code == status
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["status"] == status and body["code"] == code and body["message"]


# --- a form page ----------------------------------------------------------------------------------------

NEW_COMMITMENT = "/countries/NL/commitments/new/"


def test_a_form_over_the_size_limit_is_refused_with_413_and_nothing_is_saved(staff, commitment):
    body = form_body({**commitment, "description": "x" * limit()})

    response = staff.post(NEW_COMMITMENT, body, content_type="application/x-www-form-urlencoded")

    assert_refusal_page(response, 413)
    assert "A request may be at most 2.0\xa0MB" in response.content.decode()
    assert not Commitment.objects.exists()


def test_a_file_in_a_form_counts_against_the_limit_too(staff, commitment):
    """Django exempts file parts from the limit; no page takes a file, so they are refused like the rest."""
    attachment = io.BytesIO(b"z" * (limit() + KIB))
    attachment.name = "big.pdf"

    response = staff.post(NEW_COMMITMENT, {**commitment, "attachment": attachment})

    assert_refusal_page(response, 413)
    assert not Commitment.objects.exists()


def test_a_form_within_the_size_limit_is_saved(staff, commitment):
    # Unknown fields are ignored: the body is large, the commitment is not.
    body = form_body({**commitment, "padding": "x" * (limit() - 64 * KIB)})

    response = staff.post(NEW_COMMITMENT, body, content_type="application/x-www-form-urlencoded")

    assert response.status_code == 302
    assert Commitment.objects.get().title == "School programme"


def test_a_form_with_too_many_fields_is_refused_with_400_and_nothing_is_saved(staff, commitment):
    response = staff.post(NEW_COMMITMENT, {**commitment, **too_many()})

    assert_refusal_page(response, 400)
    assert not Commitment.objects.exists()


def test_the_sign_in_page_refuses_an_oversized_body_without_counting_a_failed_sign_in(db, staff_nl):
    body = form_body({"username": staff_nl.get_username(), "password": "x" * limit()})

    response = Client().post("/accounts/login/", body, content_type="application/x-www-form-urlencoded")

    assert_refusal_page(response, 413)
    assert not AccessAttempt.objects.exists()


def test_the_sign_in_page_refuses_too_many_fields_with_400(db):
    response = Client().post("/accounts/login/", {"username": "someone", "password": "secret", **too_many()})

    assert_refusal_page(response, 400)


# --- an API endpoint ------------------------------------------------------------------------------------

NEW_COMMITMENT_API = "/api/v1/commitments/"
API_COMMITMENT = {
    "country": "NL",
    "goal": "PREVENTION",
    "title": "School programme",
    "committed_on": "2013-04-15",
}


def test_an_api_body_over_the_size_limit_is_refused_with_413_in_the_api_error_shape(staff):
    body = json.dumps({**API_COMMITMENT, "description": "x" * limit()})

    response = staff.post(NEW_COMMITMENT_API, body, content_type="application/json")

    assert_api_error(response, 413, "too_large")
    assert "2.0\xa0MB" in response.json()["message"]
    assert not Commitment.objects.exists()


def test_an_api_body_within_the_size_limit_is_answered_as_usual(staff):
    body = json.dumps({**API_COMMITMENT, "padding": "x" * (limit() - 64 * KIB)})

    response = staff.post(NEW_COMMITMENT_API, body, content_type="application/json")

    assert response.status_code == 201
    assert Commitment.objects.get().title == "School programme"


def test_an_api_query_with_too_many_fields_is_refused_with_400_in_the_api_error_shape(staff):
    response = staff.get(f"{NEW_COMMITMENT_API}?{urlencode(too_many())}")

    assert_api_error(response, 400, "bad_request")


def test_a_partner_token_gets_the_same_answers(db, staff, commitment):
    from commitments import services

    _token, key = services.partner_token_create(name="Limits test partner")
    partner = Client(headers={"Authorization": f"Bearer {key}"})

    assert_api_error(partner.generic("GET", NEW_COMMITMENT_API, "x" * (limit() + 1)), 413, "too_large")
    assert_api_error(partner.get(f"{NEW_COMMITMENT_API}?{urlencode(too_many())}"), 400, "bad_request")
