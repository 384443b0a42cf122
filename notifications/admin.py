from __future__ import annotations

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import NotificationLog, NotificationPreference


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(SimpleHistoryAdmin):
    list_display = ["user", "language", "returned_items", "submission_digest", "deadline_reminders",
                    "overdue_digest"]
    search_fields = ["user__username", "user__email"]


@admin.register(NotificationLog)
class NotificationLogAdmin(admin.ModelAdmin):
    list_display = ["key", "user", "kind", "sent_at"]
    readonly_fields = ["key", "user", "kind", "sent_at"]
