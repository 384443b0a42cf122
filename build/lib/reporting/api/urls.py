"""/api/v1/reports/: included by alliance_monitor/urls.py next to the partner API."""

from __future__ import annotations

from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("reports", views.ReportViewSet, basename="report-api")

urlpatterns = router.urls
