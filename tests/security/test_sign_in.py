"""Signing in: lock-out after failed passwords, two-factor sign-in with an authenticator app (TOTP)."""

from __future__ import annotations

import datetime as dt

import pytest
from axes.models import AccessAttempt
from django.conf import settings as django_settings
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from alliance_monitor import auth
from tests.factories import TEST_PASSWORD, UserFactory

WRONG_PASSWORD = "not-the-password-at-all"


def code_for(device: TOTPDevice, steps_ahead: int = 0) -> str:
    """The code the user's phone shows now (or ``steps_ahead`` periods later: a fresh code, not a replay)."""
    device.refresh_from_db()
    drift = device.drift + steps_ahead
    value = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=drift)
    return f"{value:0{device.digits}d}"


def sign_in(client, user, password: str = TEST_PASSWORD):
    return client.post(reverse("login"), {"username": user.get_username(), "password": password})


@pytest.fixture
def two_factor_required(settings):
    settings.TWO_FACTOR_REQUIRED_FOR_REVIEWERS = True


@pytest.fixture
def two_factor_optional(settings):
    settings.TWO_FACTOR_REQUIRED_FOR_REVIEWERS = False


# --- lock-out after failed passwords ------------------------------------------------------------------


def lock_out(client, user):
    limit = django_settings.AXES_FAILURE_LIMIT
    for _ in range(limit - 1):
        response = sign_in(client, user, WRONG_PASSWORD)
        assert response.status_code == 200  # the sign-in page again, with its error
    return sign_in(client, user, WRONG_PASSWORD)


def test_the_account_is_locked_after_the_failure_limit_with_a_clear_page(client, staff_nl):
    response = lock_out(client, staff_nl)

    assert response.status_code == 429
    page = response.content.decode()
    assert "Sign-in locked" in page
    assert f"a wrong password {django_settings.AXES_FAILURE_LIMIT} times in a row" in page
    assert "ask an administrator" in page
    # Even the right password does not get in while the account is locked.
    assert sign_in(client, staff_nl).status_code == 429
    assert "_auth_user_id" not in client.session


def test_signing_in_to_another_account_does_not_reset_the_count(client, staff_nl, staff_be):
    for _ in range(django_settings.AXES_FAILURE_LIMIT - 1):
        sign_in(client, staff_nl, WRONG_PASSWORD)
    assert sign_in(client, staff_be).status_code == 302  # the attacker's own account, same address
    client.logout()

    assert sign_in(client, staff_nl, WRONG_PASSWORD).status_code == 429


def test_failures_from_one_address_lock_it_for_every_account(client, staff_nl, staff_be, reviewer):
    users = [staff_nl, staff_be, reviewer]
    for attempt in range(django_settings.AXES_FAILURE_LIMIT - 1):
        assert sign_in(client, users[attempt % len(users)], WRONG_PASSWORD).status_code == 200
    assert sign_in(client, users[0], WRONG_PASSWORD).status_code == 429
    # From another address, the accounts that were tried fewer times than the limit still sign in.
    other = type(client)(REMOTE_ADDR="192.0.2.10")
    assert sign_in(other, staff_be).status_code == 302


def test_the_lock_ends_after_the_cool_off(client, staff_nl):
    lock_out(client, staff_nl)
    # Time passes: the failed attempts are older than the cool-off.
    AccessAttempt.objects.update(
        attempt_time=dt.datetime.now(tz=dt.UTC) - django_settings.AXES_COOLOFF_TIME - dt.timedelta(minutes=1)
    )

    response = sign_in(client, staff_nl)

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(staff_nl.pk)


def test_an_administrator_unlocks_the_account_in_the_admin(client, staff_nl, two_factor_optional):
    lock_out(client, staff_nl)
    attempt = AccessAttempt.objects.get(username=staff_nl.get_username())
    superuser = UserFactory(username="root-admin", is_staff=True, is_superuser=True)
    admin_client = type(client)()
    admin_client.force_login(superuser)

    listing = admin_client.get(reverse("admin:axes_accessattempt_changelist"))
    assert staff_nl.get_username() in listing.content.decode()
    delete_url = reverse("admin:axes_accessattempt_delete", args=[attempt.pk])
    response = admin_client.post(delete_url, {"post": "yes"})

    assert response.status_code == 302
    assert sign_in(client, staff_nl).status_code == 302


