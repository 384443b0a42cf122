"""Handing report work to the workers: Celery tasks sent by name after commit, or a background thread.

The steps themselves are in pipeline.py, the sweep that hands lost work over again in sweep.py, and the
keeping of work while the broker is away in handover.py.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import uuid
from contextlib import contextmanager
from functools import partial

from django.conf import settings
from django.db import connections, transaction

logger = logging.getLogger(__name__)

# The Celery task of each step (tasks.py).
TASK_NAMES = {
    "report": "reporting.tasks.generate_report",
    "part": "reporting.tasks.render_report_part",
    "assemble": "reporting.tasks.assemble_report",
}

_thread_state = threading.local()


def report_enqueue(*, report_id: int) -> None:
    """Hand a report to the background workers after the current transaction commits.

    With Celery (REDIS_URL set) the task is sent after commit; if Redis does not answer (or failed a
    moment ago: the breaker), the request stays queued and handover.py sends it when the broker is back.
    Without Redis the pipeline runs in a daemon thread of this process, so the web request returns at
    once either way.
    """
    dispatch_on_commit("report", [report_id])


def dispatch_on_commit(job: str, object_ids: list[int]) -> None:
    transaction.on_commit(partial(_dispatch, job, list(object_ids)))


def _dispatch(job: str, object_ids: list[int]) -> None:
    if not object_ids:
        return
    if settings.BACKGROUND_JOBS == "celery" and not getattr(_thread_state, "active", False):
        from celery import current_app

        def task(object_id: int):
            # By name, so that this module need not import tasks.py (which imports it).
            return current_app.signature(TASK_NAMES[job], args=(object_id,), immutable=True)

        from alliance_monitor.breaker import broker_breaker

        from . import handover

        if not broker_breaker.allow():  # the broker failed a moment ago: do not wait for it again
            handover.keep(job=job, object_ids=object_ids)
            return
        try:
            if len(object_ids) == 1:
                task(object_ids[0]).apply_async(retry=False)
            else:
                # Fan-out: one message per part, taken by whichever worker process is free.
                from celery import group

                group(task(object_id) for object_id in object_ids).apply_async(retry=False)
        except Exception as error:  # noqa: BLE001 - any broker failure: kept, handed over when it is back
            broker_breaker.failure(error)  # logs the outage once, not a traceback per request
            handover.keep(job=job, object_ids=object_ids)
            return
        broker_breaker.success()
        return
    if getattr(_thread_state, "active", False):
        # Already in the background thread: go on here, one step after the other.
        for object_id in object_ids:
            _run_job(job, object_id, f"thread-{uuid.uuid4()}")
        return
    worker = threading.Thread(
        target=_run_in_thread, args=(job, object_ids), daemon=True, name=f"report-{job}"
    )
    worker.start()


@contextmanager
def inline_jobs():
    """Run the pipeline in this thread, step after step, instead of handing it to workers (the command
    line's --inline, and the benchmark's measurement without Celery)."""
    previous = getattr(_thread_state, "active", False)
    _thread_state.active = True
    try:
        yield
    finally:
        _thread_state.active = previous


def _run_in_thread(job: str, object_ids: list[int]) -> None:
    _thread_state.active = True
    try:
        for object_id in object_ids:
            try:
                _run_job(job, object_id, f"thread-{uuid.uuid4()}")
            except Exception:  # noqa: BLE001 - logged; a thread has nobody to raise to
                logger.exception("Background %s %s failed", job, object_id)
    finally:
        _thread_state.active = False
        connections.close_all()


def _run_job(job: str, object_id: int, task_id: str) -> None:
    from . import pipeline  # the pipeline imports this module

    if job == "report":
        pipeline.report_generate(report_id=object_id, task_id=task_id)
    elif job == "part":
        pipeline.report_part_render(part_id=object_id, task_id=task_id)
    elif job == "assemble":
        pipeline.report_assemble(report_id=object_id, task_id=task_id)


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"
