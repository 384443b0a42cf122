"""The project's URLs plus one page that fails, to see what a server error shows (tests only)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import path

from alliance_monitor.urls import urlpatterns as project_urlpatterns


def fails(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("internal detail 4711")


urlpatterns = [path("fails/", fails), *project_urlpatterns]
