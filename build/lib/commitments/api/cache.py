"""A server-side cache of rendered list pages, so that partners polling an unchanged list cost little.

A page is stored under a key made of everything that decides its bytes: the API version, what the reader
may see (``Viewer.scope``, not who they are: readers with the same scope share pages), the language, the
accepted media type, the full URL (its query and the host that the ``next`` links name) and the data
version (sync.changes.data_version: the newest final change in the change feed's outbox, which every
write adds to in its own transaction). Nothing is ever invalidated: when any data changes, the version
changes, so the key does, and the old page is simply never asked for again (it expires after
``API_CACHE_SECONDS``). A hit therefore costs the request's authentication and one indexed query, and
no row is read, at any size of the data.

A page is only stored when the version read again after the page equals the one read before it
(views/base.py), so a page is never filed under a state it was not read in. When the cache cannot be reached
the API answers from the database, as if the cache were empty. ``API_CACHE_SECONDS = 0`` turns it off.
"""

from __future__ import annotations

import hashlib
import logging

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from redis.exceptions import RedisError

logger = logging.getLogger("commitments.api")

KEY_PREFIX = "api:page:"
# Larger pages (1,000 commitments with their progress) are read from the database each time: a cache
# holding a few of them would crowd out thousands of ordinary pages.
MAX_CACHED_BYTES = 2 * 1024 * 1024
UNREACHABLE = (RedisError, OSError)


def timeout() -> int:
    """Seconds a page is kept; 0 turns the cache off."""
    return int(getattr(settings, "API_CACHE_SECONDS", 300))


def page_key(*, scope: str, language: str, media_type: str, url: str, version: str) -> str:
    raw = "\n".join(["2", scope, language, media_type, url, version])
    return KEY_PREFIX + hashlib.sha256(raw.encode()).hexdigest()


def page_get(key: str) -> HttpResponse | None:
    """The stored page as a response, or None (not stored, cache off or unreachable)."""
    if timeout() <= 0:
        return None
    try:
        stored = cache.get(key)
    except UNREACHABLE as error:
        logger.warning("API page cache unreachable, reading from the database: %s", error)
        return None
    if stored is None:
        return None
    content, content_type = stored
    return HttpResponse(content, content_type=content_type)


def page_store_when_rendered(response, key: str) -> None:
    """Store the response's bytes once rendered (DRF renders after the view returns)."""
    seconds = timeout()
    if seconds <= 0:
        return

    def store(rendered):
        if rendered.status_code == 200 and len(rendered.content) <= MAX_CACHED_BYTES:
            try:
                cache.set(key, (rendered.content, rendered["Content-Type"]), seconds)
            except UNREACHABLE as error:
                logger.warning("API page cache unreachable, page not stored: %s", error)
        return None  # keep the rendered response as it is

    response.add_post_render_callback(store)
