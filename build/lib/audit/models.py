"""The audit's own table (the hash chain over every history row) and history for other apps' models.

django-simple-history keeps one history table per model. Each row inserted into any of them is sealed
by the database itself (a trigger, see sealing.py): an ``AuditRecord`` with the SHA-256 of the row's
content and a hash chained to the record before it, so ``manage.py verify_audit`` finds a history row
that was altered or removed afterwards, and a record that was removed from the chain.

Models of Django and of the libraries we use get their history here (``register``): users (with their
roles), two-factor devices (without their secrets) and django-axes' failed-sign-in records, whose
deletion is a lock-out lifted.
"""

from __future__ import annotations

from axes.models import AccessAttempt
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_totp.models import TOTPDevice
from simple_history import register

from .records import AuditedRecords


class AuditRecord(models.Model):
    """One sealed history row: what it held (hash), and the chain hash that ties it to the one before.

    Written only by the database trigger ``audit_seal`` (PostgreSQL); on PostgreSQL another trigger
    refuses every UPDATE and DELETE of this table. ``seq`` is the chain's order (1, 2, 3, ...).
    """

    seq = models.BigIntegerField(_("sequence"), unique=True)
    table_name = models.CharField(_("history table"), max_length=100)
    history_id = models.BigIntegerField(_("history row"))
    actor_id = models.BigIntegerField(
        _("by user"), null=True, blank=True, help_text=_("Kept here too: deleting a user empties it there.")
    )
    fields = models.TextField(_("sealed columns"), help_text=_("Comma-separated, as hashed."))
    content_hash = models.CharField(_("content hash"), max_length=64)
    chain_hash = models.CharField(_("chain hash"), max_length=64)
    recorded_at = models.DateTimeField(_("sealed at"))

    class Meta:
        ordering = ["seq"]
        verbose_name = _("audit record")
        verbose_name_plural = _("audit records")
        indexes = [models.Index(fields=["table_name", "history_id"], name="audit_record_row")]

    def __str__(self) -> str:
        return f"#{self.seq} {self.table_name}:{self.history_id}"


class UserHistoryFields(models.Model):
    """What a user's history keeps beyond the user's own columns: the roles (groups) at that moment."""

    roles = models.CharField(_("roles"), max_length=500, blank=True, default="")

    class Meta:
        abstract = True


# Users: never the password hash; sign-ins (last_login) are not changes of the account.
register(
    get_user_model(),
    app="audit",
    records_class=AuditedRecords,
    bases=[UserHistoryFields],
    excluded_fields=["password", "last_login"],
)
register(Group, app="audit", records_class=AuditedRecords)
# Two-factor devices: added (confirmed), removed (reset); never the secret key or the counters of use.
register(
    TOTPDevice,
    app="audit",
    records_class=AuditedRecords,
    excluded_fields=[
        "key", "drift", "last_t", "throttling_failure_timestamp", "throttling_failure_count", "last_used_at"
    ],
)
# Failed sign-ins as django-axes counts them; deleting one (admin, axes_reset) lifts a lock-out.
# Not what was typed (get/post data) nor the browser's headers.
register(
    AccessAttempt,
    app="audit",
    records_class=AuditedRecords,
    excluded_fields=["get_data", "post_data", "http_accept", "user_agent"],
)
