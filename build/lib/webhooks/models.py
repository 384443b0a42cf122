"""Webhooks: partners' endpoints, the events they asked for, every delivery and every attempt at it.

An administrator registers an endpoint in the admin with the events it wants. When an event happens, a
delivery is written in the same transaction as the change (so it is never lost and never sent for a
change that was rolled back) and handed to Celery after the commit. Each attempt is logged with the
answer; deliveries are signed as the Standard Webhooks specification says (services.py).
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from commitments.models import Country


class Event(models.TextChoices):
    """What a partner can be told about."""

    VALUE_APPROVED = "value.approved", _("Indicator value approved")
    VALUE_WITHDRAWN = "value.withdrawn", _("Indicator value withdrawn (reopened after approval)")
    REPORT_PUBLISHED = "report.published", _("Report published")
    ROUND_RELEASED = "round.released", _("Evaluation round released (its alliance-wide report published)")


def validate_events(value) -> None:
    from django.core.exceptions import ValidationError

    if not isinstance(value, list) or not value:
        raise ValidationError(_("Choose at least one event."), code="required")
    unknown = sorted(set(map(str, value)) - set(Event.values))
    if unknown:
        raise ValidationError(
            _("Unknown events: %(events)s."), code="invalid", params={"events": ", ".join(unknown)}
        )


class WebhookEndpoint(models.Model):
    """A partner's HTTPS address that is sent the events it subscribed to, signed with its secret.

    The secret (``whsec_`` and base64, as Standard Webhooks has it) is given to the partner once. When it
    is rotated, the previous one keeps signing too (a second signature) until ``previous_secret_until``,
    so the partner can switch without losing a delivery. After ``WEBHOOK_DISABLE_AFTER`` failed
    attempts in a row the endpoint is switched off and the administrators are told.
    """

    name = models.CharField(_("name"), max_length=100, unique=True, help_text=_("Who receives it."))
    url = models.URLField(_("address"), max_length=500, help_text=_("https://… of the partner's receiver."))
    events = models.JSONField(_("events"), default=list, validators=[validate_events])
    countries = models.ManyToManyField(
        Country,
        blank=True,
        related_name="+",
        verbose_name=_("countries"),
        help_text=_("Only events about these countries; leave empty for all."),
    )
    secret = models.CharField(_("signing secret"), max_length=100, editable=False)
    previous_secret = models.CharField(
        _("previous signing secret"), max_length=100, blank=True, editable=False
    )
    previous_secret_until = models.DateTimeField(_("previous secret signs until"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    consecutive_failures = models.PositiveIntegerField(_("failed attempts in a row"), default=0)
    disabled_at = models.DateTimeField(_("switched off at"), null=True, blank=True)
    disabled_reason = models.CharField(_("why it was switched off"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    # Who registered, rotated, switched off or on an endpoint is in the audit; the secrets never are, and
    # the failure counter is told by the attempts' own log.
    history = HistoricalRecords(excluded_fields=["secret", "previous_secret", "consecutive_failures"])

    class Meta:
        ordering = ["name"]
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")
        constraints = [
            models.CheckConstraint(
                condition=Q(secret__startswith="whsec_"),
                name="webhookendpoint_secret_is_whsec",
                violation_error_message=_("A signing secret starts with whsec_."),
            ),
            models.CheckConstraint(
                condition=Q(is_active=True) | Q(disabled_at__isnull=False),
                name="webhookendpoint_inactive_has_time",
                violation_error_message=_("A switched-off endpoint records when it was switched off."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def wants(self, event: str) -> bool:
        return event in self.events


class WebhookDelivery(models.Model):
    """One event for one endpoint: the message (its id stays the same on every attempt) and its fate."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        DELIVERED = "delivered", _("Delivered")
        FAILED = "failed", _("Failed (gave up)")

    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries", verbose_name=_("endpoint")
    )
    message_id = models.CharField(_("message id"), max_length=60, unique=True)
    event = models.CharField(_("event"), max_length=30, choices=Event.choices)
    payload = models.JSONField(_("payload"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        constraints = [
            models.CheckConstraint(
                condition=Q(status="pending") | Q(finished_at__isnull=False),
                name="webhookdelivery_finished_has_time",
                violation_error_message=_("A finished delivery records when it finished."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event} → {self.endpoint} ({self.message_id})"


class WebhookAttempt(models.Model):
    """One try at sending a delivery, with the answer (or why there was none)."""

    delivery = models.ForeignKey(
        WebhookDelivery, on_delete=models.CASCADE, related_name="attempt_log", verbose_name=_("delivery")
    )
    number = models.PositiveIntegerField(_("attempt"))
    started_at = models.DateTimeField(_("started at"))
    duration_ms = models.PositiveIntegerField(_("duration (ms)"), default=0)
    status_code = models.PositiveSmallIntegerField(_("HTTP status"), null=True, blank=True)
    response_body = models.TextField(_("answer (start)"), blank=True)
    error = models.CharField(_("error"), max_length=500, blank=True)
    succeeded = models.BooleanField(_("succeeded"), default=False)
    by_hand = models.BooleanField(_("re-sent by hand"), default=False)

    class Meta:
        ordering = ["delivery_id", "number"]
        verbose_name = _("webhook attempt")
        verbose_name_plural = _("webhook attempts")
        constraints = [
            models.UniqueConstraint(
                fields=["delivery", "number"],
                name="webhookattempt_unique_number",
                violation_error_message=_("This delivery already has an attempt with this number."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.delivery.message_id} #{self.number}: {self.status_code or self.error}"
