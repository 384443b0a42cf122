"""Who wants which email, in which language; and a log of the reminders sent (so none goes twice)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class NotificationPreference(models.Model):
    """One person's choice of emails and their language. Everything is on until the person says no."""

    class Language(models.TextChoices):
        AUTO = "", _("The language I last used")
        EN = "en", _("English")
        NL = "nl", _("Dutch")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notification_preference",
        verbose_name=_("user"),
    )
    language = models.CharField(_("language of emails"), max_length=5, choices=Language.choices, blank=True)
    last_language = models.CharField(_("language last used"), max_length=5, blank=True, editable=False)
    returned_items = models.BooleanField(_("items returned to me"), default=True)
    submission_digest = models.BooleanField(_("digest of submissions waiting for review"), default=True)
    deadline_reminders = models.BooleanField(_("reminders before a deadline"), default=True)
    overdue_digest = models.BooleanField(_("digest of what is overdue"), default=True)
    digest_sent_until = models.DateTimeField(_("submissions digested until"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(language__in=["", "en", "nl"]),
                name="notification_language_known",
                violation_error_message=_("Emails are sent in English or Dutch."),
            ),
        ]

    def __str__(self) -> str:
        return str(self.user)

    @property
    def email_language(self) -> str:
        return self.language or self.last_language or settings.LANGUAGE_CODE


class NotificationLog(models.Model):
    """A reminder or digest that was sent, by a key that names it (at most one send per key): a log."""

    key = models.CharField(_("key"), max_length=200, unique=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("user")
    )
    kind = models.CharField(_("kind"), max_length=40)
    sent_at = models.DateTimeField(_("sent at"), auto_now_add=True)

    class Meta:
        ordering = ["-sent_at"]
        verbose_name = _("notification sent")
        verbose_name_plural = _("notifications sent")

    def __str__(self) -> str:
        return self.key
