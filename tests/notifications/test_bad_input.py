"""Bad input on the email choices, the unsubscribe links and the password reset: a clear error, nothing
changed, no error page."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.urls import reverse

from notifications import emails, services
from notifications.models import NotificationPreference

pytestmark = pytest.mark.django_db

CHOICES = {"language": "nl", "returned_items": "on", "deadline_reminders": "on"}


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"language": "fr"}, "Select a valid choice."),
        ({"language": "n\x00l"}, "Select a valid choice."),
        ({"language": ["en", "nl"]}, None),  # a list: the last value counts (the browser's way); en or nl
    ],
)
def test_the_email_choices_refuse_an_unknown_language(client, staff_nl, data, message):
    client.force_login(staff_nl)
    services.preference_update(user=staff_nl, language="en", overdue_digest=True)
    response = client.post(reverse("notification_preferences"), {**CHOICES, **data})
    preference = NotificationPreference.objects.get(user=staff_nl)
    if message is None:
        assert response.status_code == 302 and preference.language == "nl"
        return
    assert response.status_code == 400
    assert message in response.content.decode()
    assert preference.language == "en" and preference.overdue_digest  # nothing changed


def test_the_email_choices_speak_dutch(client, staff_nl):
    client.force_login(staff_nl)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "nl"
    response = client.post(reverse("notification_preferences"), {**CHOICES, "language": "fr"})
    assert response.status_code == 400
    assert "Selecteer een geldige keuze." in response.content.decode()


def test_the_preference_service_refuses_what_the_model_refuses(staff_nl):
    with pytest.raises(services.ValidationError):
        services.preference_update(user=staff_nl, language="de")
    with pytest.raises(TypeError):
        services.preference_update(user=staff_nl, is_superuser=True)
    assert not NotificationPreference.objects.filter(user=staff_nl).exclude(language="").exists()


def unsubscribe_url(token: str) -> str:
    return reverse("notification_unsubscribe", args=[token])


@pytest.mark.parametrize(
    "token",
    [
        "nonsense",
        "x" * 2000,
        signing.dumps({"u": 1, "k": "everything"}, salt=emails.UNSUBSCRIBE_SALT),
        signing.dumps({"u": "me", "k": "all"}, salt=emails.UNSUBSCRIBE_SALT),
        signing.dumps({"k": "all"}, salt=emails.UNSUBSCRIBE_SALT),
        signing.dumps(["all"], salt=emails.UNSUBSCRIBE_SALT),
        signing.dumps({"u": 1, "k": "all"}, salt="another.salt"),
    ],
)
@pytest.mark.parametrize("method", ["get", "post"])
def test_a_bad_unsubscribe_link_says_so_and_changes_nothing(client, staff_nl, token, method):
    services.preference_for(user=staff_nl)
    response = getattr(client, method)(unsubscribe_url(token))
    assert response.status_code == 404
    assert "This unsubscribe link is not valid." in response.content.decode()
    preference = NotificationPreference.objects.get(user=staff_nl)
    assert all(getattr(preference, kind) for kind in emails.KINDS)


def test_the_link_of_a_deleted_account_says_it_is_not_valid(client):
    user = get_user_model().objects.create_user("gone", "gone@example.org")
    token = emails.unsubscribe_token(user_id=user.pk, kind="all")
    user.delete()
    response = client.post(unsubscribe_url(token))
    assert response.status_code == 404
    assert "This unsubscribe link is not valid." in response.content.decode()


def test_unsubscribing_twice_is_the_same_as_once(client, staff_nl):
    token = emails.unsubscribe_token(user_id=staff_nl.pk, kind="deadline_reminders")
    assert client.post(unsubscribe_url(token)).status_code == 200
    response = client.post(unsubscribe_url(token))
    assert response.status_code == 200
    assert "You no longer get reminders before deadlines." in response.content.decode()
    preference = NotificationPreference.objects.get(user=staff_nl)
    assert not preference.deadline_reminders and preference.overdue_digest


@pytest.mark.parametrize(
    ("email", "message"),
    [
        ("", "This field is required."),
        ("not an address", "Enter a valid email address."),
        ("a\x00b@example.org", "Null characters are not allowed."),
        ("a" * 250 + "@example.org", "at most 254 characters"),
    ],
)
def test_the_password_reset_refuses_a_bad_address_and_sends_nothing(client, mailbox, email, message):
    response = client.post(reverse("password_reset"), {"email": email})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not mailbox.messages


@pytest.mark.parametrize("token", ["set-password", "bad-token", "x" * 300])
def test_a_bad_reset_link_says_it_is_not_valid(client, staff_nl, token):
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    before = staff_nl.password
    url = reverse("password_reset_confirm", args=[urlsafe_base64_encode(force_bytes(staff_nl.pk)), token])
    response = client.post(
        url, {"new_password1": "a-new-password-2015", "new_password2": "a-new-password-2015"}
    )
    assert response.status_code == 200
    assert "This link is not valid: it was used already or has expired." in response.content.decode()
    staff_nl.refresh_from_db()
    assert staff_nl.password == before
