"""Who may work on which country (assignments) and the partners' API tokens."""

from __future__ import annotations

import datetime as dt
import hashlib

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .reference import Country


class CountryAssignment(models.Model):
    """Gives a staff member the right to enter and edit one country's data."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="country_assignments",
        verbose_name=_("user"),
    )
    country = models.ForeignKey(
        Country, on_delete=models.CASCADE, related_name="assignments", verbose_name=_("country")
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["user_id", "country__code"]
        verbose_name = _("country assignment")
        verbose_name_plural = _("country assignments")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "country"],
                name="assignment_unique",
                violation_error_message=_("This user is already assigned to this country."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} → {self.country.code}"


# --------------------------------------------------------------------------------------------------
# Partner systems reading the API
# --------------------------------------------------------------------------------------------------


class PartnerToken(models.Model):
    """A partner system's read-only key to the API (Interpol, INHOPE, a statistics office, ...).

    Only the SHA-256 hash of the key is stored: the key itself is shown once, when it is created
    (services.partner_token_create). A token reads approved data only, optionally of some countries only
    (no countries: all), until it expires or is revoked. Tokens are revoked, never deleted, so that every
    request logged with a token's id stays attributable to a named partner.
    """

    name = models.CharField(
        _("name"), max_length=100, unique=True, help_text=_("Who uses it: a partner system.")
    )
    key_prefix = models.CharField(
        _("key prefix"),
        max_length=8,
        help_text=_("The key's first characters, to recognise it; not a secret."),
    )
    key_hash = models.CharField(_("key hash"), max_length=64, unique=True, editable=False)
    countries = models.ManyToManyField(
        Country,
        blank=True,
        related_name="+",
        verbose_name=_("countries"),
        help_text=_("Limit the token to these countries; leave empty for all countries."),
    )
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("revoked by"),
    )

    # Who created, limited, extended or revoked a token, and when; not each use (the request log has that).
    history = HistoricalRecords(excluded_fields=["last_used_at"])

    class Meta:
        ordering = ["name"]
        verbose_name = _("partner token")
        verbose_name_plural = _("partner tokens")
        constraints = [
            models.CheckConstraint(
                condition=Q(key_hash__regex=r"^[0-9a-f]{64}$"),
                name="partnertoken_key_hash_is_sha256",
                violation_error_message=_("The key is stored as its SHA-256 hash, never as itself."),
            ),
            models.CheckConstraint(
                condition=~Q(name=""),
                name="partnertoken_has_name",
                violation_error_message=_("Name the partner that uses the token."),
            ),
            models.CheckConstraint(
                condition=Q(revoked_at__isnull=True) | Q(revoked_at__gte=F("created_at")),
                name="partnertoken_revoked_after_created",
                violation_error_message=_("A token cannot be revoked before it was created."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.key_prefix}…)"

    @staticmethod
    def hash_key(key: str) -> str:
        """The stored form of a key: keys are long random strings, so a plain SHA-256 suffices (no salt)."""
        return hashlib.sha256(key.encode()).hexdigest()

    def is_usable(self, now: dt.datetime | None = None) -> bool:
        now = now or timezone.now()
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)
