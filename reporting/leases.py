"""Leases on report claims: a worker keeps its claim alive with a heartbeat; a lapsed lease is handed over.

Whoever claims a report step (a Celery task, or the background thread of the embedded default) owns it
for ``lease_duration()``. While it works, a heartbeat thread renews the lease every
``heartbeat_interval()`` seconds (``heartbeat_at``, ``lease_expires_at`` on the row). If the owner dies
(SIGKILL, out of memory, the machine gone), the heartbeats stop, the lease lapses within
``lease_duration()``, and the sweep (Celery beat every ``REPORT_SWEEP_SECONDS``, at every worker start,
and, without Redis, a thread of the web process) hands the step to a healthy worker. The claim itself
stays a conditional update, so a step is finished exactly once however many hands it passed through.

A claim made by a process of this machine that no longer exists is lapsed at once (no need to wait).
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from contextlib import contextmanager
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, connections, transaction
from django.db.models import Q
from django.utils import timezone

logger = logging.getLogger(__name__)


def lease_duration() -> timedelta:
    """How long a claim lives without a heartbeat."""
    return timedelta(seconds=float(getattr(settings, "REPORT_LEASE_SECONDS", 30)))


def heartbeat_interval() -> float:
    """Seconds between two renewals of a lease: a few per lease, so one missed beat is harmless."""
    return float(getattr(settings, "REPORT_HEARTBEAT_SECONDS", 5))


def lease_fields(now: datetime | None = None) -> dict[str, datetime]:
    """The fields a fresh claim (or a renewal) sets."""
    now = now or timezone.now()
    return {"heartbeat_at": now, "lease_expires_at": now + lease_duration()}


NO_LEASE = {"heartbeat_at": None, "lease_expires_at": None}


def lapsed(now: datetime) -> Q:
    """Running claims whose lease has lapsed (rows claimed before leases existed: by the hard time limit)."""
    dead_since = now - timedelta(seconds=int(settings.CELERY_TASK_TIME_LIMIT) + 60)
    return Q(lease_expires_at__lt=now) | Q(lease_expires_at__isnull=True, claimed_at__lt=dead_since)


def process_is_gone(claimed_by: str) -> bool:
    """True when ``claimed_by`` (host:pid) names a process of this machine that no longer runs."""
    host, _sep, pid = claimed_by.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return False
    if int(pid) == os.getpid():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def _renew(model, pk: int, task_id: str) -> bool:
    """Renew the lease of ``task_id`` on one row; False when the claim is no longer ours.

    A row locked by someone else (say, a transaction about to finish it) is skipped, not waited for:
    a heartbeat must never block.
    """
    with transaction.atomic():
        mine = model.objects.filter(pk=pk, status="running", claimed_task_id=task_id)
        if connection.features.has_select_for_update_skip_locked:
            mine = mine.select_for_update(skip_locked=True)
        if not mine.values_list("pk", flat=True).first():
            return model.objects.filter(pk=pk, status="running", claimed_task_id=task_id).exists()
        model.objects.filter(pk=pk, claimed_task_id=task_id).update(**lease_fields())
        return True


@contextmanager
def heartbeat(*, model, pk: int, task_id: str):
    """Renew the lease on ``model`` row ``pk`` every few seconds while the block runs (in a thread)."""
    stop = threading.Event()

    def beat() -> None:
        try:
            while not stop.wait(heartbeat_interval()):
                try:
                    if not _renew(model, pk, task_id):
                        logger.info(
                            "%s %s is no longer claimed by %s (moved on, finished or handed over)",
                            model.__name__,
                            pk,
                            task_id,
                        )
                        return
                except Exception:  # noqa: BLE001 - a missed beat is survivable; the next one may work
                    logger.warning("Could not renew the lease of %s %s", model.__name__, pk, exc_info=True)
        finally:
            connections.close_all()  # this thread's own connections

    thread = threading.Thread(target=beat, daemon=True, name=f"lease-{model.__name__}-{pk}")
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=heartbeat_interval() + 30)


# --- the sweep without Celery beat (the embedded default) -------------------------------------------------

_sweeper_started = threading.Lock()
_sweeper: threading.Thread | None = None


def start_thread_sweeper() -> bool:
    """Start (once per process) the thread that runs the sweep while there is no Celery beat.

    Its first sweep, right away, picks up what a previous web process left unfinished: queued requests
    and claims of processes that no longer exist. Returns True if this call started it.
    """
    global _sweeper
    with _sweeper_started:
        if _sweeper is not None:
            return False
        _sweeper = threading.Thread(target=_sweep_forever, daemon=True, name="report-sweeper")
        _sweeper.start()
    return True


def _sweep_forever() -> None:
    from . import sweep  # the sweep imports this module

    first = True
    interval = float(getattr(settings, "REPORT_SWEEP_SECONDS", 15))
    while True:
        try:
            sweep.reports_sweep(startup=first)
            first = False
        except Exception:  # noqa: BLE001 - the database may be briefly away; try again next time
            logger.warning("The report sweep failed; trying again in %s s", interval, exc_info=True)
        finally:
            connections.close_all()
        threading.Event().wait(interval)


def on_request_started(**kwargs) -> None:
    """Signal receiver (thread mode only): the first request of a web process starts the sweeper."""
    if _sweeper is None:
        start_thread_sweeper()
