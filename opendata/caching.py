"""HTTP caching of the public site: ETag, Last-Modified and Cache-Control on every public answer, 304 for
a conditional GET that matches, and the rendered answer kept in the cache until released data change.

The *stamp* says what the public may see now, without reading it: the released rounds with their release
moments (a round passing its release moment changes the stamp, with no write at all), the change feed's
data version of what partners may see (values, commitments, progress, recommendations, responses,
follow-ups, reports: sync/changes.py), and the newest change and the count of the public items the feed
does not carry (findings, decisions, meetings, replies, withholdings). Those are read with 3 queries
once per data generation (sync/generation.py) and kept in Redis; a repeated request costs no query.
An answer is stored under its URL and the stamp, so a page built before a release (or a withholding) is
never served after it, and one built after it never before.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import threading
import time
from dataclasses import dataclass

from cachetools import LRUCache
from django.core.cache import cache
from django.db import connection
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.cache import get_conditional_response
from django.utils.dateparse import parse_datetime
from django.utils.http import http_date, quote_etag

from commitments.models import Finding
from cycle.models import Decision, Meeting
from focal.models import Reply
from sync import generation
from sync.changes import data_version

from .models import Withholding

# How long browsers and proxies may reuse an answer without asking again (a change shows within it).
MAX_AGE = 60
# How long a rendered answer is kept in the server's cache (the stamp makes it stale sooner on a change).
STORE_SECONDS = 3600
FORMAT = 2  # bump when the pages' or files' shape changes
# What a process keeps of the above in its own memory, besides Redis: a stamp's data under its data
# generation and an answer under its ETag never change (a change makes a new generation, so a new stamp
# and new ETags), so a copy here is as fresh as Redis's and saves the round trips and the unpickling
# of large downloads. Bounded: the answers by their bytes, the stamps by their number.
LOCAL_ANSWER_BYTES = 64 * 1024 * 1024
# The data generation itself is read from Redis at most once per this many seconds per process (it was
# the one Redis round trip of a repeated request, two thirds of the public answers' own cost): a change
# made by another process shows here at most this much later; this process's own writes show at once
# (``generation.local_bumps``). Release moments are unaffected: they are compared with the clock at each
# request (``stamp``), to the second.
GENERATION_REUSE_SECONDS = 1.0
_generation_memo: tuple[str, float, int] | None = None
_local_lock = threading.Lock()
_local_stamps: LRUCache = LRUCache(maxsize=8)
_local_answers: LRUCache = LRUCache(
    maxsize=LOCAL_ANSWER_BYTES, getsizeof=lambda stored: len(stored[1]) + 1024
)


def forget_local() -> None:
    """Drop what this process keeps in its own memory (for tests that empty the shared cache between
    them: a generation kept here would outlive the emptied Redis for up to a second)."""
    global _generation_memo
    with _local_lock:
        _generation_memo = None
        _local_stamps.clear()
        _local_answers.clear()


def _kept(store: LRUCache, key: str):
    with _local_lock:
        return store.get(key)


def _keep(store: LRUCache, key: str, value) -> None:
    with _local_lock:
        try:
            store[key] = value
        except ValueError:  # larger than the whole store: served from Redis only
            pass


@dataclass(frozen=True)
class Stamp:
    key: str
    last_modified: dt.datetime


def _other_changes() -> tuple[str, dt.datetime | None]:
    """The newest update, the count and the sum of the versions of each public table the change feed
    does not carry, and the approved withholdings themselves (one query)."""
    quote = connection.ops.quote_name
    parts = []
    for model in (Finding, Decision, Meeting, Reply, Withholding):
        table = quote(model._meta.db_table)
        parts.append(f"(SELECT max(updated_at) FROM {table})")
        versions = "sum(version)" if any(f.name == "version" for f in model._meta.fields) else "0"
        parts.append(f"(SELECT count(*) || ':' || coalesce({versions}, 0) FROM {table})")
    joined = (
        "string_agg(kind || ':' || item_id, ',' ORDER BY kind, item_id)"
        if connection.vendor == "postgresql"
        else "group_concat(kind || ':' || item_id, ',')"
    )
    parts.append(f"(SELECT {joined} FROM {quote(Withholding._meta.db_table)} WHERE state = 'approved')")
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(parts))
        row = cursor.fetchone()
    moments = [value for value in row[:-1:2] if value is not None]
    moments = [parse_datetime(m) if isinstance(m, str) else m for m in moments]
    moments = [timezone.make_aware(m, dt.UTC) if timezone.is_naive(m) else m for m in moments]
    return "|".join(str(value) for value in row), max(moments, default=None)


def _stamp_data() -> dict:
    """What the stamp is made of, read from the database (3 queries): every round's release moment (also
    those still to come), the change feed's data version, the other public tables' changes."""
    from commitments.models import EvaluationRound

    moments = list(
        EvaluationRound.objects.filter(released_at__isnull=False)
        .order_by("pk")
        .values_list("pk", "released_at")
    )
    others, newest = _other_changes()
    return {"moments": moments, "version": data_version(Q(public=True)), "others": others, "newest": newest}


def _generation() -> str | None:
    """The data generation (sync/generation.py), made when missing; None without Redis. Kept in this
    process for ``GENERATION_REUSE_SECONDS`` unless this process replaced it meanwhile."""
    global _generation_memo
    bumps, memo = generation.local_bumps, _generation_memo
    if memo is not None and memo[2] == bumps and time.monotonic() - memo[1] < GENERATION_REUSE_SECONDS:
        return memo[0]
    client = generation.redis_client()
    if client is None:
        return None
    read_at = time.monotonic()
    try:
        value = client.get(generation.key())
        if value is None:
            client.set(generation.key(), generation.new_value(), ex=generation.seconds(), nx=True)
            value = client.get(generation.key())
    except generation.UNREACHABLE:
        return None
    value = value.decode() if isinstance(value, bytes) else value
    if value is not None:
        _generation_memo = (value, read_at, bumps)
    return value


def stamp() -> Stamp:
    """The stamp of what the public may see now. Its data are kept under the data generation, which every
    write of public data replaces (the change feed's writes, and the signals in ``connect``), so a
    repeated request reads them from Redis without a query; which rounds are released is decided here,
    at each request, from their release moments: a round is public from its moment, to the second."""
    current = _generation()
    data = _kept(_local_stamps, current) if current else None
    if data is None and current:
        data = cache.get(f"public:stamp:{current}")
    if data is None:
        data = _stamp_data()
        if current:
            cache.set(f"public:stamp:{current}", data, generation.seconds())
    if current:
        _keep(_local_stamps, current, data)
    now = timezone.now()
    rounds = [(pk, moment) for pk, moment in data["moments"] if moment <= now]
    text = f"{FORMAT}:{rounds}:{data['version']}:{data['others']}"
    moments = [moment for _pk, moment in rounds]
    if data["newest"] is not None:
        moments.append(data["newest"])
    last = max(moments, default=dt.datetime(2000, 1, 1, tzinfo=dt.UTC)).replace(microsecond=0)
    return Stamp(key=hashlib.sha256(text.encode()).hexdigest()[:32], last_modified=last)


def _changed(sender, instance, raw=False, **kwargs) -> None:
    if not raw:
        generation.changed()


def connect() -> None:
    """Public tables the change feed does not carry replace the data generation when they change too."""
    from django.db.models.signals import post_delete, post_save

    from cycle.models import MeetingEvaluation

    for model in (Finding, Decision, Meeting, MeetingEvaluation, Reply, Withholding):
        post_save.connect(_changed, sender=model, dispatch_uid=f"opendata-save-{model.__name__}")
        post_delete.connect(_changed, sender=model, dispatch_uid=f"opendata-delete-{model.__name__}")


def _headers(response: HttpResponse, *, etag: str, last_modified: dt.datetime) -> HttpResponse:
    response.headers["ETag"] = etag
    response.headers["Last-Modified"] = http_date(last_modified.timestamp())
    response.headers["Cache-Control"] = f"public, max-age={MAX_AGE}"
    return response


def cached_public(view):
    """Serve a public view with validators and from the cache; the view runs only when released data
    (or the URL) are new to the cache. Only GET and HEAD."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        current = stamp()
        # The scheme and host too: the catalogue, the sitemap and the pages' links are absolute URLs, so an
        # answer made for one address (http behind a proxy, another allowed host) is not served for another.
        where = f"{request.scheme}://{request.get_host()}{request.get_full_path()}"
        etag = quote_etag(hashlib.sha256(f"{current.key}:{where}".encode()).hexdigest()[:32])
        conditional = get_conditional_response(
            request, etag=etag, last_modified=int(current.last_modified.timestamp())
        )
        if conditional is not None:
            return _headers(conditional, etag=etag, last_modified=current.last_modified)
        key = f"public:{etag}"
        stored = _kept(_local_answers, key)
        if stored is None:
            stored = cache.get(key)
            if stored is not None:
                _keep(_local_answers, key, stored)
        if stored is not None:
            status, content, headers = stored
            response = HttpResponse(content, status=status)
            for name, value in headers.items():
                response.headers[name] = value
        else:
            response = view(request, *args, **kwargs)
            if response.status_code == 200 and not response.streaming:
                if hasattr(response, "render"):
                    response.render()
                keep = {
                    name: value
                    for name, value in response.headers.items()
                    if name in {"Content-Type", "Content-Disposition", "Link", "Content-Language"}
                }
                cache.set(key, (response.status_code, response.content, keep), STORE_SECONDS)
                _keep(_local_answers, key, (response.status_code, response.content, keep))
        if response.status_code == 200:
            _headers(response, etag=etag, last_modified=current.last_modified)
        return response

    return wrapper
