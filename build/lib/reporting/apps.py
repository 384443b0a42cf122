from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportingConfig(AppConfig):
    name = "reporting"
    verbose_name = _("Evaluation reports")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.conf import settings
        from django.core.signals import request_started

        if settings.BACKGROUND_JOBS == "thread":
            # No Celery beat without Redis: the web process sweeps itself, starting with its first
            # request (so a restarted process picks up what the previous one left unfinished).
            from . import leases

            request_started.connect(leases.on_request_started, dispatch_uid="reporting-thread-sweeper")
