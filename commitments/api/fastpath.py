"""The partner fast path: a page already rendered for a partner's view of the data, served from Redis in
one round trip, before sessions, CSRF, two-factor, history, URL routing and DRF.

Partners poll. Most of their requests ask for a page that has not changed since the last time, and used
to cost the whole stack: the token's query, the data version's query (with the feed's horizon), DRF's
content negotiation, the filters' forms, the throttle, the page cache; a third of the trivial view's
throughput at best. Here a GET of a list, a detail or the change feed with ``Authorization: Bearer`` is
answered by one Redis script (``LOOKUP``) that, atomically:

1. reads the token's cached entry (``api:token:<hash of the key>``: id, name, countries, expiry and the
   viewer's scope; written by authentication.py whenever the full path accepts the token);
2. counts the request against the token's budget (the same counter as throttling.py);
3. reads the data generation (sync/generation.py: replaced by every write, in Redis);
4. reads the page stored under (scope, "partner", language, Accept, absolute URL, generation).

A hit within budget is answered at once with the stored bytes and headers: no database query at all.
Everything else goes down the full path unchanged, which then stores what it answered (a miss), or
refuses (unknown, revoked or expired token: 401; over budget: 429, counted once).

What keeps it right:

- **Data.** Pages are filed under the generation read before the page is made; every write replaces the
  generation (at once and after its commit), so a page from before a change is never found after it.
  The page is only stored when ``changes.settled()`` held before it was made (nothing committed waits
  behind a running transaction), so an answer the feed's horizon held back is not kept. Staleness is
  bounded by ``API_GENERATION_SECONDS`` (60) only when a replacement is lost (see generation.py).
- **Readers.** The key carries the viewer's scope (what decides the rows) and "partner" (only partner
  tokens' own answers are stored and served); the ETag is computed per token from a hash of the bytes,
  so it still names its reader and is the same on both paths (If-None-Match answers 304 on either).
- **Tokens.** The entry lives ``API_TOKEN_CACHE_SECONDS`` (60). Revoking, changing or deleting a token
  (service, admin, command: any ``save``) deletes it, at once and again after the commit; the expiry is
  checked on every request. A change made around the models (``update()`` in SQL) takes effect within
  ``API_TOKEN_CACHE_SECONDS``. ``last_used_at`` is written by the full path, which each active token
  reaches at least once per entry lifetime: it stays within a couple of minutes of the truth.
- **Budget.** Counted in the same script, once per request; the full path uses that count.
- **Outages.** Without Redis (or with its breaker open, or ``make run``'s local cache) the fast path
  steps aside and the full path answers as before. Every call it makes to Redis goes through the cache's
  breaker (``generation.call``): a failure opens it, and the first answer after an outage closes it, so
  the outage's end is logged even when the fast path answers every request (alliance_monitor/breaker.py).
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import time

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import DisallowedHost
from django.db import transaction
from django.http import HttpResponse, HttpResponseNotModified
from django.utils import translation
from django.utils.http import parse_etags
from redis.exceptions import RedisError
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

from sync import changes, generation

from .authentication import PartnerAccess, PartnerUser

logger = logging.getLogger("commitments.api")

API_VERSION = "1"  # as views.API_VERSION: part of every ETag
# GETs of these (lists, details, the change feed) may be served here; everything else never is.
PATHS = re.compile(
    r"^/api/v1/(?:countries|goals|indicators|periods|rounds|values|commitments|recommendations|changes)/"
    r"(?:[^/]+/)?$"
)
TOKEN_PREFIX = "api:token:"
PAGE_PREFIX = "api:fast:"
MAX_STORED_BYTES = 2 * 1024 * 1024  # as cache.MAX_CACHED_BYTES: huge pages would crowd out the rest
UNREACHABLE = (RedisError, OSError)
# Headers that are the request's own, or recomputed: never stored with a page.
NOT_STORED = {"etag", "content-length", "set-cookie", "x-request-id"}

# KEYS[1] the token's entry, KEYS[2] the generation.
# ARGV: 1 now (epoch s), 2 budget key prefix, 3 budget window (s; 0: no budget), 4 a new generation,
# 5 the generation's lifetime (s), 6 page key prefix, 7 the request's variant (language, Accept, URL).
# Returns {} (token unknown here), {entry} (expired), or {entry, count, seconds left, page key, page}.
LOOKUP = """
local raw = redis.call('GET', KEYS[1])
if not raw then return {} end
local token = cjson.decode(raw)
if token.expires ~= cjson.null and tonumber(token.expires) <= tonumber(ARGV[1]) then return {raw} end
local count, left = 0, 0
if tonumber(ARGV[3]) > 0 then
  local budget = ARGV[2] .. token.id
  count = redis.call('INCR', budget)
  if count == 1 then redis.call('EXPIRE', budget, ARGV[3]) end
  left = redis.call('TTL', budget)
  if left < 0 then redis.call('EXPIRE', budget, ARGV[3]); left = tonumber(ARGV[3]) end
