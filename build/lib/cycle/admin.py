"""The evaluation cycle in the admin: shown read-only. The round's steps, the meeting and the decisions
change only through cycle.services (the round's page), so that every step is logged and every text
reviewed with four eyes."""

from __future__ import annotations

from django.contrib import admin

from commitments.admin import ReadOnlyWorkflowAdmin

from .models import Decision, Meeting, MeetingEvaluation, RoundTransition


@admin.register(RoundTransition)
class RoundTransitionAdmin(admin.ModelAdmin):
    list_display = ["evaluation_round", "kind", "from_stage", "to_stage", "user", "at"]
    list_filter = ["kind", "evaluation_round"]
    list_select_related = ["evaluation_round", "user"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Meeting)
class MeetingAdmin(ReadOnlyWorkflowAdmin):
    list_display = ["evaluation_round", "held_on", "place", "next_round"]
    list_select_related = ["evaluation_round", "next_round"]


@admin.register(MeetingEvaluation)
class MeetingEvaluationAdmin(ReadOnlyWorkflowAdmin):
    list_display = ["meeting", "goal", "status", "approved_at"]
    list_filter = ["status"]
    list_select_related = ["meeting__evaluation_round", "goal"]


@admin.register(Decision)
class DecisionAdmin(ReadOnlyWorkflowAdmin):
    list_display = ["number", "title", "meeting", "lead", "due_on", "status"]
    list_filter = ["status"]
    list_select_related = ["meeting__evaluation_round"]
