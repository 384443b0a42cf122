"""Admin for every model: the administrators' tool for users, assignments, indicators and periods.

Reviewable rows are read through the admin but change state only through the workspace (services),
so that the workflow and its history cannot be bypassed.
"""

from __future__ import annotations

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import (
    Commitment,
    CommitmentProgress,
    Country,
    CountryAssignment,
    EvaluationRound,
    Goal,
    GovernmentResponse,
    Indicator,
    IndicatorValue,
    Recommendation,
    RecommendationFollowUp,
    ReportingPeriod,
)

WORKFLOW_FIELDS = (
    "status", "review_reason", "version", "created_at", "created_by", "updated_at", "updated_by",
    "submitted_at", "approved_at", "approved_by", "is_demo",
)


@admin.register(Country)
class CountryAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name_en", "name_nl", "region", "membership", "joined_on", "left_on"]
    list_filter = ["region", "membership"]
    search_fields = ["code", "name_en", "name_nl"]


@admin.register(Goal)
class GoalAdmin(SimpleHistoryAdmin):
    list_display = ["order", "code", "title_en", "policy_target"]


@admin.register(Indicator)
class IndicatorAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name_en", "goal", "value_type", "unit", "direction", "is_active"]
    list_filter = ["goal", "value_type", "direction", "is_active"]
    search_fields = ["code", "name_en", "name_nl"]
    list_select_related = ["goal"]


@admin.register(ReportingPeriod)
class ReportingPeriodAdmin(SimpleHistoryAdmin):
    list_display = ["label", "kind", "starts_on", "ends_on", "deadline", "is_open"]


@admin.register(EvaluationRound)
class EvaluationRoundAdmin(SimpleHistoryAdmin):
    list_display = ["label", "baseline_period", "evaluation_period", "ministerial_date"]
    list_select_related = ["baseline_period", "evaluation_period"]


class ReadOnlyWorkflowAdmin(SimpleHistoryAdmin):
    """Workflow data is entered and reviewed in the workspace, so the admin shows it read-only."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(IndicatorValue)
class IndicatorValueAdmin(ReadOnlyWorkflowAdmin):
    list_display = ["country", "indicator", "period", "number_value", "boolean_value", "status", "updated_at"]
    list_filter = ["status", "period", "indicator__goal", "is_demo"]
    search_fields = ["country__code", "indicator__code"]
    list_select_related = ["country", "indicator", "period"]


@admin.register(Commitment)
class CommitmentAdmin(SimpleHistoryAdmin):
    list_display = ["title", "country", "goal", "committed_on", "target_date", "is_demo"]
    list_filter = ["goal", "is_demo"]
    search_fields = ["title", "country__code"]
    list_select_related = ["country", "goal"]


@admin.register(CommitmentProgress)
class CommitmentProgressAdmin(ReadOnlyWorkflowAdmin):
    list_display = ["commitment", "period", "completion", "status"]
    list_filter = ["status", "completion", "period"]
    list_select_related = ["commitment__country", "period"]


@admin.register(Recommendation)
class RecommendationAdmin(SimpleHistoryAdmin):
    list_display = ["number", "source_document", "country", "goal", "issued_on"]
    list_filter = ["goal", "is_demo"]
    search_fields = ["number", "text", "source_document"]
    list_select_related = ["country", "goal"]


@admin.register(GovernmentResponse)
class GovernmentResponseAdmin(SimpleHistoryAdmin):
    list_display = ["recommendation", "response", "reference", "responded_on"]
    list_filter = ["response"]
    list_select_related = ["recommendation"]


@admin.register(RecommendationFollowUp)
class RecommendationFollowUpAdmin(ReadOnlyWorkflowAdmin):
    list_display = ["recommendation", "period", "follow_up", "status"]
    list_filter = ["status", "follow_up", "period"]
    list_select_related = ["recommendation", "period"]


@admin.register(CountryAssignment)
class CountryAssignmentAdmin(SimpleHistoryAdmin):
    list_display = ["user", "country"]
    list_filter = ["country"]
    search_fields = ["user__username", "country__code"]
    list_select_related = ["user", "country"]