def test_behind_the_proxy_failures_count_against_the_address_the_proxy_saw(rf, settings):
    settings.USE_X_FORWARDED_FOR = True
    request = rf.get("/", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.7", REMOTE_ADDR="10.0.0.2")
    assert auth.client_ip(request) == "203.0.113.7"  # the made-up first address is not trusted
    settings.USE_X_FORWARDED_FOR = False
    assert auth.client_ip(request) == "10.0.0.2"


# --- setting up two-factor sign-in --------------------------------------------------------------------


def test_anyone_can_set_up_an_authenticator_and_then_signs_in_with_a_code(
    client, staff_nl, two_factor_optional
):
    client.force_login(staff_nl)
    page = client.get(reverse("two_factor_setup"))
    assert page.status_code == 200
    device = TOTPDevice.objects.get(user=staff_nl, confirmed=False)
    body = page.content.decode()
    assert "otpauth://totp/Alliance%20Monitor%3Aanna-nl?secret=" in body
    assert auth.totp_secret(device) in body
    assert "<svg" in body

    response = client.post(reverse("two_factor_setup"), {"token": code_for(device)})

    assert response.status_code == 302
    device.refresh_from_db()
    assert device.confirmed
    # From now on the password alone is not enough.
    client.logout()
    assert sign_in(client, staff_nl).status_code == 302
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response.url == f"{reverse('two_factor_verify')}?next=%2F"
    fresh_code = code_for(device, steps_ahead=1)  # the code used for the setup may not be used again
    response = client.post(reverse("two_factor_verify"), {"token": fresh_code, "next": "/"})
    assert response.status_code == 302
    assert response.url == "/"
    assert client.get(reverse("home")).status_code == 200


def test_a_wrong_code_does_not_confirm_the_authenticator(client, staff_nl):
    client.force_login(staff_nl)
    client.get(reverse("two_factor_setup"))
    device = TOTPDevice.objects.get(user=staff_nl)
    wrong = f"{(int(code_for(device)) + 1) % 1_000_000:06d}"

    response = client.post(reverse("two_factor_setup"), {"token": wrong})

    assert response.status_code == 400
    assert "That code is not right" in response.content.decode()
    device.refresh_from_db()
    assert not device.confirmed


def test_the_setup_page_keeps_the_same_key_until_it_is_confirmed(client, staff_nl):
    client.force_login(staff_nl)
    client.get(reverse("two_factor_setup"))
    client.get(reverse("two_factor_setup"))
    assert TOTPDevice.objects.filter(user=staff_nl).count() == 1


# --- the code step at sign-in -------------------------------------------------------------------------


@pytest.fixture
def staff_with_app(staff_nl):
    TOTPDevice.objects.create(user=staff_nl, name=auth.DEVICE_NAME, confirmed=True)
    return staff_nl


def test_with_an_authenticator_nothing_opens_before_the_code(client, staff_with_app, two_factor_optional):
    assert sign_in(client, staff_with_app).status_code == 302
    for url in (reverse("home"), reverse("country_list"), reverse("two_factor_setup"), "/admin/"):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.url.startswith(reverse("two_factor_verify")), url
    # Signing out still works.
    assert client.post(reverse("logout")).status_code == 302


def test_a_code_cannot_be_used_twice(client, staff_with_app):
    device = TOTPDevice.objects.get(user=staff_with_app)
    code = code_for(device)
    client.force_login(staff_with_app)
    assert client.post(reverse("two_factor_verify"), {"token": code}).status_code == 302
    client.logout()

    client.force_login(staff_with_app)
    response = client.post(reverse("two_factor_verify"), {"token": code})

    assert response.status_code == 400
    assert client.get(reverse("home")).status_code == 302


def test_a_wrong_code_keeps_the_user_out(client, staff_with_app):
    device = TOTPDevice.objects.get(user=staff_with_app)
    client.force_login(staff_with_app)
    wrong = f"{(int(code_for(device)) + 1) % 1_000_000:06d}"

    response = client.post(reverse("two_factor_verify"), {"token": wrong})

    assert response.status_code == 400
    assert "That code is not right" in response.content.decode()
    assert client.get(reverse("home")).status_code == 302


def test_the_verify_page_refuses_to_send_the_user_elsewhere(client, staff_with_app):
    device = TOTPDevice.objects.get(user=staff_with_app)
    client.force_login(staff_with_app)
    response = client.post(reverse("two_factor_verify"), {"token": code_for(device), "next": "https://evil.example/"})
    assert response.url == reverse("home")


# --- mandatory for reviewers and administrators -----------------------------------------------------


def test_when_required_a_reviewer_must_set_up_an_authenticator_first(client, reviewer, two_factor_required):
    assert sign_in(client, reviewer).status_code == 302
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("two_factor_setup"))

    client.get(response.url)
    device = TOTPDevice.objects.get(user=reviewer)
    response = client.post(reverse("two_factor_setup"), {"token": code_for(device), "next": "/"})

    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 200


