"""The evaluation cycle's pages."""

from __future__ import annotations

from django.urls import path

from . import views

app_name = "cycle"

urlpatterns = [
    path("", views.round_list, name="round_list"),
    path("<int:pk>/", views.round_detail, name="round_detail"),
    path("<int:pk>/step/", views.round_step, name="round_step"),
    path("<int:pk>/release/", views.round_release, name="round_release"),
    path("<int:pk>/meeting/", views.meeting_edit, name="meeting_edit"),
    path("<int:pk>/evaluations/<slug:goal>/", views.evaluation_edit, name="evaluation_edit"),
    path("<int:pk>/decisions/new/", views.decision_create, name="decision_create"),
    path("decisions/<int:pk>/", views.decision_edit, name="decision_edit"),
    path("texts/<str:kind>/<int:pk>/review/", views.text_review, name="text_review"),
    path("<int:pk>/next-round/", views.plan_next, name="plan_next"),
]
