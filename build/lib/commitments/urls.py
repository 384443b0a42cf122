"""The workspace's pages."""

from __future__ import annotations

from django.urls import path

from . import grid_views, spreadsheet_views, views

urlpatterns = [
    path("", views.home, name="home"),
    path("countries/", views.country_list, name="country_list"),
    path("countries/<str:code>/", views.country_detail, name="country_detail"),
    path("countries/<str:code>/periods/<int:period_id>/", views.data_entry, name="data_entry"),
    path(
        "countries/<str:code>/periods/<int:period_id>/submit/",
        views.submit_for_review,
        name="submit_for_review",
    ),
    # The data-entry grid (grid_views.py): a country's, a goal's across countries, submitting chosen values.
    path("countries/<str:code>/enter/", grid_views.enter_data, name="enter_data"),
    path("countries/<str:code>/periods/<int:period_id>/grid/", grid_views.data_grid, name="data_grid"),
    path("goals/<slug:goal>/periods/<int:period_id>/grid/", grid_views.goal_grid, name="goal_grid"),
    path("periods/<int:period_id>/submit-chosen/", grid_views.submit_chosen, name="grid_submit"),
    # The spreadsheet round-trip (spreadsheet_views.py).
    path("spreadsheets/template/", spreadsheet_views.spreadsheet_download, name="spreadsheet_download"),
    path("spreadsheets/upload/", spreadsheet_views.spreadsheet_upload, name="spreadsheet_upload"),
    path("countries/<str:code>/periods/<int:period_id>/review/", views.review, name="review"),
    # code "alliance": the findings on the whole alliance
    path("countries/<str:code>/periods/<int:period_id>/findings/", views.findings, name="findings"),
    path("countries/<str:code>/commitments/new/", views.commitment_create, name="commitment_create"),
    path("commitments/<int:pk>/edit/", views.commitment_edit, name="commitment_edit"),
    path("commitments/<int:pk>/periods/<int:period_id>/", views.progress_edit, name="progress_edit"),
    path(
        "countries/<str:code>/recommendations/new/", views.recommendation_create, name="recommendation_create"
    ),
    path("recommendations/<int:pk>/edit/", views.recommendation_edit, name="recommendation_edit"),
    path("recommendations/<int:pk>/response/", views.response_edit, name="response_edit"),
    path("recommendations/<int:pk>/periods/<int:period_id>/", views.follow_up_edit, name="follow_up_edit"),
    path("history/<str:kind>/<int:pk>/", views.item_history, name="item_history"),
    path("history/<str:kind>/<int:pk>/messages/", views.item_comment, name="item_comment"),
    path("texts/<str:kind>/<int:pk>/review/", views.text_review, name="text_review"),
    path("periods/", views.period_list, name="period_list"),
    path("periods/<int:period_id>/toggle/", views.period_toggle, name="period_toggle"),
    path("completeness/", views.completeness, name="completeness"),
    path("completeness/<int:period_id>/", views.completeness, name="completeness_period"),
]
