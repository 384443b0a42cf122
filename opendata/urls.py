"""The public open-data site: pages in English and Dutch, files, the catalogue. No sign-in."""

from __future__ import annotations

from django.urls import path

from . import views

app_name = "public"

urlpatterns = [
    path("", views.home, name="home"),
    path("catalogue.jsonld", views.catalogue, name="catalogue"),
    path("data/round-<int:round_id>.<str:kind>", views.round_data, name="round_data"),
    path("data/round-<int:round_id>/country-<str:code>.<str:kind>", views.country_data, name="country_data"),
    path("data/round-<int:round_id>/goal-<str:code>.<str:kind>", views.goal_data, name="goal_data"),
    path("reports/<int:report_id>.pdf", views.report_file, name="report"),
    path("<str:language>/", views.overview, name="overview"),
    path("<str:language>/goals/<str:code>/", views.goal, name="goal"),
    path("<str:language>/countries/<str:code>/", views.country, name="country"),
]
