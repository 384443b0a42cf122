"""Forgot your password? Django's reset views, by email through the real SMTP server; a reset never signs
in, never skips two-factor sign-in and never lifts a lock-out."""

from __future__ import annotations

import re

import pytest
from axes.models import AccessAttempt
from django.conf import settings as django_settings
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from alliance_monitor import auth
from tests.notifications.conftest import parsed, text_of

pytestmark = pytest.mark.django_db
NEW_PASSWORD = "a-new-password-for-2015"


def reset_link(client, mailbox, user) -> str:
    response = client.post(reverse("password_reset"), {"email": user.email})
    assert response.status_code == 302 and response.url == reverse("password_reset_done")
    (envelope,) = mailbox.wait_for(1)
    assert envelope.rcpt_tos == [user.email]
    assert parsed(envelope).get_body(preferencelist=("html",)) is not None
    return re.search(r"https?://[^/\s]+(/accounts/reset/\S+/)", text_of(envelope)).group(1)


def choose(client, link: str, password: str = NEW_PASSWORD):
    form_url = client.get(link).url  # Django swaps the token for a session and redirects to the form
    return client.post(form_url, {"new_password1": password, "new_password2": password})


def sign_in(client, user, password: str = NEW_PASSWORD):
    return client.post(reverse("login"), {"username": user.username, "password": password})


def test_the_sign_in_page_links_to_the_reset(client):
    assert reverse("password_reset") in client.get(reverse("login")).content.decode()


def test_a_reset_by_email_sets_a_new_password_and_does_not_sign_in(client, mailbox, staff_nl):
    link = reset_link(client, mailbox, staff_nl)
    response = choose(client, link)
    assert response.status_code == 302 and response.url == reverse("password_reset_complete")
    assert client.get(reverse("home")).status_code == 302  # not signed in by the reset
    staff_nl.refresh_from_db()
    assert staff_nl.check_password(NEW_PASSWORD)
    assert sign_in(client, staff_nl).url == reverse("home")
    # The link works once.
    client.post(reverse("logout"))
    assert "This link is not valid" in client.get(link, follow=True).content.decode()


def test_an_unknown_address_gets_the_same_answer_and_no_email(client, mailbox):
    response = client.post(reverse("password_reset"), {"email": "nobody@example.invalid"})
    assert response.url == reverse("password_reset_done")
    assert mailbox.messages == []


def test_two_factor_sign_in_is_still_asked_after_a_reset(client, mailbox, staff_nl):
    TOTPDevice.objects.create(user=staff_nl, name=auth.DEVICE_NAME, confirmed=True)
    choose(client, reset_link(client, mailbox, staff_nl))
    assert sign_in(client, staff_nl).status_code == 302
    response = client.get(reverse("home"))
    assert response.url.startswith(reverse("two_factor_verify"))


def test_a_reset_does_not_lift_a_lock_out(client, mailbox, staff_nl):
    for _ in range(django_settings.AXES_FAILURE_LIMIT):
        sign_in(client, staff_nl, "wrong-password-entirely")
    assert AccessAttempt.objects.filter(username=staff_nl.username).exists()
    choose(client, reset_link(client, mailbox, staff_nl))
    response = sign_in(client, staff_nl)
    assert response.status_code == django_settings.AXES_HTTP_RESPONSE_CODE  # still locked
    assert AccessAttempt.objects.filter(username=staff_nl.username).exists()


def test_the_pages_in_dutch(client):
    client.post(reverse("set_language"), {"language": "nl", "next": "/"})
    assert "Wachtwoord vergeten?" in client.get(reverse("password_reset")).content.decode()
