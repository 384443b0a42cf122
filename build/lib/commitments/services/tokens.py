"""The partners' API tokens: created with the secret shown once, revoked for good."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import Country, PartnerToken


def partner_token_create(
    *,
    name: str,
    countries: Iterable[Country] = (),
    expires_at: dt.datetime | None = None,
    created_by=None,
) -> tuple[PartnerToken, str]:
    """Create a read-only API token for a partner system; returns the token and its key.

    The key is returned here and nowhere else: only its SHA-256 hash is stored, so whoever creates a token
    must pass the key on at once.
    """
    if expires_at is not None and expires_at <= timezone.now():
        raise ValidationError({"expires_at": _("The expiry date must be in the future.")}, code="expired")
    key = secrets.token_urlsafe(32)
    token = PartnerToken(
        name=(name or "").strip(),
        key_prefix=key[:8],
        key_hash=PartnerToken.hash_key(key),
        expires_at=expires_at,
        created_by=created_by,
    )
    token.full_clean()
    token._change_reason = "created"
    token._history_user = created_by
    with transaction.atomic():
        token.save()
        token.countries.set(countries)
    return token, key


def partner_token_revoke(*, token: PartnerToken, user=None) -> PartnerToken:
    """Revoke a token: its next request is refused. Revoking twice keeps the first revocation."""
    with transaction.atomic():
        current = PartnerToken.objects.select_for_update().get(pk=token.pk)
        if current.revoked_at is None:
            current.revoked_at, current.revoked_by = timezone.now(), user
            current._change_reason = "revoked"
            current._history_user = user
            current.save(update_fields=["revoked_at", "revoked_by"])
    token.refresh_from_db()
    return token
