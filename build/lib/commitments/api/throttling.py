"""Request budgets: one per partner token, one per signed-in user; a 429 says when to try again.

The rates are read at request time from REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] (set from the
environment in settings), so they can be changed per deployment, and per test. Counters live in the
shared cache (Redis in production), so every web process counts against the same budget.

Counting is atomic: one Redis operation per request (a small Lua script: INCR, EXPIRE on the first
request of a window, TTL), so parallel requests can never let more than the budget through. DRF's own
throttle reads a list of timestamps and writes it back, and parallel requests overwrite each other's
counts (1,210 requests got through a budget of 1,200). The window is fixed: it starts with the first
request and lasts the rate's period; the 429's Retry-After is the time left in it. Without Redis
(``make run`` on the local memory cache) the cache's own add/incr count, per process. When Redis
cannot be reached the request is let through and the outage logged: a budget is not worth an outage.
"""

from __future__ import annotations

import logging

from django.core.cache import cache
from redis.exceptions import RedisError
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

from .authentication import PartnerAccess

logger = logging.getLogger("commitments.api")

# KEYS[1]: the counter; ARGV[1]: the window in seconds. Returns {count, seconds left in the window}.
COUNT_SCRIPT = """
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
local left = redis.call('TTL', KEYS[1])
if left < 0 then redis.call('EXPIRE', KEYS[1], ARGV[1]); left = tonumber(ARGV[1]) end
return {count, left}
"""
_script = []  # the registered script, made once (EVALSHA after the first call)


def _redis():
    """The cache's Redis client, or None when the cache is not Redis."""
    try:
        from django_redis import get_redis_connection

        return get_redis_connection("default")
    except (ImportError, NotImplementedError):
        return None


def count_request(key: str, period: int) -> tuple[int, int] | None:
    """Count one request against ``key`` in a window of ``period`` seconds, atomically.

    Returns (requests in the window so far, seconds left in it), or None when the cache cannot count.
    """
    full_key = cache.make_key(key)
    client = _redis()
    try:
        if client is None:
            cache.add(key, 0, period)
            return cache.incr(key), period
        if not _script:
            _script.append(client.register_script(COUNT_SCRIPT))
        count, left = _script[0](keys=[full_key], args=[period], client=client)
        return int(count), max(int(left), 1)
    except (RedisError, OSError, ValueError) as error:
        logger.warning("Request budgets not counted (cache unreachable): %s", error)
        return None


class _AtomicRateThrottle(SimpleRateThrottle):
    # A counter, not DRF's list of times: a new name, so that lists left by DRF's throttle are not counted.
    cache_format = "budget_%(scope)s_%(ident)s"

    def get_rate(self) -> str | None:
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)

    def allow_request(self, request, view) -> bool:
        self.rate = self.get_rate()
        if self.rate is None:
            return True
        self.num_requests, self.duration = self.parse_rate(self.rate)
        key = self.get_cache_key(request, view)
        if key is None:
            return True
        # The partner fast path (fastpath.py) has counted this request already, in its one Redis call.
        counted = getattr(getattr(request, "_request", request), "alliance_budget", None)
        if counted is None or self.scope != "partner":
            counted = count_request(key, self.duration)
        if counted is None:
            return True
        count, self.seconds_left = counted
        return count <= self.num_requests

    def wait(self) -> float:
        return self.seconds_left


class PartnerTokenThrottle(_AtomicRateThrottle):
    """Each partner token has its own budget (scope ``partner``), whichever address it calls from."""

    scope = "partner"

    def get_cache_key(self, request, view) -> str | None:
        if isinstance(request.auth, PartnerAccess):
            return self.cache_format % {"scope": self.scope, "ident": request.auth.token_id}
        return None


class SessionUserThrottle(_AtomicRateThrottle):
    """Signed-in staff, reviewers and ministers (scope ``user``): generous, against runaway scripts."""

    scope = "user"

    def get_cache_key(self, request, view) -> str | None:
        if isinstance(request.auth, PartnerAccess) or not request.user.is_authenticated:
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.user.pk}
