"""The focal app in the admin: focal points and reply windows are kept here; the government's answers are
read-only (they change only through the questionnaire and the review page, with their rules)."""

from __future__ import annotations

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import FocalPoint, Reply, ReplyWindow, SelfReportProgress, SelfReportResponse, SelfReportValue


@admin.register(FocalPoint)
class FocalPointAdmin(SimpleHistoryAdmin):
    list_display = ["user", "country", "added_at"]
    list_filter = ["country"]
    raw_id_fields = ["user"]


@admin.register(ReplyWindow)
class ReplyWindowAdmin(SimpleHistoryAdmin):
    list_display = ["evaluation_round", "opens_on", "closes_on"]


class ReadOnly(SimpleHistoryAdmin):
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(SelfReportValue)
class SelfReportValueAdmin(ReadOnly):
    list_display = ["country", "indicator", "period", "status", "decision"]
    list_filter = ["status", "decision", "country"]


@admin.register(SelfReportProgress)
class SelfReportProgressAdmin(ReadOnly):
    list_display = ["country", "commitment", "period", "completion", "status", "decision"]
    list_filter = ["status", "decision", "country"]


@admin.register(SelfReportResponse)
class SelfReportResponseAdmin(ReadOnly):
    list_display = ["country", "recommendation", "period", "answer", "status"]
    list_filter = ["status", "country"]


@admin.register(Reply)
class ReplyAdmin(ReadOnly):
    list_display = ["country", "evaluation_round", "updated_at"]
