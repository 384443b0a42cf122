"""Health an orchestrator can use: heartbeats of the workers and of beat, and the readiness checks.

- Beat: ``HeartbeatScheduler`` (CELERY_BEAT_SCHEDULER) records a heartbeat on every tick, at least every
  HEARTBEAT_SECONDS (CELERY_BEAT_MAX_INTERVAL), straight from the beat process: it says beat runs,
  whatever the workers do.
- Workers: each worker's main process starts a small thread when it is ready (``worker_ready``) that
  records ``worker:<name>`` every HEARTBEAT_SECONDS, and removes it on a clean shutdown. A worker that
  is killed stops beating; readiness calls a heartbeat older than three periods stale.
- ``readiness()`` checks the database, Redis (the cache), the broker (with its queue depth), the
  heartbeats, and the oldest queued report, each with a state; ``/readyz`` answers 503 when a check
  named in READY_REQUIRES fails.

The heartbeats are a hash in the Redis of REDIS_URL (field -> Unix time). Without REDIS_URL (jobs in a
thread of the web process) the Redis, broker, worker and beat checks answer "not used".
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from typing import Any

import redis
from celery.beat import PersistentScheduler
from django.conf import settings
from redis.backoff import NoBackoff
from redis.retry import Retry

from .breaker import REDIS_ERRORS, broker_breaker, cache_breaker

logger = logging.getLogger(__name__)

HEARTBEATS_KEY = "alliance_monitor:heartbeats"
FORGET_AFTER = 24 * 3600  # heartbeats of workers gone this long are dropped from the hash

_clients: dict[str, redis.Redis] = {}


def heartbeat_seconds() -> int:
    return int(getattr(settings, "HEARTBEAT_SECONDS", 10))


def _redis(url: str | None = None) -> redis.Redis:
    """A client with short timeouts and no retries: health questions want a quick answer."""
    url = url or settings.REDIS_URL
    client = _clients.get(url)
    if client is None:
        client = _clients[url] = redis.Redis.from_url(
            url, socket_connect_timeout=1, socket_timeout=1, retry=Retry(NoBackoff(), 0)
        )
    return client


def heartbeat_record(*, component: str) -> bool:
    """Record that ``component`` (``beat``, ``worker:<name>``) is alive now; False if Redis is away."""
    if not settings.REDIS_URL or not cache_breaker.allow():
        return False
    try:
        _redis().hset(HEARTBEATS_KEY, component, f"{time.time():.3f}")
    except REDIS_ERRORS as error:
        cache_breaker.failure(error)
        return False
    cache_breaker.success()
    return True


def heartbeat_forget(*, component: str) -> None:
    try:
        _redis().hdel(HEARTBEATS_KEY, component)
    except REDIS_ERRORS:
        pass  # it will go stale instead


class HeartbeatScheduler(PersistentScheduler):
    """Celery beat's usual scheduler, plus a heartbeat on every tick (at most one a second)."""

    _last_beat = 0.0

    def tick(self, *args, **kwargs):
        interval = super().tick(*args, **kwargs)
        now = time.monotonic()
        if now - self._last_beat >= 1:
            self._last_beat = now
            heartbeat_record(component="beat")
        return min(interval, heartbeat_seconds())


# --- workers ---------------------------------------------------------------------------------------------

_worker_stop = threading.Event()


def _worker_name(sender) -> str:
    hostname = getattr(sender, "hostname", None) or f"{socket.gethostname()}:{os.getpid()}"
    return f"worker:{hostname}"


def _beat_while_running(component: str) -> None:
    while not _worker_stop.is_set():
        heartbeat_record(component=component)
        _worker_stop.wait(heartbeat_seconds())


def _worker_ready(sender=None, **_kwargs) -> None:
    component = _worker_name(sender)
    _worker_stop.clear()
    threading.Thread(target=_beat_while_running, args=(component,), daemon=True, name="heartbeat").start()


def _worker_shutdown(sender=None, **_kwargs) -> None:
    _worker_stop.set()
    heartbeat_forget(component=_worker_name(sender))


def connect_worker_signals() -> None:
    from celery.signals import worker_ready, worker_shutdown

    worker_ready.connect(_worker_ready, weak=False)
    worker_shutdown.connect(_worker_shutdown, weak=False)


def heartbeat_age(*, component: str) -> float | None:
    """Seconds since ``component`` last beat, or None (never, or Redis away): the containers' checks."""
    beats = _heartbeats()
    if not beats or component not in beats:
        return None
    return time.time() - beats[component]


# --- readiness ------------------------------------------------------------------------------------------

OK, DOWN, STALE, NOT_USED, UNKNOWN, LATE = "ok", "down", "stale", "not used", "unknown", "late"


def _timed(check) -> dict[str, Any]:
    started = time.perf_counter()
    result = check()
    result["ms"] = round((time.perf_counter() - started) * 1000, 1)
    return result


