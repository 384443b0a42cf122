"""The conversation about a reviewable item: messages staff and reviewers write to each other."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .base import bounded_text
from .periods import ReportingPeriod
from .reference import Country

COMMENT_LIMIT = 2000


class ItemComment(models.Model):
    """A message in the conversation about one reviewable item (an indicator value, commitment progress or
    a recommendation follow-up): staff answer a return, a reviewer answers back.

    Messages are only ever added: a message cannot be changed or deleted (``save`` refuses an update,
    ``delete`` refuses), so the conversation stays what both sides read. Its history records who wrote it.
    The reviewer's reasons for returning stay in the item's own history; the thread shows both together.
    """

    class Kind(models.TextChoices):
        VALUE = "value", _("Indicator value")
        PROGRESS = "progress", _("Commitment progress")
        FOLLOW_UP = "follow-up", _("Recommendation follow-up")

    item_kind = models.CharField(_("kind of item"), max_length=10, choices=Kind.choices)
    item_id = models.PositiveBigIntegerField(_("item"))
    item_version = models.PositiveIntegerField(
        _("item version"), help_text=_("The version of the item the message was written about.")
    )
    country = models.ForeignKey(
        Country, on_delete=models.PROTECT, related_name="+", verbose_name=_("country")
    )
    period = models.ForeignKey(
        ReportingPeriod, on_delete=models.PROTECT, related_name="+", verbose_name=_("period")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("author")
    )
    body = bounded_text(COMMENT_LIMIT, verbose_name=_("message"))
    created_at = models.DateTimeField(_("written at"), default=timezone.now, db_index=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("message about an item")
        verbose_name_plural = _("messages about items")
        indexes = [models.Index(fields=["item_kind", "item_id"], name="comment_item_idx")]
        constraints = [
            models.CheckConstraint(
                condition=~Q(body=""),
                name="comment_has_body",
                violation_error_message=_("Write a message before sending it."),
            ),
            models.CheckConstraint(
                condition=Q(item_kind__in=["value", "progress", "follow-up"]),
                name="comment_known_kind",
                violation_error_message=_("A message is about an indicator value, progress or a follow-up."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.item_kind} {self.item_id}: {self.body[:40]}"

    def save(self, *args, **kwargs) -> None:
        if not self._state.adding:
            raise ValidationError(_("A message cannot be changed once it is sent."), code="append_only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError(_("A message cannot be deleted once it is sent."), code="append_only")
