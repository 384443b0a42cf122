"""Project-level views that belong to no app."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET


@require_GET
def healthz(request: HttpRequest) -> HttpResponse:
    """Liveness: the process answers. Touches neither the database nor Redis (the load test's floor)."""
    return HttpResponse("ok", content_type="text/plain")
