"""The data generation: a mirror in Redis of "something a reader may see has changed", for the fast path.

The data version (changes.data_version) is exact but costs a PostgreSQL query with the feed's horizon on
every request. The partner fast path (commitments/api/fastpath.py) reads this instead, in the same Redis
round trip as the token, the budget and the page: an opaque random value that every write replaces.

- ``changed()`` is called by ``changes.record`` and ``changes.record_many``, that is by every write the
  feed sees. It replaces the generation at once (so a transaction sees its own changes, and a reader
  that stores a page read before the commit files it under a generation nobody asks for after the
  commit) and once more after the commit (so that a page read between the first replacement and the
  commit, from the state before it, is never served afterwards).
- Values are random, never counted: a generation that expired or was lost is never reused, so a page
  filed under an old one can never be found again.
- The key expires after ``API_GENERATION_SECONDS`` (60 by default) and is then made anew. That is the
  bound on staleness when the replacement after a commit is lost: the process dies between its commit
  and the replacement, or it cannot reach Redis at that moment while other processes can. Pages are
  then read from the database again at most once a minute each, which costs nothing noticeable.
- Without Redis (``make run`` on the local-memory cache) there is no fast path and nothing to mirror.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from redis.exceptions import RedisError

KEY = "api:generation"
UNREACHABLE = (RedisError, OSError)


def seconds() -> int:
    """How long a generation lives without a change: the bound on staleness after a lost replacement."""
    return int(getattr(settings, "API_GENERATION_SECONDS", 60))


def key() -> str:
    return str(cache.make_key(KEY))


def new_value() -> str:
    return secrets.token_hex(8)


def redis_client():
    """The cache's Redis client, or None when the cache is not Redis (or the breaker holds it off)."""
    from alliance_monitor.breaker import cache_breaker

    try:
        from django_redis import get_redis_connection

        client = get_redis_connection("default")
    except (ImportError, NotImplementedError):
        return None
    if not cache_breaker.allow():
        return None
    return client


def call[T](action: Callable[[Any], T], *, client=None) -> T | None:
    """``action(client)`` on the cache's Redis, through the cache's breaker; None when the cache is not
    Redis, the breaker holds it off, or Redis cannot be reached.

    Every direct use of the Redis client (here and in the partner fast path) goes through this, so that
    the breaker hears of failures *and* successes: a success after an outage closes it, which logs the
    outage's end, empties the process's fallback cache and starts a new generation (breaker.py). A
    caller that already holds a client from ``redis_client()`` (which asked the breaker) passes it.
    """
    from alliance_monitor.breaker import cache_breaker

    if client is None:
        client = redis_client()
        if client is None:
            return None
    try:
        result = action(client)
    except UNREACHABLE as error:
        cache_breaker.failure(error)
        return None
    cache_breaker.success()
    return result


# How many times this process replaced the generation: a reader that keeps the generation in its own
# memory for a moment (opendata/caching.py) drops it when this moves, so it sees its own writes at once.
local_bumps = 0


def bump() -> None:
    """Replace the generation now. Never fails a write: an unreachable Redis is left to the key's expiry
    (see the module's docstring); the breaker logs the outage."""
    global local_bumps
    local_bumps += 1
    call(lambda client: client.set(key(), new_value(), ex=seconds()))


def changed() -> None:
    """Something a reader may see changed in the current transaction: replace the generation now and
    again after the commit (once per transaction)."""
    bump()
    connection = transaction.get_connection()
    if connection.in_atomic_block and not any(entry[1] is bump for entry in connection.run_on_commit):
        transaction.on_commit(bump, robust=True)


def _after_outage(breaker, is_open: bool) -> None:
    # Replacements may have been lost while Redis was away: start a new generation when it is back.
    if not is_open:
        bump()


def connect() -> None:
    from alliance_monitor.breaker import cache_breaker

    if _after_outage not in cache_breaker.on_change:
        cache_breaker.on_change.append(_after_outage)
