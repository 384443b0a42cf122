from __future__ import annotations

from django.urls import path

from . import views

urlpatterns = [
    path("notifications/", views.preferences, name="notification_preferences"),
    path("notifications/unsubscribe/<str:token>/", views.unsubscribe, name="notification_unsubscribe"),
]