def test_when_required_the_admin_needs_the_verified_session(client, administrator, two_factor_required):
    device = TOTPDevice.objects.create(user=administrator, name=auth.DEVICE_NAME, confirmed=True)
    assert sign_in(client, administrator).status_code == 302
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response.url == f"{reverse('two_factor_verify')}?next=%2Fadmin%2F"

    client.post(reverse("two_factor_verify"), {"token": code_for(device)})

    assert client.get("/admin/").status_code == 200


def test_when_required_staff_and_ministers_may_still_sign_in_with_a_password(
    client, staff_nl, minister, two_factor_required
):
    for user in (staff_nl, minister):
        client.force_login(user)
        # A minister's home is the overview (a redirect); neither is sent to verify a second factor.
        response = client.get(reverse("home"), follow=True)
        assert response.status_code == 200
        assert [url for url, _status in response.redirect_chain] in ([], [reverse("overview")])
        client.logout()


def test_when_not_required_reviewers_sign_in_with_a_password(
    client, reviewer, administrator, two_factor_optional
):
    for user in (reviewer, administrator):
        assert sign_in(client, user).status_code == 302
        assert client.get(reverse("home")).status_code == 200
        client.logout()


def test_password_only_cannot_add_a_second_authenticator(client, staff_with_app):
    client.force_login(staff_with_app)
    response = client.get(reverse("two_factor_setup"))
    assert response.url.startswith(reverse("two_factor_verify"))
    assert TOTPDevice.objects.filter(user=staff_with_app).count() == 1


def test_an_unverified_session_from_before_is_checked_too(client, staff_with_app):
    client.force_login(staff_with_app)
    session = client.session
    del session[auth.SESSION_KEY]
    session.save()
    assert client.get(reverse("home")).url.startswith(reverse("two_factor_verify"))


# --- sessions -----------------------------------------------------------------------------------------


def test_a_session_ends_with_the_browser_and_after_eight_hours_at_most(client, staff_nl):
    response = sign_in(client, staff_nl)

    cookie = response.cookies[django_settings.SESSION_COOKIE_NAME]
    assert cookie["max-age"] == "" and cookie["expires"] == ""  # a browser-session cookie
    assert cookie["httponly"] is True
    assert client.session.get_expiry_age() == django_settings.SESSION_COOKIE_AGE == 8 * 3600


def test_an_api_request_owing_the_code_gets_a_json_refusal(client, staff_with_app, two_factor_optional):
    sign_in(client, staff_with_app)
    response = client.get("/api/v1/countries/")
    assert response.status_code == 403
    assert response.json()["code"] == "two_factor_required"
    assert "/accounts/verify/" in response.json()["message"]
