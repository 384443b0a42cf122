"""Invitations: an administrator invites a person by email; the link sets their password once.

Passwords are never typed into the admin: the invitee chooses their own through a link that works once
and expires (``INVITATION_MAX_AGE_HOURS``). Only a hash of the link's token is stored, so a copy of the
database gives nobody a way in.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class Invitation(models.Model):
    """An invitation to one email address, for one role (and, for a focal point, one country)."""

    class Role(models.TextChoices):
        # The values are the role groups' names (commitments.access.Role).
        STAFF = "Staff", _("Staff")
        REVIEWER = "Reviewer", _("Reviewer")
        MINISTER = "Minister", _("Minister")
        FOCAL_POINT = "Focal point", _("Focal point")

    email = models.EmailField(_("email"))
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    country = models.ForeignKey(
        "commitments.Country",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("country"),
        help_text=_("A focal point's country; for staff, the country they are assigned to."),
    )
    language = models.CharField(_("language"), max_length=5, choices=settings.LANGUAGES, default="en")
    token_hash = models.CharField(_("token hash"), max_length=64, unique=True, editable=False)
    expires_at = models.DateTimeField(_("expires at"))
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="invitations",
        verbose_name=_("account"),
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("invited by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    history = HistoricalRecords(excluded_fields=["token_hash"])

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        constraints = [
            models.CheckConstraint(
                condition=~Q(role="Focal point") | Q(country__isnull=False),
                name="invitation_focal_point_has_country",
                violation_error_message=_("A focal point is invited for one country: choose it."),
            ),
            models.CheckConstraint(
                condition=Q(used_at__isnull=True) | Q(user__isnull=False),
                name="invitation_used_has_account",
                violation_error_message=_("A used invitation names the account it made."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.email} ({self.get_role_display()})"

    @property
    def is_usable(self) -> bool:
        return self.used_at is None and self.expires_at > timezone.now()
