from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SyncConfig(AppConfig):
    """The change feed: an outbox of changes written with them, read by partners at /api/v1/changes/."""

    name = "sync"
    verbose_name = _("Change feed")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import generation, signals

        signals.connect()
        generation.connect()
