"""Partner tokens: made and revoked by administrators, stored hashed, refused when revoked or expired,
attributable request by request, and throttled each on its own budget."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from io import StringIO

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.utils import timezone

from commitments import access, services
from commitments.api.authentication import PartnerAccess, PartnerUser
from commitments.models import Country, PartnerToken
from tests.commitments.api_fixtures import session_client, token_client

V1 = "/api/v1"


def command(*args: str) -> str:
    out = StringIO()
    call_command("partner_token", *args, stdout=out)
    return out.getvalue()


# --- creating, storing, revoking ------------------------------------------------------------------------


def test_a_token_is_stored_as_the_sha256_of_its_key_and_never_as_itself(db):
    token, key = services.partner_token_create(name="INHOPE statistics")
    stored = PartnerToken.objects.values().get(pk=token.pk)
    assert stored["key_hash"] == hashlib.sha256(key.encode()).hexdigest()
    assert key not in {str(value) for value in stored.values()}
    assert stored["key_prefix"] == key[:8]
    assert len(key) >= 40


def test_the_token_service_refuses_a_past_expiry_and_a_duplicate_name(db):
    with pytest.raises(ValidationError):
        services.partner_token_create(name="Pilot", expires_at=timezone.now() - dt.timedelta(days=1))
    services.partner_token_create(name="Pilot")
    with pytest.raises(ValidationError):
        services.partner_token_create(name="Pilot")


def test_the_command_prints_the_key_once_and_lists_tokens_without_it(db):
    out = command("create", "INHOPE statistics", "--countries", "nl,BE", "--expires", "2099-01-01")
    key = out.strip().splitlines()[-1]
    token = PartnerToken.objects.get(name="INHOPE statistics")
    assert token.key_hash == PartnerToken.hash_key(key)
    assert sorted(token.countries.values_list("code", flat=True)) == ["BE", "NL"]
    assert timezone.localtime(token.expires_at).date() == dt.date(2099, 1, 1)

    listing = command("list")
    assert "INHOPE statistics" in listing and "BE,NL" in listing and "active" in listing
    assert key not in listing

    assert "Revoked" in command("revoke", "INHOPE statistics")
    assert "revoked" in command("list")
    assert "already revoked" in command("revoke", "INHOPE statistics")


def test_the_command_names_unknown_countries_and_bad_dates(db):
    with pytest.raises(CommandError, match="XX"):
        command("create", "Pilot", "--countries", "NL,XX")
    with pytest.raises(CommandError, match="--expires"):
        command("create", "Pilot", "--expires", "next year")
    with pytest.raises(CommandError, match="No partner token"):
        command("revoke", "Nobody")


def test_administrators_create_a_token_in_the_admin_and_see_its_key_once(db, administrator):
    client = session_client(administrator)
    nl = Country.objects.get(code="NL")
    response = client.post(
        "/admin/commitments/partnertoken/add/", {"name": "Eurostat", "countries": [nl.pk], "expires_at_0": ""}
    )
    assert response.status_code == 200, response.content
    token = PartnerToken.objects.get(name="Eurostat")
    key = response.context["key"]
    assert token.key_hash == PartnerToken.hash_key(key) and token.created_by == administrator
    assert list(token.countries.all()) == [nl]
    assert key.encode() in response.content
    assert key.encode() not in client.get(f"/admin/commitments/partnertoken/{token.pk}/change/").content


def test_administrators_revoke_tokens_in_the_admin_and_cannot_delete_them(db, administrator, tokens):
    client = session_client(administrator)
    response = client.post(
        "/admin/commitments/partnertoken/",
        {"action": "revoke", "_selected_action": [tokens.ids["partner"]]},
        follow=True,
    )
    assert response.status_code == 200
    token = PartnerToken.objects.get(pk=tokens.ids["partner"])
    assert token.revoked_at is not None and token.revoked_by == administrator
    assert token_client(tokens.partner).get(f"{V1}/goals/").status_code == 401
    assert client.get(f"/admin/commitments/partnertoken/{token.pk}/delete/").status_code == 403
    history = token.history.order_by("history_date")
    assert [(record.history_change_reason, record.history_user) for record in history] == [
        ("created", None),
        ("revoked", administrator),
    ]


# --- authenticating ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "code"),
    [
        ("Bearer not-a-token", "token_invalid"),
        ("Bearer two parts", "token_malformed"),
        ("Bearer", "token_malformed"),
    ],
)
def test_bad_credentials_are_refused_with_a_reason(db, header, code):
    response = Client(headers={"Authorization": header}).get(f"{V1}/goals/")
    assert response.status_code == 401
    assert response.json()["code"] == code
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'


def test_revoked_and_expired_tokens_are_refused_and_say_so(db, tokens):
    revoked = token_client(tokens.revoked).get(f"{V1}/goals/")
    expired = token_client(tokens.expired).get(f"{V1}/goals/")
    assert (revoked.status_code, revoked.json()["code"]) == (401, "token_revoked")
    assert (expired.status_code, expired.json()["code"]) == (401, "token_expired")


def test_every_token_request_is_logged_with_the_token_id(db, tokens, caplog):
    with caplog.at_level(logging.INFO, logger="commitments.api"):
        token_client(tokens.partner).get(f"{V1}/goals/?page=1")
        token_client(tokens.revoked).get(f"{V1}/goals/")
    messages = [record.getMessage() for record in caplog.records if record.name == "commitments.api"]
    assert (
        f"API request by partner token {tokens.ids['partner']} (Interpol ICSE sync): GET /api/v1/goals/"
        in messages
    )
    assert any(
        f"partner token {tokens.ids['revoked']} " in message and "revoked" in message for message in messages
    )


def test_last_used_is_recorded_at_most_once_a_minute(db, tokens, django_assert_num_queries):
    client = token_client(tokens.partner)
    last_used = lambda: PartnerToken.objects.get(pk=tokens.ids["partner"]).last_used_at  # noqa: E731
    # A write is refused right after authentication, so these requests show the token's own queries.
    with django_assert_num_queries(2):  # the token with its countries; the UPDATE of last_used_at
        assert client.post(f"{V1}/goals/").status_code == 403
    first = last_used()
    assert first is not None
    with django_assert_num_queries(1):  # the token only: last_used_at is less than a minute old
        client.post(f"{V1}/goals/")
    assert last_used() == first
    PartnerToken.objects.filter(pk=tokens.ids["partner"]).update(last_used_at=first - dt.timedelta(minutes=2))
    client.post(f"{V1}/goals/")
    assert last_used() > first


def test_a_partner_counts_as_signed_in_with_no_role_and_no_country(db):
    user = PartnerUser(PartnerAccess(token_id=1, name="Interpol", key_prefix="abcdefgh", country_ids=None))
    nl = Country.objects.get(code="NL")
    assert user.is_authenticated and not user.is_anonymous
    assert not access.can_edit_country(user, nl) and not access.can_read_drafts(user, nl)
    assert not access.is_reviewer(user) and not access.is_minister(user)


def test_a_partner_token_cannot_write_even_with_a_session_cookie(db, tokens, reviewer, world):
    client = session_client(reviewer)
    response = client.patch(
        f"{V1}/values/{world.values['NL', 'draft'].pk}/",
        {"note": "changed"},
        content_type="application/json",
        headers={"Authorization": f"Bearer {tokens.partner}"},
    )
    assert response.status_code == 403
    assert response.json()["message"] == "Partner tokens are read-only."


# --- throttling -------------------------------------------------------------------------------------------


@pytest.fixture
def tight_budget(settings, tokens):
    """Three requests a minute per token; the counters of this run's tokens start empty."""
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"partner": "3/min", "user": "5/min"},
    }
    cache.delete_many([f"budget_partner_{token_id}" for token_id in tokens.ids.values()])
    yield
    cache.delete_many([f"budget_partner_{token_id}" for token_id in tokens.ids.values()])


def test_a_token_over_its_budget_gets_429_with_retry_after(db, tokens, tight_budget):
    client = token_client(tokens.partner)
    assert [client.get(f"{V1}/goals/").status_code for _ in range(3)] == [200, 200, 200]
    response = client.get(f"{V1}/goals/")
    assert response.status_code == 429
    body = response.json()
    assert body["code"] == "throttled" and body["status"] == 429
    assert 0 < body["retry_after"] <= 60
    assert response["Retry-After"] == str(body["retry_after"])
    assert f"{body['retry_after']} seconds" in body["message"]
    # Budgets are per token: another partner is not held up.
    assert token_client(tokens.limited).get(f"{V1}/goals/").status_code == 200


def test_signed_in_users_have_their_own_budget(db, staff_nl, tight_budget):
    cache.delete(f"budget_user_{staff_nl.pk}")
    client = session_client(staff_nl)
    codes = [client.get(f"{V1}/goals/").status_code for _ in range(6)]
    cache.delete(f"budget_user_{staff_nl.pk}")
    assert codes == [200] * 5 + [429]
