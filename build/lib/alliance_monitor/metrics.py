"""Prometheus metrics (prometheus_client), at ``/metrics`` for administrators (the Administrator role,
superusers) and scrapers (METRICS_TOKEN, METRICS_ALLOWED_IPS).

Counted by the web processes as they serve (safe under gunicorn's several processes: with
``PROMETHEUS_MULTIPROC_DIR`` set, each process writes its own files and a scrape adds them up; see
gunicorn.conf.py, which empties the folder at start and marks dead workers):

- ``am_http_requests_total{method,route,status}`` and ``am_http_request_duration_seconds{method,route}``,
  by URL pattern (``api/v1/values/``), never by raw path;
- ``am_api_partner_requests_total{token,route,status}``: partner API use by token name;
- ``am_dependency_outages_total{dependency}``: how often the Redis / broker breakers opened.

Read at scrape time from the database and the broker, so they are true for every process and host:

- ``am_reports{kind,status}``, ``am_reports_finished_total{kind,outcome}``,
  ``am_report_duration_seconds{kind}`` (request to finish; a histogram), ``am_report_oldest_queued_seconds``;
- ``am_queue_messages{queue}``: messages waiting in the broker.
"""

from __future__ import annotations

import functools
import hmac
import os
import re
import time
from datetime import timedelta

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, HistogramMetricFamily

from .breaker import REDIS_ERRORS, CircuitBreaker, broker_breaker, cache_breaker

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)
REPORT_BUCKETS = (5, 10, 30, 60, 120, 300, 600, 1800, 3600)

REQUESTS = Counter(
    "am_http_requests", "HTTP requests answered, by URL pattern", ["method", "route", "status"]
)
LATENCY = Histogram(
    "am_http_request_duration_seconds",
    "Time to answer an HTTP request, by URL pattern",
    ["method", "route"],
    buckets=LATENCY_BUCKETS,
)
PARTNER_REQUESTS = Counter(
    "am_api_partner_requests", "Partner API requests, by partner token", ["token", "route", "status"]
)
OUTAGES = Counter("am_dependency_outages", "Times the breaker of a dependency opened", ["dependency"])


def _count_outage(breaker: CircuitBreaker, is_open: bool) -> None:
    if is_open:
        OUTAGES.labels(breaker.name).inc()


for _breaker in (cache_breaker, broker_breaker):
    _breaker.on_change.append(_count_outage)


_GROUP = re.compile(r"\(\?P<(\w+)>(?:[^()]|\([^()]*\))*\)")


@functools.lru_cache(maxsize=512)
def _readable(route: str) -> str:
    """``api/v1/countries/(?P<code>[A-Z]{2})/$`` (DRF's regex routes) -> ``/api/v1/countries/<code>/``."""
    return "/" + _GROUP.sub(r"<\1>", route).replace("^", "").replace("$", "").replace("\\", "")


def _route(request: HttpRequest) -> str:
    known = getattr(request, "metrics_route", None)  # a partner page served before routing (fast path)
    if known:
        return known
    match = getattr(request, "resolver_match", None)
    if match is None:
        return "unmatched"
    return _readable(match.route or match.view_name or "")


