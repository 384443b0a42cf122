"""Invitations: send one (an administrator), accept one (the invitee, once, before it expires)."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from commitments import access
from commitments.models import Country, CountryAssignment

from .models import Invitation

logger = logging.getLogger(__name__)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def max_age() -> dt.timedelta:
    return dt.timedelta(hours=settings.INVITATION_MAX_AGE_HOURS)


def _link(token: str, base_url: str) -> str:
    return base_url.rstrip("/") + reverse("invitation_accept", kwargs={"token": token})


def account_exists(*, email: str) -> bool:
    User = get_user_model()
    return (
        User.objects.filter(username__iexact=email).exists()
        or User.objects.filter(email__iexact=email).exists()
    )


def check_email_length(email: str) -> None:
    """The address becomes the account's user name, which holds fewer characters than an address may
    have: a longer one would be cut, and two addresses alike at the start would clash at sign-up."""
    limit = get_user_model()._meta.get_field("username").max_length
    if len(email) > limit:
        raise ValidationError(
            {
                "email": _(
                    "An account's email address has at most %(limit)s characters (this one has %(count)s)."
                )
                % {"limit": limit, "count": len(email)}
            },
            code="max_length",
        )


def invitation_send(
    *,
    email: str,
    role: str,
    country: Country | None = None,
    invited_by,
    language: str = "en",
    base_url: str | None = None,
) -> Invitation:
    """Invite a person to take a role: store the invitation, then email them the one-time link.

    Only administrators invite. The email goes out after the transaction commits, in the invitee's
    language, with the other language below it (the invitee may not read the one the administrator chose).
    Returns the invitation; the token itself is only in the email. ``base_url`` is where the site is
    reached (the admin passes the address it was opened at; else the SITE_URL setting).
    """
    base_url = base_url or getattr(settings, "SITE_URL", "") or "http://localhost:8000"
    if not access.has_role(invited_by, access.Role.ADMINISTRATOR):
        raise PermissionDenied(_("Only administrators invite people."))
    if not isinstance(email, str) or not isinstance(role, str):
        raise ValidationError(_("Enter text, not a number, a list or an object."), code="invalid")
    email = email.strip()
    check_email_length(email)
    if account_exists(email=email):
        raise ValidationError({"email": _("Somebody already has an account with this email address.")})
    token = secrets.token_urlsafe(32)
    invitation = Invitation(
        email=email,
        role=role,
        country=country,
        language=language,
        token_hash=token_hash(token),
        expires_at=timezone.now() + max_age(),
        invited_by=invited_by,
    )
    invitation.full_clean()
    with transaction.atomic():
        invitation._history_user = invited_by
        invitation.save()
        transaction.on_commit(lambda: invitation_email(invitation=invitation, token=token, base_url=base_url))
    return invitation


def invitation_email(*, invitation: Invitation, token: str, base_url: str) -> None:
    """The invitation email: the invitee's language first, then the other one."""
    languages = [invitation.language] + [
        code for code, _name in settings.LANGUAGES if code != invitation.language
    ]
    texts, htmls = [], []
    context = {
        "invitation": invitation,
        "link": _link(token, base_url),
        "hours": settings.INVITATION_MAX_AGE_HOURS,
        "site_name": settings.SITE_NAME,
    }
    for language in languages:
        with translation.override(language):
            context["role"] = invitation.get_role_display()
            context["country"] = invitation.country.name if invitation.country else ""
            texts.append(render_to_string("accounts/email/invitation.txt", context))
            htmls.append(render_to_string("accounts/email/invitation_part.html", context))
    with translation.override(invitation.language):
        subject = _("You are invited to %(site)s") % {"site": settings.SITE_NAME}
    html = render_to_string("accounts/email/invitation.html", {"parts": htmls, "lang": invitation.language})
    message = EmailMultiAlternatives(
        subject=subject,
        body="\n\n----------------------------------------\n\n".join(texts),
        to=[invitation.email],
    )
    message.attach_alternative(html, "text/html")
    message.send()


def invitation_for_token(*, token: str) -> Invitation | None:
    """The usable invitation a link's token opens, or None (unknown, used, or expired: all look alike)."""
    if not isinstance(token, str) or len(token) > 100:
        return None
    invitation = Invitation.objects.select_related("country").filter(token_hash=token_hash(token)).first()
    if invitation is None or not invitation.is_usable:
        return None
    return invitation


def invitation_accept(*, invitation: Invitation, password: str):
    """Use an invitation: make the account with the chosen password and the role, once.

    The password has passed the validators (the form). The row is locked, so two clicks on the same
    link make one account; the second is refused.
    """
    User = get_user_model()
    with transaction.atomic():
        locked = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if not locked.is_usable:
            raise ValidationError(_("This invitation was used already or has expired."), code="used")
        if User.objects.filter(username__iexact=locked.email).exists():
            raise ValidationError(_("Somebody already has an account with this email address."), code="taken")
        user = User(username=locked.email, email=locked.email)
        user.set_password(password)
        user.save()
        user.groups.add(Group.objects.get(name=locked.role))
        if locked.role == Invitation.Role.STAFF and locked.country_id:
            CountryAssignment.objects.create(user=user, country_id=locked.country_id)
        if locked.role == Invitation.Role.FOCAL_POINT:
            from focal.services import focal_point_add  # the focal app builds on invitations, not the reverse

            focal_point_add(user=user, country=locked.country, added_by=locked.invited_by)
        locked.used_at = timezone.now()
        locked.user = user
        locked._history_user = user
        locked.save(update_fields=["used_at", "user"])
    logger.info("Invitation %s used: account %s", locked.pk, user.pk)
    return user