end
local current = redis.call('GET', KEYS[2])
if not current then
  current = ARGV[4]
  redis.call('SET', KEYS[2], current, 'EX', ARGV[5])
end
local page_key = ARGV[6] .. redis.sha1hex(token.scope .. '\\n' .. ARGV[7] .. '\\n' .. current)
local page = redis.call('GET', page_key)
return {raw, count, left, page_key, page}
"""
_scripts: dict[int, object] = {}  # registered once per Redis client (EVALSHA after the first call)


def cache_seconds() -> int:
    return int(getattr(settings, "API_CACHE_SECONDS", 300))


def token_seconds() -> int:
    return int(getattr(settings, "API_TOKEN_CACHE_SECONDS", 60))


def token_key(key_hash: str) -> str:
    return str(cache.make_key(TOKEN_PREFIX + key_hash))


def _budget() -> tuple[int, int] | None:
    """(requests, seconds) of the partner budget, or None when there is none (as throttling.py reads it)."""
    rate = api_settings.DEFAULT_THROTTLE_RATES.get("partner")
    if rate is None:
        return None
    return SimpleRateThrottle.parse_rate(None, rate)


def etag_for(token_id: int, content_hash: str) -> str:
    """The ETag of a page for one token: names its reader, changes when (and only when) the bytes do."""
    raw = f"{API_VERSION}|partner:{token_id}|{content_hash}"
    return '"' + hashlib.sha256(raw.encode()).hexdigest()[:32] + '"'


def _matches(request, etag: str) -> bool:
    header = request.META.get("HTTP_IF_NONE_MATCH")
    if not header:
        return False
    wanted = {tag.removeprefix("W/") for tag in parse_etags(header)}
    return "*" in wanted or etag in wanted


# --- the token's entry ---------------------------------------------------------------------------------


def remember_token(key_hash: str, partner: PartnerAccess, expires_at) -> None:
    """Keep what the fast path needs of a token the full path has just accepted (authentication.py)."""
    from .visibility import Viewer

    client = generation.redis_client()
    if client is None or cache_seconds() <= 0:
        return
    scope = Viewer(
        key="", can_read=True, can_write=False, country_ids=partner.country_ids, draft_country_ids=frozenset()
    ).scope
    entry = {
        "id": partner.token_id,
        "name": partner.name,
        "prefix": partner.key_prefix,
        "countries": None if partner.country_ids is None else sorted(partner.country_ids),
        "expires": None if expires_at is None else expires_at.timestamp(),
        "scope": scope,
    }
    value = json.dumps(entry)
    generation.call(lambda client: client.set(token_key(key_hash), value, ex=token_seconds()), client=client)


def forget_token(key_hash: str) -> None:
    """Drop a token's entry, now and after the commit (so that a request that read the token before
    the commit cannot leave an entry that outlives the change)."""

    def drop() -> None:
        generation.call(lambda client: client.delete(token_key(key_hash)))

    drop()
    transaction.on_commit(drop, robust=True)


def _token_saved(sender, instance, raw=False, **kwargs) -> None:
    if instance.key_hash:
        forget_token(instance.key_hash)


def _token_countries_changed(sender, instance, action, reverse, pk_set, **kwargs) -> None:
    if not action.startswith("post_"):
        return
    from commitments.models import PartnerToken

    if not reverse:
        forget_token(instance.key_hash)
        return
    tokens = PartnerToken.objects.all() if pk_set is None else PartnerToken.objects.filter(pk__in=pk_set)
    for key_hash in tokens.values_list("key_hash", flat=True):
        forget_token(key_hash)


def connect() -> None:
    """Token changes drop the token's entry (called from the app's ready())."""
    from django.db.models.signals import m2m_changed, post_delete, post_save

    from commitments.models import PartnerToken

    post_save.connect(_token_saved, sender=PartnerToken, dispatch_uid="fastpath-token-saved")
    post_delete.connect(_token_saved, sender=PartnerToken, dispatch_uid="fastpath-token-deleted")
    m2m_changed.connect(
        _token_countries_changed,
        sender=PartnerToken.countries.through,
        dispatch_uid="fastpath-token-countries",
    )


# --- the middleware ------------------------------------------------------------------------------------


def _bearer_key(request) -> str | None:
    """The token of a GET the fast path may answer, or None."""
    if request.method != "GET" or not PATHS.match(request.path_info):
        return None
    parts = request.META.get("HTTP_AUTHORIZATION", "").split()
    if len(parts) != 2 or parts[0].lower() != "bearer":
        return None
    # CSV downloads stream and are never stored: not worth a look-up.
    if "csv" in request.META.get("QUERY_STRING", "") or "csv" in request.META.get("HTTP_ACCEPT", ""):
        return None
    return parts[1]


def _partner(entry: dict) -> PartnerAccess:
    countries = entry["countries"]
    return PartnerAccess(
        token_id=entry["id"],
        name=entry["name"],
        key_prefix=entry["prefix"],
        country_ids=None if countries is None else frozenset(countries),
    )


class PartnerFastPathMiddleware:
    """Answers partners' repeated GETs from Redis (see the module's docstring); placed right after the
    request id and the metrics, so that both still see every request."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        key = _bearer_key(request)
        if key is None or cache_seconds() <= 0:
            return self.get_response(request)
        client = generation.redis_client()
        if client is None:
            return self.get_response(request)
        try:
            variant = "\n".join(
                [
                    "partner",
                    translation.get_language_from_request(request),
                    request.META.get("HTTP_ACCEPT", ""),
                    request.build_absolute_uri(),
                ]
            )
        except DisallowedHost:
            return self.get_response(request)  # the full path answers 400
        budget = _budget()
        try:
            key_hash = hashlib.sha256(key.encode()).hexdigest()
        except UnicodeEncodeError:
            return self.get_response(request)
        script = _scripts.get(id(client))
        if script is None:
            script = _scripts[id(client)] = client.register_script(LOOKUP)
        # Through the breaker both ways: a failure opens it, and the first answer after an outage closes
        # it (and logs the outage's end), whichever path the requests take meanwhile.
        answer = generation.call(
            lambda client: script(
                keys=[token_key(key_hash), generation.key()],
                args=[
                    time.time(),
                    str(cache.make_key("budget_partner_")),
                    budget[1] if budget else 0,
                    generation.new_value(),
                    generation.seconds(),
                    str(cache.make_key(PAGE_PREFIX)),
                    variant,
                ],
                client=client,
            ),
            client=client,
        )
        if answer is None:
            return self.get_response(request)  # Redis is away: the full path answers as before
        if len(answer) < 5:
            return self.get_response(request)  # unknown here or expired: the full path decides
        raw, count, left, page_key, page = answer
        entry = json.loads(raw)
        if budget:
            # The full path's throttle uses this count instead of counting the request again.
            request.alliance_budget = (int(count), max(int(left), 1))
            if int(count) > budget[0]:
                return self.get_response(request)  # 429, in the API's error shape
        if page is not None:
            return self.hit(request, entry, page)
        return self.miss(request, entry, page_key.decode() if isinstance(page_key, bytes) else page_key)

    def hit(self, request, entry: dict, page: bytes) -> HttpResponse:
        head, _newline, content = page.partition(b"\n")
        meta = json.loads(head)
        partner = _partner(entry)
        request.auth, request.user = partner, PartnerUser(partner)  # for the metrics and the logs
        request.metrics_route = meta["route"]
        logger.info(
            "API request by partner token %s (%s): %s %s", partner.token_id, partner.name, request.method,
            request.path,
        )  # fmt: skip
        etag = etag_for(partner.token_id, meta["hash"]) if meta["etag"] else None
        if etag and _matches(request, etag):
            response = HttpResponseNotModified()
            headers = [(n, v) for n, v in meta["headers"] if not n.lower().startswith("content-")]
        else:
            response = HttpResponse(content, content_type=meta["type"])
            headers = meta["headers"]
        for name, value in headers:
            response[name] = value
        if etag:
            response["ETag"] = etag
        return response

    def miss(self, request, entry: dict, page_key: str):
        settled = changes.settled()  # before the page is made: see the module's docstring
        response = self.get_response(request)
        partner = getattr(request, "auth", None)
        if (
            response.status_code != 200
            or response.streaming
            or response.cookies
            or not isinstance(partner, PartnerAccess)
            or partner.token_id != entry["id"]
        ):
            return response
        has_etag = response.has_header("ETag")
        if not has_etag and not getattr(response, "alliance_cacheable", False):
            return response  # the view said it must not be kept (a page read while a change landed)
        content = response.content
        content_hash = hashlib.sha256(content).hexdigest()
        if settled and len(content) <= MAX_STORED_BYTES:
            from alliance_monitor.metrics import _route

            meta = {
                "type": response["Content-Type"],
                "hash": content_hash,
                "etag": has_etag,
                "route": _route(request),
                "headers": [(n, v) for n, v in response.items() if n.lower() not in NOT_STORED],
            }
            stored = json.dumps(meta).encode() + b"\n" + content
            generation.call(lambda client: client.set(page_key, stored, ex=cache_seconds()))
        if has_etag:
            etag = etag_for(partner.token_id, content_hash)
            if _matches(request, etag):
                not_modified = HttpResponseNotModified()
                for name, value in response.items():
                    if name.lower() not in NOT_STORED and not name.lower().startswith("content-"):
                        not_modified[name] = value
                response = not_modified
            response["ETag"] = etag
        return response
