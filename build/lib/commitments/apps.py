from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommitmentsConfig(AppConfig):
    name = "commitments"
    verbose_name = _("Alliance data")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from .api import fastpath

        fastpath.connect()  # token changes drop the fast path's copy of the token
