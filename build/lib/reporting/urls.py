"""/reports/: the reports page, requesting, publishing, downloading."""

from __future__ import annotations

from django.urls import path

from . import views

urlpatterns = [
    path("", views.report_list, name="report_list"),
    path("request/", views.report_request, name="report_request"),
    path("<int:report_id>/publish/", views.report_publish, name="report_publish"),
    path("<int:report_id>/download/", views.report_download, name="report_download"),
]
