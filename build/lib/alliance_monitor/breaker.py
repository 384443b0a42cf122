"""Circuit breakers for Redis (the cache) and the Celery broker, and the outage log that goes with them.

While Redis is away, every request that tries it pays for the attempt (a refused connection, redis-py's
retries, a timeout when the host does not answer at all) and used to log a traceback per attempt. A
breaker remembers the failure instead: for ``BREAKER_RESET_SECONDS`` after it, calls skip Redis at once
(the cache answers from this process's memory, a report request stays queued for the hand-over); then
one call is let through to try again, and its success closes the breaker.

Each breaker writes the outage to the log three ways only: one WARNING when it starts, one summary a
minute while it lasts (``OUTAGE_SUMMARY_SECONDS``), one INFO when it ends, never a traceback per call.
Per process: gunicorn's N workers write N such stories, still a bounded number of lines.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from django.conf import settings
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.locmem import LocMemCache
from django_redis.client import DefaultClient
from django_redis.exceptions import ConnectionInterrupted
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger("alliance_monitor.outage")


class CircuitBreaker:
    """Closed (calls go through) until a call fails; then open (calls are skipped) for a while."""

    def __init__(self, name: str, *, description: str) -> None:
        self.name = name
        self.description = description
        self._lock = threading.Lock()
        self._down_since: float | None = None  # monotonic; None while closed
        self._retry_at = 0.0
        self._last_summary = 0.0
        self._skipped = 0  # calls skipped since the last summary
        self._failed = 0  # tries that failed since the last summary
        self._skipped_total = 0
        self._failed_total = 0
        self._last_error = ""
        self.on_change: list[Callable[[CircuitBreaker, bool], None]] = []  # (breaker, is_open)

    # settings are read on every use, so override_settings and the environment both work
    @staticmethod
    def reset_seconds() -> float:
        return float(getattr(settings, "BREAKER_RESET_SECONDS", 5))

    @staticmethod
    def summary_seconds() -> float:
        return float(getattr(settings, "OUTAGE_SUMMARY_SECONDS", 60))

    @property
    def is_open(self) -> bool:
        return self._down_since is not None

    def allow(self) -> bool:
        """May this call try the service? False: skip it (the breaker is open and no retry is due)."""
        if self._down_since is None:
            return True
        now = time.monotonic()
        with self._lock:
            if self._down_since is None:
                return True
            if now >= self._retry_at:
                # This call is the trial; the others keep skipping until it answers or fails.
                self._retry_at = now + self.reset_seconds()
                return True
            self._skipped += 1
            self._skipped_total += 1
            self._maybe_summarise(now)
        return False

    def failure(self, error: BaseException | str) -> None:
        """A call could not reach the service: open the breaker (or keep it open)."""
        now = time.monotonic()
        message = _describe(error)
        opened = False
        with self._lock:
            self._retry_at = now + self.reset_seconds()
            self._last_error = message
            if self._down_since is None:
                self._down_since = self._last_summary = now
                self._skipped = self._failed = self._skipped_total = self._failed_total = 0
                opened = True
            else:
                self._failed += 1
                self._failed_total += 1
                self._maybe_summarise(now)
        if opened:
            logger.warning(
                "%s unreachable (%s): skipping it for %s s at a time until it answers",
                self.description,
                message,
                _seconds(self.reset_seconds()),
                extra={"dependency": self.name, "outage": "started"},
            )
            self._notify(True)

    def success(self) -> None:
        """A call reached the service: close the breaker, and say the outage is over."""
        if self._down_since is None:
            return
        with self._lock:
            if self._down_since is None:
                return
            lasted = time.monotonic() - self._down_since
            skipped, failed = self._skipped_total, self._failed_total
            self._down_since = None
        logger.info(
            "%s reachable again after %.0f s (%d calls skipped, %d retries failed meanwhile)",
            self.description,
            lasted,
            skipped,
            failed,
            extra={"dependency": self.name, "outage": "ended"},
        )
        self._notify(False)

    def _maybe_summarise(self, now: float) -> None:
        # Called with the lock held.
        if now - self._last_summary < self.summary_seconds():
            return
        logger.warning(
            "%s still unreachable after %.0f s: %d calls skipped and %d retries failed in the last %.0f s "
            "(last error: %s)",
            self.description,
            now - self._down_since,
            self._skipped,
            self._failed,
            now - self._last_summary,
            self._last_error,
            extra={"dependency": self.name, "outage": "continues"},
        )
        self._last_summary = now
        self._skipped = self._failed = 0

    def _notify(self, is_open: bool) -> None:
        for callback in list(self.on_change):
            try:
                callback(self, is_open)
            except Exception:  # noqa: BLE001 - a listener must not break the caller
                logger.exception("Breaker listener failed")

    def reset(self) -> None:
        """Forget any outage (tests)."""
        with self._lock:
            self._down_since = None
            self._retry_at = 0.0


def _describe(error: BaseException | str) -> str:
    if isinstance(error, str):
        return error
    cause = error.__cause__ if isinstance(error, ConnectionInterrupted) and error.__cause__ else error
    return f"{type(cause).__name__}: {cause}".strip()[:300]


def _seconds(value: float) -> str:
    return f"{value:g}"


cache_breaker = CircuitBreaker("redis", description="Redis (cache)")
broker_breaker = CircuitBreaker("broker", description="Celery broker")

REDIS_ERRORS = (ConnectionInterrupted, RedisConnectionError, RedisTimeoutError, ConnectionError, TimeoutError)


# --- the cache: django-redis's client behind the breaker ---------------------------------------------------

# The client's calls that talk to Redis. (make_key, encode, decode, lock, close ... do not.)
_GUARDED = [
    "set", "incr_version", "add", "get", "persist", "expire", "pexpire", "pexpire_at", "expire_at",
    "delete", "delete_pattern", "delete_many", "clear", "get_many", "set_many", "incr", "decr", "ttl",
    "pttl", "has_key", "iter_keys", "keys", "touch",
]  # fmt: skip


class _Fallback:
    """This process's own memory standing in for Redis while the breaker is open.

    Pages then keep coming from a cache (the API's page cache is keyed on the data's version, so a page
    kept here is never stale) and the throttle keeps counting, per process instead of across them. It is
    emptied when Redis answers again.
    """

    def __init__(self) -> None:
        self._cache: LocMemCache | None = None

    @property
    def cache(self) -> LocMemCache:
        if self._cache is None:
            entries = int(getattr(settings, "CACHE_FALLBACK_ENTRIES", 1000))
            options = {"OPTIONS": {"MAX_ENTRIES": entries}}
            self._cache = LocMemCache("alliance-monitor-redis-fallback", options)
        return self._cache

    def clear(self) -> None:
        if self._cache is not None:
            self._cache.clear()


fallback = _Fallback()


def _set(fb, key, value, timeout=DEFAULT_TIMEOUT, version=None, client=None, nx=False, xx=False):
    if nx:
        return fb.add(key, value, timeout, version)
    if xx and not fb.has_key(key, version):
        return False
    fb.set(key, value, timeout, version)
    return True


def _incr(fb, key, delta=1, version=None, client=None, ignore_key_check=False):
    if ignore_key_check and not fb.has_key(key, version):
        fb.set(key, 0, version=version)
    return fb.incr(key, delta, version)


# The calls the fallback answers, with django-redis's client signatures; the others answer as before
# (a miss, or nothing done).
_FALLBACK = {
    "get": lambda fb, key, default=None, version=None, client=None: fb.get(key, default, version),
    "set": _set,
    "add": lambda fb, key, value, timeout=DEFAULT_TIMEOUT, version=None, client=None: fb.add(
        key, value, timeout, version
    ),
    "delete": lambda fb, key, version=None, prefix=None, client=None: fb.delete(key, version),
    "delete_many": lambda fb, keys, version=None, client=None: fb.delete_many(keys, version),
    "get_many": lambda fb, keys, version=None, client=None: fb.get_many(keys, version),
    "set_many": lambda fb, data, timeout=DEFAULT_TIMEOUT, version=None, client=None: fb.set_many(
        data, timeout, version
    ),
    "incr": _incr,
    "decr": lambda fb, key, delta=1, version=None, client=None: fb.decr(key, delta, version),
    "has_key": lambda fb, key, version=None, client=None: fb.has_key(key, version),
    "touch": lambda fb, key, timeout=DEFAULT_TIMEOUT, version=None, client=None: fb.touch(
        key, timeout, version
    ),
}

_nesting = threading.local()  # set_many calls set, add calls set: only the outermost call counts


def _guarded(name: str, method):
    local = _FALLBACK.get(name)

    def instead(error: BaseException, args, kwargs):
        if local is None:
            raise ConnectionInterrupted(connection=None) from error
        return local(fallback.cache, *args, **kwargs)

    def call(self, *args, **kwargs):
        if getattr(_nesting, "depth", 0):
            return method(self, *args, **kwargs)
        if not cache_breaker.allow():
            return instead(RedisConnectionError("skipped: breaker open"), args, kwargs)
        _nesting.depth = 1
        try:
            result = method(self, *args, **kwargs)
        except (ConnectionInterrupted, RedisConnectionError, RedisTimeoutError) as error:
            cache_breaker.failure(error)
            _nesting.depth = 0
            return instead(error, args, kwargs)
        finally:
            _nesting.depth = 0
        cache_breaker.success()
        return result

    call.__name__ = method.__name__
    call.__doc__ = method.__doc__
    return call


class BreakerClient(DefaultClient):
    """django-redis's client, skipping Redis while ``cache_breaker`` is open (CACHES OPTIONS CLIENT_CLASS).

    Meanwhile reads and writes go to this process's memory (``fallback``); calls it cannot answer (keys,
    ttl, ...) fail as a failed call did, which ``IGNORE_EXCEPTIONS`` turns into a miss, only at once.
    """


for _name in _GUARDED:
    setattr(BreakerClient, _name, _guarded(_name, getattr(DefaultClient, _name)))


def _empty_fallback(breaker: CircuitBreaker, is_open: bool) -> None:
    if not is_open:
        fallback.clear()  # Redis is back and holds the truth again


cache_breaker.on_change.append(_empty_fallback)
