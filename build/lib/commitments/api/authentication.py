"""How a partner system proves who it is: ``Authorization: Bearer <key>`` with a PartnerToken's key.

A token request costs one query (the token and its countries, joined) plus, at most once a minute per
token, one UPDATE of ``last_used_at``. An accepted token is kept for the partner fast path (fastpath.py),
which answers repeated GETs without any query. Every request is logged with the token's id, so that
each one is attributable to a named partner. Staff and reviewers use the session of the browser instead
(DRF's SessionAuthentication, which also enforces CSRF on writes).

The reports API (reporting/api/) uses the same classes through the REST_FRAMEWORK defaults.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from commitments.models import PartnerToken

logger = logging.getLogger("commitments.api")

KEYWORD = "Bearer"
# last_used_at is a hint for administrators, not an audit trail (the log is): at most one write a minute.
LAST_USED_RESOLUTION = dt.timedelta(minutes=1)


@dataclass(frozen=True)
class PartnerAccess:
    """What a request made with a partner token may see: ``request.auth`` for token requests."""

    token_id: int
    name: str
    key_prefix: str
    country_ids: frozenset[int] | None  # None: every country

    def __str__(self) -> str:
        return f"partner token {self.token_id} ({self.name})"


class PartnerUser(AnonymousUser):
    """``request.user`` for a partner token: authenticated, with no roles and no countries to edit.

    The role caches of commitments.access are filled in, so any access check asked about a partner
    answers "no" without a query.
    """

    def __init__(self, partner: PartnerAccess) -> None:
        self.partner = partner
        self.username = f"partner:{partner.name}"
        self._alliance_roles: frozenset[str] = frozenset()
        self._alliance_country_ids: frozenset[int] = frozenset()

    def __str__(self) -> str:
        return self.username

    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_anonymous(self) -> bool:
        return False


class PartnerTokenAuthentication(authentication.BaseAuthentication):
    """``Authorization: Bearer <key>``: a partner token, refused when unknown, revoked or expired."""

    def authenticate(self, request) -> tuple[PartnerUser, PartnerAccess] | None:
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != KEYWORD.lower().encode():
            return None  # not ours: the session may still authenticate the request
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(
                _("Send the token as 'Authorization: Bearer <token>', with no spaces in the token."),
                code="token_malformed",
            )
        try:
            key = header[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed(
                _("This token is not valid."), code="token_invalid"
            ) from None
        partner = self._check(key, request)
        return PartnerUser(partner), partner

    def authenticate_header(self, request) -> str:
        # Makes DRF answer 401 (with WWW-Authenticate) rather than 403 to unauthenticated requests.
        return f'{KEYWORD} realm="api"'

    def _check(self, key: str, request) -> PartnerAccess:
        rows = list(
            PartnerToken.objects.filter(key_hash=PartnerToken.hash_key(key)).values_list(
                "pk", "name", "key_prefix", "expires_at", "revoked_at", "last_used_at", "countries"
            )
        )
        if not rows:
            raise exceptions.AuthenticationFailed(_("This token is not valid."), code="token_invalid")
        token_id, name, prefix, expires_at, revoked_at, last_used_at, _country = rows[0]
        now = timezone.now()
        if revoked_at is not None:
            logger.warning("API request refused: partner token %s (%s) is revoked", token_id, name)
            raise exceptions.AuthenticationFailed(_("This token has been revoked."), code="token_revoked")
        if expires_at is not None and expires_at <= now:
            logger.warning("API request refused: partner token %s (%s) expired", token_id, name)
            raise exceptions.AuthenticationFailed(_("This token has expired."), code="token_expired")
        country_ids = frozenset(row[6] for row in rows if row[6] is not None) or None
        if last_used_at is None or now - last_used_at >= LAST_USED_RESOLUTION:
            PartnerToken.objects.filter(pk=token_id).update(last_used_at=now)
        logger.info(
            "API request by partner token %s (%s): %s %s", token_id, name, request.method, request.path
        )
        partner = PartnerAccess(token_id=token_id, name=name, key_prefix=prefix, country_ids=country_ids)
        from .fastpath import remember_token  # the fast path's copy of what was just checked

        remember_token(PartnerToken.hash_key(key), partner, expires_at)
        return partner


class PartnerTokenScheme(OpenApiAuthenticationExtension):
    """Documents the partner token in the OpenAPI schema as HTTP bearer authentication."""

    target_class = PartnerTokenAuthentication
    name = "partnerToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": str(
                _(
                    "A partner token, created by an administrator "
                    "(admin or `manage.py partner_token create`). "
                    "Read-only, approved data only, optionally limited to some countries."
                )
            ),
        }
