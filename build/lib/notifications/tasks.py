"""Celery beat's email jobs: thin wrappers over the services, each safe to run twice (see services)."""

from __future__ import annotations

from celery import shared_task

from . import services


@shared_task(acks_late=True, time_limit=300, soft_time_limit=240)
def send_submission_digests() -> int:
    return services.submission_digests()


@shared_task(acks_late=True, time_limit=300, soft_time_limit=240)
def send_deadline_reminders() -> int:
    return services.deadline_reminders()


@shared_task(acks_late=True, time_limit=300, soft_time_limit=240)
def send_overdue_digests() -> int:
    return services.overdue_digests()
