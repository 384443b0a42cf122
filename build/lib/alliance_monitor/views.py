"""Project-level views that belong to no app: liveness, readiness, metrics."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from . import health


@require_GET
def healthz(request: HttpRequest) -> HttpResponse:
    """Liveness: the process answers. Touches neither the database nor Redis (the load test's floor)."""
    return HttpResponse("ok", content_type="text/plain")


@never_cache
@require_GET
def readyz(request: HttpRequest) -> JsonResponse:
    """Readiness: the database, Redis, the broker, the workers' and beat's heartbeats, the report queue.

    200 when every check named in READY_REQUIRES passes, else 503; the body says each check's state.
    ``?require=database,redis`` asks about those checks only (the web container's own health check).
    Reveals no data and no secrets (an orchestrator asks it without signing in).
    """
    require = request.GET.get("require")
    result = health.readiness(require=[name.strip() for name in require.split(",")] if require else None)
    response = JsonResponse(result, status=200 if result["status"] == "ready" else 503)
    # An orchestrator asks every few seconds: the outage is logged by the breakers, not per probe.
    response._has_been_logged = True
    return response
