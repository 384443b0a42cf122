"""The workspace's withholding pages (signed in; not under /public/)."""

from __future__ import annotations

from django.urls import path

from . import workspace_views as views

urlpatterns = [
    path("", views.withholding_list, name="withholding_list"),
    path("countries/<str:code>/new/", views.withholding_propose, name="withholding_propose"),
    path("<int:pk>/", views.withholding_decide, name="withholding_decide"),
]
