"""The ministers' view's pages (all read-only)."""

from __future__ import annotations

from django.urls import path

from . import views

urlpatterns = [
    path("", views.overview, name="overview"),
    path("map/", views.country_map, name="overview_map"),
    path("goals/<str:code>/", views.goal_detail, name="overview_goal"),
    path("countries/<str:code>/", views.country_detail, name="overview_country"),
]
