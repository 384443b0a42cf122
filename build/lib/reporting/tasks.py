"""Celery tasks for the reports: thin wrappers that pass an id to a service (see pipeline.py).

All are ``acks_late`` with ``reject_on_worker_lost``: a message is acknowledged only when its task
returns, and one whose worker process died (killed, out of memory) goes back to the queue and is taken
over by the same task id. They retry, a bounded number of times with backoff, only on transient errors
(database or broker briefly away); the services turn every other error into a failed report with a
readable message. The time limits come from settings (CELERY_TASK_TIME_LIMIT / _SOFT_TIME_LIMIT).
"""

from __future__ import annotations

import logging

from celery import Task, shared_task
from celery.signals import worker_ready

from . import pipeline, sweep

logger = logging.getLogger(__name__)

RETRY_OPTIONS = {
    "autoretry_for": pipeline.TRANSIENT_ERRORS,
    "max_retries": 3,
    "retry_backoff": 5,  # 5, 10, 20 s (with jitter)
    "retry_backoff_max": 60,
    "retry_jitter": True,
}


class ReportTask(Task):
    """Marks the report failed (readably) when a task gives up after its retries."""

    abstract = True
    acks_late = True
    reject_on_worker_lost = True

    def report_id_of(self, args) -> int | None:
        return args[0] if args else None

    def on_failure(self, exc, task_id, args, kwargs, einfo) -> None:
        report_id = self.report_id_of(args)
        if report_id is None:
            return
        try:
            pipeline.report_fail(report_id=report_id, error=exc)
        except pipeline.TRANSIENT_ERRORS:
            # The database is still away: the sweep will find the report and hand it over again.
            logger.warning(
                "Could not mark report %s failed; the sweep will pick it up", report_id, exc_info=True
            )


class PartTask(ReportTask):
    abstract = True

    def report_id_of(self, args) -> int | None:
        from .models import ReportPart

        part = ReportPart.objects.filter(pk=args[0]).only("report_id").first() if args else None
        return part.report_id if part else None


@shared_task(bind=True, base=ReportTask, **RETRY_OPTIONS)
def generate_report(self, report_id: int) -> None:
    """Claim a queued report; render it (country) or hand its parts to the workers (alliance-wide)."""
    pipeline.report_generate(report_id=report_id, task_id=self.request.id)


@shared_task(bind=True, base=PartTask, **RETRY_OPTIONS)
def render_report_part(self, part_id: int) -> None:
    """Render one part of an alliance-wide report; the last part to finish hands over the joining."""
    pipeline.report_part_render(part_id=part_id, task_id=self.request.id)


@shared_task(bind=True, base=ReportTask, **RETRY_OPTIONS)
def assemble_report(self, report_id: int) -> None:
    """Join the rendered parts with the cover and contents, stamp page numbers, mark the report ready."""
    pipeline.report_assemble(report_id=report_id, task_id=self.request.id)


@shared_task(acks_late=True, ignore_result=True)
def sweep_reports() -> dict[str, list[int]]:
    """Celery beat (every REPORT_SWEEP_SECONDS) and every worker start: hand over every report step
    whose owner was lost (its lease lapsed) or whose message never arrived."""
    result = sweep.reports_sweep()
    return {
        "requeued": result.requeued,
        "parts_requeued": result.parts_requeued,
        "assembling": result.assembling,
        "given_up": result.given_up,
    }


@worker_ready.connect
def sweep_when_a_worker_starts(sender=None, **kwargs) -> None:
    """A worker that starts (perhaps replacing one that was killed) asks for a sweep right away."""
    try:
        sweep_reports.apply_async(retry=False)
    except Exception:  # noqa: BLE001 - the broker is away: beat's next sweep will do it
        logger.warning("Could not ask for a report sweep at worker start", exc_info=True)
