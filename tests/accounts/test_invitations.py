"""Invitations: an administrator invites, the email arrives over SMTP in the invitee's language (and the
other), the link sets a password once and expires, and the account sets up two-factor sign-in first."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client

from accounts import services
from accounts.models import Invitation
from alliance_monitor import auth
from commitments import access
from focal.models import FocalPoint

pytestmark = pytest.mark.django_db

PASSWORD = "a long and unusual passphrase 81"


@pytest.fixture
def invite(django_capture_on_commit_callbacks):
    """Invite as the service does; the email leaves when the transaction commits (run here)."""

    def send(administrator, nl, **fields):
        values = {"email": "official@gov.example", "role": "Focal point", "country": nl, "language": "nl"}
        values.update(fields)
        with django_capture_on_commit_callbacks(execute=True):
            return services.invitation_send(invited_by=administrator, base_url="http://testserver", **values)

    return send


def link_in(message) -> str:
    body = message.get_body(preferencelist=("plain",)).get_content()
    return re.search(r"http://testserver(/accounts/invitation/[^/\s]+/)", body).group(1)


def test_the_invitation_arrives_in_the_invitees_language_and_the_other(mailbox, invite, administrator, nl):
    invite(administrator, nl)

    [message] = mailbox.wait_for(1)
    assert message["To"] == "official@gov.example"
    assert message["Subject"] == "U bent uitgenodigd voor Alliance Monitor"
    body = message.get_body(preferencelist=("plain",)).get_content()
    assert body.index("Kies hier uw wachtwoord") < body.index("Choose your password here")
    stored = Invitation.objects.get()
    assert link_in(message).split("/")[-2] not in stored.token_hash  # only the hash is kept


def test_the_link_sets_a_password_once_and_the_account_sets_up_two_factor_first(
    mailbox, invite, administrator, nl
):
    invite(administrator, nl)
    path = link_in(mailbox.wait_for(1)[0])
    client = Client()

    assert client.get(path).status_code == 200
    response = client.post(path, {"new_password1": PASSWORD, "new_password2": PASSWORD})

    assert response.status_code == 302 and response["Location"].startswith("/accounts/two-factor/")
    assert client.get("/focal/")["Location"].startswith("/accounts/two-factor/")  # nothing else first
    user = FocalPoint.objects.get(country=nl).user
    assert access.is_focal_point(user) and user.check_password(PASSWORD)
    assert client.session[auth.SESSION_KEY] == auth.SETUP
    # Used: the link opens nothing any more.
    assert Client().get(path).status_code == 404


def test_an_expired_link_opens_nothing(mailbox, invite, administrator, nl):
    invitation = invite(administrator, nl)
    path = link_in(mailbox.wait_for(1)[0])
    Invitation.objects.filter(pk=invitation.pk).update(
        expires_at=invitation.expires_at - dt.timedelta(days=30)
    )
    assert Client().post(path, {"new_password1": PASSWORD, "new_password2": PASSWORD}).status_code == 404
    assert not FocalPoint.objects.exists()


def test_only_administrators_invite_and_a_focal_point_needs_a_country(
    mailbox, invite, reviewer, administrator, nl
):
    with pytest.raises(PermissionDenied):
        invite(reviewer, nl)
    with pytest.raises(ValidationError, match="one country"):
        invite(administrator, None)
    with pytest.raises(ValidationError):
        invite(administrator, nl, email=["a@b.example"])
    assert not Invitation.objects.exists()


def test_the_admin_invites_without_a_password_field(
    mailbox, administrator, nl, django_capture_on_commit_callbacks
):
    client = Client()
    client.force_login(administrator)
    session = client.session
    session[auth.SESSION_KEY] = auth.DONE
    session.save()
    page = client.get("/admin/accounts/invitation/add/")
    assert page.status_code == 200 and b'type="password"' not in page.content

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/admin/accounts/invitation/add/",
            {"email": "reviewer@secretariat.example", "role": "Reviewer", "country": "", "language": "en"},
        )

    assert response.status_code == 302
    [message] = mailbox.wait_for(1)
    assert message["Subject"] == "You are invited to Alliance Monitor"
    assert Invitation.objects.get().invited_by == administrator
