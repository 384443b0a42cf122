"""Bad input on the invitation paths and the authenticator set-up: a clear error, the form again, one
account at most, nothing half-written."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import services
from accounts.models import Invitation
from alliance_monitor import auth

pytestmark = pytest.mark.django_db

PASSWORD = "a long and unusual passphrase 81"
# Addresses as long as an address may be (254), alike in their first 150 characters.
LONG_LOCAL = "l" * 64
LONG_DOMAIN = ".".join(["d" * 63, "e" * 63, "f" * 50])


def long_email(tail: str) -> str:
    return f"{LONG_LOCAL}@{LONG_DOMAIN}{tail}.example"


def invite(administrator, **fields) -> tuple[Invitation, str]:
    """An invitation and its link, without the email (the link's token is only in the email)."""
    values = {"email": "official@gov.example", "role": "Reviewer", "country": None, "language": "en"}
    values.update(fields)
    invitation = services.invitation_send(invited_by=administrator, **values)
    token = "known-token-" + str(invitation.pk)
    Invitation.objects.filter(pk=invitation.pk).update(token_hash=services.token_hash(token))
    return invitation, f"/accounts/invitation/{token}/"


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"email": ""}, "This field cannot be blank."),
        ({"email": "   "}, "This field cannot be blank."),
        ({"email": "not an address"}, "Enter a valid email address."),
        ({"email": ["a@b.example"]}, "Enter text, not a number, a list or an object."),
        ({"email": 42}, "Enter text, not a number, a list or an object."),
        ({"role": "Superuser"}, "is not a valid choice"),
        ({"language": "fr"}, "is not a valid choice"),
        ({"role": "Focal point"}, "A focal point is invited for one country: choose it."),
        ({"email": long_email("a")}, "at most 150 characters"),
    ],
)
def test_the_invitation_service_refuses_bad_input(administrator, fields, message):
    with pytest.raises(ValidationError) as refused:
        invite(administrator, **fields)
    assert message in " ".join(refused.value.messages)
    assert not Invitation.objects.exists()


def test_two_long_addresses_alike_at_the_start_are_refused_before_they_clash(administrator):
    """A user name holds 150 characters; two longer addresses used to become the same account name."""
    with pytest.raises(ValidationError):
        invite(administrator, email=long_email("a"))
    with pytest.raises(ValidationError):
        invite(administrator, email=long_email("b"))
    assert not Invitation.objects.exists()


@pytest.fixture
def admin_client(administrator) -> Client:
    client = Client()
    client.force_login(administrator)
    session = client.session
    session[auth.SESSION_KEY] = auth.DONE
    session.save()
    return client


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"email": ""}, "This field is required."),
        ({"email": "nobody"}, "Enter a valid email address."),
        ({"email": "o\x00fficial@gov.example"}, "Null characters are not allowed."),
        ({"email": long_email("a")}, "at most 150 characters"),
        ({"role": "Superuser"}, "Select a valid choice."),
        ({"role": "Focal point"}, "A focal point is invited for one country: choose it."),
        ({"country": "999999"}, "Select a valid choice."),
        ({"language": "xx"}, "Select a valid choice."),
    ],
)
def test_the_admin_invitation_form_refuses_bad_input(admin_client, data, message):
    values = {"email": "reviewer@secretariat.example", "role": "Reviewer", "country": "", "language": "en"}
    response = admin_client.post("/admin/accounts/invitation/add/", {**values, **data})
    assert response.status_code == 200  # the admin shows its form again
    assert message in response.content.decode()
    assert not Invitation.objects.exists()