class MetricsMiddleware:
    """Counts every request and its latency by URL pattern; partner requests also by token name."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        response = self.get_response(request)
        elapsed = time.perf_counter() - started
        route = _route(request)
        REQUESTS.labels(request.method, route, str(response.status_code)).inc()
        LATENCY.labels(request.method, route).observe(elapsed)
        partner = getattr(request, "auth", None)
        token_name = getattr(partner, "name", None) if hasattr(partner, "token_id") else None
        if token_name:
            PARTNER_REQUESTS.labels(token_name, route, str(response.status_code)).inc()
        return response


class DatabaseCollector:
    """Report and queue figures, read when Prometheus scrapes (three queries and one Redis call)."""

    def collect(self):
        from django.db.models import Count, DurationField, ExpressionWrapper, F, Q, Sum
        from django.utils import timezone

        from reporting.models import Report

        by_status = GaugeMetricFamily(
            "am_reports", "Evaluation reports by kind and status", labels=["kind", "status"]
        )
        finished = CounterMetricFamily(
            "am_reports_finished", "Reports that finished, by kind and outcome", labels=["kind", "outcome"]
        )
        for row in Report.objects.values("kind", "status").annotate(n=Count("pk")).order_by("kind", "status"):
            by_status.add_metric([row["kind"], row["status"]], row["n"])
            if row["status"] in {Report.Status.READY, Report.Status.FAILED}:
                finished.add_metric([row["kind"], row["status"]], row["n"])
        yield by_status
        yield finished

        duration = ExpressionWrapper(F("finished_at") - F("requested_at"), output_field=DurationField())
        aggregates = {"n": Count("pk"), "total": Sum("took")}
        for bucket in REPORT_BUCKETS:
            aggregates[f"le_{bucket}"] = Count("pk", filter=Q(took__lte=timedelta(seconds=bucket)))
        histogram = HistogramMetricFamily(
            "am_report_duration_seconds",
            "Time from a report's request to its end (ready or failed)",
            labels=["kind"],
        )
        rows = (
            Report.objects.filter(
                finished_at__isnull=False, status__in=[Report.Status.READY, Report.Status.FAILED]
            )
            .annotate(took=duration)
            .values("kind")
            .annotate(**aggregates)
            .order_by("kind")
        )
        for row in rows:
            buckets = [(str(float(b)), row[f"le_{b}"]) for b in REPORT_BUCKETS] + [("+Inf", row["n"])]
            total = row["total"].total_seconds() if row["total"] else 0.0
            histogram.add_metric([row["kind"]], buckets, total)
        yield histogram

        oldest = (
            Report.objects.filter(status=Report.Status.QUEUED)
            .order_by("requested_at")
            .values("requested_at")
            .first()
        )
        waiting = GaugeMetricFamily(
            "am_report_oldest_queued_seconds", "How long the oldest queued report has waited (0: none queued)"
        )
        waiting.add_metric([], (timezone.now() - oldest["requested_at"]).total_seconds() if oldest else 0.0)
        yield waiting

        queue = _queue_depth()
        if queue is not None:
            depth = GaugeMetricFamily("am_queue_messages", "Messages waiting in the broker", labels=["queue"])
            depth.add_metric([queue[0]], queue[1])
            yield depth


def _queue_depth() -> tuple[str, int] | None:
    from . import health
    from .celery import app

    url = app.conf.broker_url or ""
    if settings.BACKGROUND_JOBS != "celery" or not url.startswith(("redis://", "rediss://")):
        return None
    if not broker_breaker.allow():
        return None
    queue = app.conf.task_default_queue or "celery"
    try:
        depth = health._redis(url).llen(queue)
    except REDIS_ERRORS as error:
        broker_breaker.failure(error)
        return None
    broker_breaker.success()
    return queue, int(depth)


def _may_read_metrics(request: HttpRequest) -> bool:
    token = getattr(settings, "METRICS_TOKEN", "")
    header = request.headers.get("Authorization", "")
    if token and header.startswith("Bearer ") and hmac.compare_digest(header[7:].strip(), token):
        return True
    if request.META.get("REMOTE_ADDR") in getattr(settings, "METRICS_ALLOWED_IPS", []):
        return True
    from commitments.access import Role, has_role

    user = getattr(request, "user", None)
    return bool(user and user.is_authenticated and user.is_active and has_role(user, Role.ADMINISTRATOR))


def registry() -> CollectorRegistry:
    """All processes' counters (multiprocess mode under gunicorn) or this process's, plus the database's."""
    combined = CollectorRegistry()  # (auto_describe would run the database queries twice)
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.MultiProcessCollector(combined)
    else:
        for metric in (REQUESTS, LATENCY, PARTNER_REQUESTS, OUTAGES):
            combined.register(metric)
    combined.register(DatabaseCollector())
    return combined


@never_cache
@require_GET
def metrics_view(request: HttpRequest) -> HttpResponse:
    """Prometheus' text format; for administrators, METRICS_TOKEN bearers and METRICS_ALLOWED_IPS only."""
    if not _may_read_metrics(request):
        return HttpResponse("Forbidden\n", status=403, content_type="text/plain")
    return HttpResponse(generate_latest(registry()), content_type=CONTENT_TYPE_LATEST)
