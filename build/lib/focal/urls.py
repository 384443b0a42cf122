from __future__ import annotations

from django.urls import path

from . import views

urlpatterns = [
    path("", views.focal_home, name="focal_home"),
    path("periods/<int:period_id>/", views.questionnaire, name="focal_questionnaire"),
    path("periods/<int:period_id>/submit/", views.questionnaire_submit, name="focal_submit"),
    path("rounds/<int:round_id>/reply/", views.reply, name="focal_reply"),
    path("rounds/<int:round_id>/chapter/", views.chapter, name="focal_chapter"),
    path("countries/<str:code>/periods/<int:period_id>/review/", views.review, name="focal_review"),
]