def test_the_admin_refuses_an_invitation_for_an_existing_account(admin_client, reviewer):
    get_user_model().objects.filter(pk=reviewer.pk).update(email="taken@secretariat.example")
    response = admin_client.post(
        "/admin/accounts/invitation/add/",
        {"email": " TAKEN@secretariat.example ", "role": "Reviewer", "country": "", "language": "en"},
    )
    assert "Somebody already has an account with this email address." in response.content.decode()
    assert not Invitation.objects.exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"new_password1": PASSWORD, "new_password2": PASSWORD + "x"}, "The two password fields didn"),
        ({"new_password1": "short", "new_password2": "short"}, "This password is too short."),
        ({"new_password1": "", "new_password2": ""}, "This field is required."),
        ({"new_password1": "pass\x00word long enough", "new_password2": "x"}, "Null characters"),
    ],
)
def test_the_invitation_page_refuses_a_bad_password_and_makes_no_account(administrator, data, message):
    invitation, path = invite(administrator)
    response = Client().post(path, data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not get_user_model().objects.filter(email=invitation.email).exists()
    invitation.refresh_from_db()
    assert invitation.used_at is None


def test_the_invitation_page_speaks_dutch(administrator):
    _invitation, path = invite(administrator)
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "nl"
    response = client.post(path, {"new_password1": PASSWORD, "new_password2": PASSWORD + "x"})
    assert response.status_code == 400
    assert "De twee wachtwoordvelden komen niet overeen." in response.content.decode()


def test_a_double_post_of_the_invitation_page_makes_one_account(administrator):
    invitation, path = invite(administrator)
    data = {"new_password1": PASSWORD, "new_password2": PASSWORD}
    assert Client().post(path, data).status_code == 302
    assert Client().post(path, data).status_code == 404
    assert get_user_model().objects.filter(email=invitation.email).count() == 1


@pytest.mark.parametrize("token", ["unknown", "x" * 500, "%00", "caf%C3%A9", "%FF%FE", "known-token-0"])
def test_an_unknown_or_odd_link_opens_nothing(administrator, token):
    invite(administrator)
    response = Client().post(f"/accounts/invitation/{token}/", {"new_password1": PASSWORD})
    assert response.status_code == 404
    assert Invitation.objects.get().used_at is None


def test_an_expired_link_opens_nothing(administrator):
    invitation, path = invite(administrator)
    Invitation.objects.filter(pk=invitation.pk).update(
        expires_at=invitation.created_at - dt.timedelta(hours=1)
    )
    assert Client().post(path, {"new_password1": PASSWORD, "new_password2": PASSWORD}).status_code == 404
    assert not get_user_model().objects.filter(email=invitation.email).exists()


# --- the authenticator set-up -----------------------------------------------------------------------------


@pytest.fixture
def setting_up(staff_nl) -> Client:
    client = Client()
    client.force_login(staff_nl)
    assert client.get("/accounts/two-factor/").status_code == 200  # the pending device
    return client


@pytest.mark.parametrize(
    ("token", "message"),
    [
        ("", "This field is required."),
        ("abcdef", "The code is the six digits your app shows."),
        ("12345", "at least 6 characters"),
        ("123456789", "at most 8 characters"),
        ("12\x003456", "Null characters are not allowed."),
        ("000000", "That code is not right."),
    ],
)
def test_the_authenticator_set_up_refuses_a_bad_code(setting_up, staff_nl, token, message):
    device = TOTPDevice.objects.get(user=staff_nl)
    if token == "000000" and totp(device.bin_key) == 0:  # the one moment the right code is 000000
        token = "000001"
    response = setting_up.post("/accounts/two-factor/", {"token": token})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not TOTPDevice.objects.filter(user=staff_nl, confirmed=True).exists()


def test_the_authenticator_set_up_speaks_dutch(setting_up, staff_nl):
    setting_up.cookies[settings.LANGUAGE_COOKIE_NAME] = "nl"
    response = setting_up.post("/accounts/two-factor/", {"token": "abcdef"})
    assert response.status_code == 400
    assert "De code bestaat uit de zes cijfers die uw app toont." in response.content.decode()


def test_a_code_used_once_does_not_confirm_twice(setting_up, staff_nl):
    device = TOTPDevice.objects.get(user=staff_nl)
    code = f"{totp(device.bin_key):06d}"
    assert setting_up.post("/accounts/two-factor/", {"token": code}).status_code == 302
    # The same code again (a double click) neither adds a second authenticator nor replaces the first.
    response = setting_up.post("/accounts/two-factor/", {"token": code})
    assert response.status_code in (302, 400)
    assert list(TOTPDevice.objects.filter(user=staff_nl, confirmed=True)) == [device]
