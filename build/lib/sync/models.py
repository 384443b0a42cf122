"""The outbox of the change feed: one row per change, written in the same transaction as the change."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Change(models.Model):
    """Something a reader of the API may see changed: which item (``resource`` and ``key``), in which
    transaction (``txid``, PostgreSQL's transaction id, for a cursor safe against out-of-order commits),
    of which country (None: of none or of all), and whether partners may ever have seen it (``public``:
    approved now or once; a draft nobody outside has seen is no news to them)."""

    txid = models.BigIntegerField(_("transaction"), null=True, editable=False)
    resource = models.CharField(_("resource"), max_length=20)
    key = models.CharField(_("key"), max_length=40)
    country_id = models.BigIntegerField(_("country"), null=True, blank=True)
    public = models.BooleanField(_("seen by partners"), default=True)
    created_at = models.DateTimeField(_("recorded at"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("change")
        verbose_name_plural = _("changes")
        indexes = [models.Index(fields=["txid", "id"], name="sync_change_position")]

    def __str__(self) -> str:
        return f"{self.resource} {self.key}"