def _check_database() -> dict[str, Any]:
    from django.db import connection

    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception as error:  # noqa: BLE001 - any failure is "down", said in words
        return {"state": DOWN, "error": f"{type(error).__name__}: {error}"[:300]}
    return {"state": OK}


def _check_redis() -> dict[str, Any]:
    if not settings.REDIS_URL:
        return {"state": NOT_USED}
    try:
        _redis().ping()
    except REDIS_ERRORS as error:
        cache_breaker.failure(error)
        return {"state": DOWN, "error": f"{type(error).__name__}: {error}"[:300]}
    cache_breaker.success()  # the probe found it back: stop skipping it
    return {"state": OK}


def _check_broker() -> dict[str, Any]:
    from .celery import app

    url = app.conf.broker_url or ""
    if not url.startswith(("redis://", "rediss://")):
        return {"state": NOT_USED} if settings.BACKGROUND_JOBS != "celery" else {"state": UNKNOWN}
    queue = app.conf.task_default_queue or "celery"
    try:
        depth = _redis(url).llen(queue)
    except REDIS_ERRORS as error:
        broker_breaker.failure(error)
        return {"state": DOWN, "error": f"{type(error).__name__}: {error}"[:300]}
    broker_breaker.success()
    return {"state": OK, "queue": queue, "messages": depth}


def _heartbeats() -> dict[str, float] | None:
    try:
        raw = _redis().hgetall(HEARTBEATS_KEY)
    except REDIS_ERRORS:
        return None
    return {key.decode(): float(value) for key, value in raw.items()}


def _heartbeat_state(times: list[float], now: float) -> dict[str, Any]:
    if not times:
        return {"state": DOWN, "last_heartbeat_seconds_ago": None}
    age = now - max(times)
    state = OK if age <= 3 * heartbeat_seconds() else STALE
    return {"state": state, "last_heartbeat_seconds_ago": round(age, 1)}


def _check_heartbeats() -> tuple[dict[str, Any], dict[str, Any]]:
    if not settings.REDIS_URL:
        return {"state": NOT_USED}, {"state": NOT_USED}
    beats = _heartbeats()
    if beats is None:
        return {"state": UNKNOWN, "error": "Redis is away"}, {"state": UNKNOWN, "error": "Redis is away"}
    now = time.time()
    workers = {key: at for key, at in beats.items() if key.startswith("worker:")}
    gone = [key for key, at in workers.items() if now - at > FORGET_AFTER]
    if gone:
        try:
            _redis().hdel(HEARTBEATS_KEY, *gone)
        except REDIS_ERRORS:
            pass
    worker_check = _heartbeat_state(list(workers.values()), now)
    worker_check["alive"] = sorted(
        key.removeprefix("worker:") for key, at in workers.items() if now - at <= 3 * heartbeat_seconds()
    )
    beat_check = _heartbeat_state([beats["beat"]] if "beat" in beats else [], now)
    return worker_check, beat_check


def _check_reports() -> dict[str, Any]:
    from django.utils import timezone

    from reporting.models import Report

    try:
        oldest = (
            Report.objects.filter(status=Report.Status.QUEUED)
            .order_by("requested_at", "pk")
            .values("pk", "requested_at")
            .first()
        )
        queued = Report.objects.filter(status=Report.Status.QUEUED).count()
    except Exception as error:  # noqa: BLE001
        return {"state": UNKNOWN, "error": f"{type(error).__name__}: {error}"[:300]}
    if oldest is None:
        return {"state": OK, "queued": 0, "oldest_queued": None}
    waiting = (timezone.now() - oldest["requested_at"]).total_seconds()
    limit = int(getattr(settings, "READY_REPORT_WAIT_SECONDS", 300))
    return {
        "state": OK if waiting <= limit else LATE,
        "queued": queued,
        "oldest_queued": {"id": oldest["pk"], "waiting_seconds": round(waiting, 1)},
    }


def readiness(*, require: list[str] | None = None) -> dict[str, Any]:
    """Every check with its state, and whether the ones required (READY_REQUIRES) all pass."""
    checks: dict[str, dict[str, Any]] = {
        "database": _timed(_check_database),
        "redis": _timed(_check_redis),
        "broker": _timed(_check_broker),
    }
    workers, beat = _check_heartbeats()
    checks["workers"], checks["beat"] = workers, beat
    checks["reports"] = _timed(_check_reports)
    if require is None:
        require = list(getattr(settings, "READY_REQUIRES", list(checks)))
    required = [name for name in require if name in checks]
    failing = [name for name in required if checks[name]["state"] not in {OK, NOT_USED}]
    return {
        "status": "unready" if failing else "ready",
        "failing": failing,
        "required": required,
        "checks": checks,
    }
