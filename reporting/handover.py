"""Report work that could not reach the broker is kept, and handed over as soon as the broker is back.

``dispatch._dispatch`` calls ``keep()`` when the broker's breaker is open or sending failed. Then:

- a queued report is marked "not handed over" (``enqueued_at`` cleared) in the database, so any process
  (this one, another web process, the beat sweep) can hand it over later, and only one does: the
  hand-over is a conditional update ``enqueued_at IS NULL -> now``;
- steps of a running report (parts, joining) are remembered in this process;
- one daemon thread of this process retries every BREAKER_RESET_SECONDS and, as soon as the broker
  takes a message again, hands over everything kept. Nobody has to run the sweep or wait for beat.

Should this process die meanwhile, its reports are still marked in the database, and the sweep (beat)
hands them over on its next run.
"""

from __future__ import annotations

import logging
import threading

from django.conf import settings
from django.db import connections
from django.utils import timezone

from alliance_monitor.breaker import broker_breaker

from .models import Report

logger = logging.getLogger(__name__)

_lock = threading.Lock()
_kept_steps: set[tuple[str, int]] = set()  # ("part", id) / ("assemble", id) of this process
_thread: threading.Thread | None = None
_stop = threading.Event()


def keep(*, job: str, object_ids: list[int]) -> None:
    """Remember work the broker did not take; start the hand-over thread if it is not running."""
    if job == "report":
        Report.objects.filter(pk__in=object_ids, status=Report.Status.QUEUED).update(enqueued_at=None)
    else:
        with _lock:
            _kept_steps.update((job, object_id) for object_id in object_ids)
    _start()


def _start() -> None:
    global _thread
    with _lock:
        if _thread is not None and _thread.is_alive():
            return
        _stop.clear()
        _thread = threading.Thread(target=_hand_over_until_done, daemon=True, name="report-handover")
        _thread.start()


def pending_reports() -> list[int]:
    """Queued reports that were never handed to the broker (by any process)."""
    return list(
        Report.objects.filter(status=Report.Status.QUEUED, enqueued_at__isnull=True)
        .order_by("requested_at", "pk")
        .values_list("pk", flat=True)
    )


def hand_over() -> tuple[list[int], bool]:
    """Send what was kept, if the broker takes it: (reports handed over, anything left to send)."""
    from celery import current_app

    from .dispatch import TASK_NAMES  # (by name: dispatch.py imports this module when sending)

    handed: list[int] = []
    for report_id in pending_reports():
        if not broker_breaker.allow():
            return handed, True
        # Claim the hand-over first, so that of several processes only one sends it.
        if not Report.objects.filter(
            pk=report_id, status=Report.Status.QUEUED, enqueued_at__isnull=True
        ).update(enqueued_at=timezone.now()):
            continue
        try:
            current_app.send_task(TASK_NAMES["report"], args=[report_id], retry=False)
        except Exception as error:  # noqa: BLE001 - any broker failure: keep it for the next try
            broker_breaker.failure(error)
            Report.objects.filter(pk=report_id, status=Report.Status.QUEUED).update(enqueued_at=None)
            return handed, True
        broker_breaker.success()
        handed.append(report_id)
    with _lock:
        steps = sorted(_kept_steps)
    for job, object_id in steps:
        if not broker_breaker.allow():
            return handed, True
        try:
            current_app.send_task(TASK_NAMES[job], args=[object_id], retry=False)
        except Exception as error:  # noqa: BLE001
            broker_breaker.failure(error)
            return handed, True
        broker_breaker.success()
        with _lock:
            _kept_steps.discard((job, object_id))
    if handed:
        logger.info(
            "Handed %d report request(s) kept during the broker outage to the workers: %s",
            len(handed),
            handed,
        )
    with _lock:
        return handed, bool(_kept_steps)


def stop() -> None:
    """Stop the hand-over thread (tests; what it kept stays marked in the database for the sweep)."""
    _stop.set()
    thread = _thread
    if thread is not None:
        thread.join(timeout=30)
    with _lock:
        _kept_steps.clear()


def _hand_over_until_done() -> None:
    try:
        while not _stop.wait(float(getattr(settings, "BREAKER_RESET_SECONDS", 5))):
            try:
                _handed, left = hand_over()
            except Exception as error:  # noqa: BLE001 - the database may be away too: try again later
                logger.warning("Report hand-over failed (%s: %s); trying again", type(error).__name__, error)
                left = True
            try:
                if not left and not pending_reports():
                    return
            except Exception:  # noqa: BLE001 - the database is away: keep trying
                continue
            finally:
                connections.close_all()  # hold no connection while waiting
    finally:
        connections.close_all()
