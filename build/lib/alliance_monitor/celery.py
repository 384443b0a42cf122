"""The Celery application: configured from Django's settings (the CELERY_* names)."""

from __future__ import annotations

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "alliance_monitor.settings")

app = Celery("alliance_monitor")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Log lines written by a task carry its id; workers write a heartbeat (readiness, alliance_monitor/health.py).
from alliance_monitor import health, logs  # noqa: E402

logs.connect_celery_signals()
health.connect_worker_signals()
