from __future__ import annotations

from django.urls import path

from . import views

urlpatterns = [
    path("invitation/<str:token>/", views.invitation_accept, name="invitation_accept"),
]
