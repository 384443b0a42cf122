"""Admin for every model: the administrators' tool for users, assignments, indicators and periods.

The admin obeys the same rules as the workspace and the API:
- reviewable rows (values, progress, follow-ups) are read-only here: they change only through the
  workspace and the API (the services), so that the workflow, four eyes and their history hold;
- periods are opened and closed only by the actions "Open"/"Close", through the service, by a reviewer
  and with a reason (``is_open`` cannot be edited in the form);
- commitments, recommendations and government responses are saved through their services (the same
  limits, checks and history), and a commitment's country cannot be changed.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from . import services
from .models import (
    Commitment,
    CommitmentProgress,
    ConsistencyRule,
    Country,
    CountryAssignment,
    EvaluationRound,
    Finding,
    Goal,
    GovernmentResponse,
    Indicator,
    IndicatorValue,
    ItemComment,
    PartnerToken,
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


class PeriodReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=2000,
        help_text=_("Kept in the history of each period."),
        widget=forms.Textarea(attrs={"rows": 2}),
    )


@admin.register(ConsistencyRule)
class ConsistencyRuleAdmin(SimpleHistoryAdmin):
    """Rules relating figures (reported change against counts, ranges, jumps): edited here, with history."""

    list_display = ["code", "kind", "indicator", "related_indicator", "low", "high", "tolerance", "is_active"]
    list_filter = ["kind", "is_active"]
    list_select_related = ["indicator", "related_indicator"]
    search_fields = ["code", "description_en", "description_nl", "indicator__code"]


@admin.register(ReportingPeriod)
class ReportingPeriodAdmin(SimpleHistoryAdmin):
    """Dates and labels are edited here; opening and closing is an action with a reason (the service)."""

    list_display = ["label", "kind", "starts_on", "ends_on", "deadline", "is_open"]
    readonly_fields = ["is_open"]
    actions = ["open_periods", "close_periods"]

    @admin.action(description=_("Open the selected periods for data entry (with a reason)"))
    def open_periods(self, request, queryset):
        return self._set_open(request, queryset, is_open=True)

    @admin.action(description=_("Close the selected periods for data entry (with a reason)"))
    def close_periods(self, request, queryset):
        return self._set_open(request, queryset, is_open=False)

    def _set_open(self, request, queryset, *, is_open: bool):
        """First the reason form (an intermediate page), then the service for each period."""
        form = PeriodReasonForm(request.POST if "reason" in request.POST else None)
        if form.is_bound and form.is_valid():
            periods = list(queryset)
            try:
                for period in periods:
                    services.period_set_open(
                        period=period, is_open=is_open, user=request.user, reason=form.cleaned_data["reason"]
                    )
            except (PermissionDenied, ValidationError) as error:
                text = " ".join(error.messages) if isinstance(error, ValidationError) else str(error)
                self.message_user(
                    request, text or _("Only reviewers open and close periods."), messages.ERROR
                )
                return None
            done = _("%(count)s periods opened.") if is_open else _("%(count)s periods closed.")
            self.message_user(request, done % {"count": len(periods)}, messages.SUCCESS)
            return None
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Open periods for data entry") if is_open else _("Close periods for data entry"),
            "periods": queryset,
            "form": form,
            "action": "open_periods" if is_open else "close_periods",
            "selected": request.POST.getlist(admin.helpers.ACTION_CHECKBOX_NAME),
        }
        return TemplateResponse(request, "admin/commitments/reportingperiod/set_open.html", context)


@admin.register(EvaluationRound)
class EvaluationRoundAdmin(SimpleHistoryAdmin):
    list_display = [
        "label", "baseline_period", "evaluation_period", "ministerial_date", "stage", "released_at"
    ]
    list_select_related = ["baseline_period", "evaluation_period"]
    # A round's steps and its release moment are audited transitions (cycle.services, the round's page).
    readonly_fields = ["stage", "released_at"]


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


@admin.register(Finding)
class FindingAdmin(ReadOnlyWorkflowAdmin):
    list_display = ["period", "country", "goal", "status", "updated_at"]
    list_filter = ["status", "period", "goal", "is_demo"]
    search_fields = ["country__code", "text"]
    list_select_related = ["period", "country", "goal"]


@admin.register(Commitment)
class CommitmentAdmin(ReadOnlyWorkflowAdmin):
    """Reviewed text: written and approved in the workspace (versions, four eyes), shown here read-only."""

    list_display = ["title", "country", "goal", "committed_on", "target_date", "status", "is_demo"]
    list_filter = ["status", "goal", "is_demo"]
    search_fields = ["title", "country__code"]
    list_select_related = ["country", "goal"]


@admin.register(CommitmentProgress)
class CommitmentProgressAdmin(ReadOnlyWorkflowAdmin):
    list_display = ["commitment", "period", "completion", "status"]
    list_filter = ["status", "completion", "period"]
    list_select_related = ["commitment__country", "period"]


@admin.register(Recommendation)
class RecommendationAdmin(ReadOnlyWorkflowAdmin):
    list_display = ["number", "source_document", "country", "goal", "issued_on", "status"]
    list_filter = ["status", "goal", "is_demo"]
    search_fields = ["number", "text", "source_document"]
    list_select_related = ["country", "goal"]


@admin.register(GovernmentResponse)
class GovernmentResponseAdmin(ReadOnlyWorkflowAdmin):
    list_display = ["recommendation", "response", "reference", "responded_on", "status"]
    list_filter = ["status", "response"]
    list_select_related = ["recommendation"]


@admin.register(RecommendationFollowUp)
class RecommendationFollowUpAdmin(ReadOnlyWorkflowAdmin):
    list_display = ["recommendation", "period", "follow_up", "status"]
    list_filter = ["status", "follow_up", "period"]
    list_select_related = ["recommendation", "period"]


@admin.register(ItemComment)
class ItemCommentAdmin(ReadOnlyWorkflowAdmin):
    """Messages about an item are only ever added, in the workspace: the admin shows them read-only."""

    list_display = ["item_kind", "item_id", "country", "period", "author", "created_at"]
    list_filter = ["item_kind", "period"]
    search_fields = ["country__code", "body"]
    list_select_related = ["country", "period", "author"]


@admin.register(CountryAssignment)
class CountryAssignmentAdmin(SimpleHistoryAdmin):
    list_display = ["user", "country"]
    list_filter = ["country"]
    search_fields = ["user__username", "country__code"]
    list_select_related = ["user", "country"]


class PartnerTokenForm(forms.ModelForm):
    class Meta:
        model = PartnerToken
        fields = ["name", "countries", "expires_at"]

    def clean_expires_at(self):
        expires_at = self.cleaned_data.get("expires_at")
        if expires_at is not None and self.instance.pk is None and expires_at <= timezone.now():
            raise forms.ValidationError(_("The expiry date must be in the future."))
        return expires_at


@admin.register(PartnerToken)
class PartnerTokenAdmin(SimpleHistoryAdmin):
    """Tokens are made by the service (which shows the key once) and revoked, never deleted."""

    form = PartnerTokenForm
    list_display = ["name", "key_prefix", "expires_at", "revoked_at", "last_used_at", "created_at"]
    list_filter = ["revoked_at", "expires_at"]
    search_fields = ["name", "key_prefix"]
    filter_horizontal = ["countries"]
    readonly_fields = ["key_prefix", "created_at", "created_by", "last_used_at", "revoked_at", "revoked_by"]
    actions = ["revoke"]

    def has_delete_permission(self, request, obj=None):
        return False  # requests are logged by token id: keep every token, revoke it instead

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields if obj is not None else []

    def get_fields(self, request, obj=None):
        return ["name", "countries", "expires_at", *(self.readonly_fields if obj is not None else [])]

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        token, key = services.partner_token_create(
            name=obj.name,
            countries=form.cleaned_data.get("countries") or [],
            expires_at=obj.expires_at,
            created_by=request.user,
        )
        for field in PartnerToken._meta.concrete_fields:
            setattr(obj, field.attname, getattr(token, field.attname))
        obj._state.adding, obj._state.db = False, token._state.db
        request._partner_token_key = key

    def save_related(self, request, form, formsets, change):
        if change:  # on add, the service has set the countries already
            super().save_related(request, form, formsets, change)

    def response_add(self, request, obj, post_url_continue=None):
        """Show the key, once: only its hash is stored."""
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Partner token created"),
            "token": obj,
            "key": request._partner_token_key,
        }
        return TemplateResponse(request, "admin/commitments/partnertoken/created.html", context)

    @admin.action(description=_("Revoke the selected tokens"))
    def revoke(self, request, queryset):
        tokens = list(queryset)
        for token in tokens:
            services.partner_token_revoke(token=token, user=request.user)
        self.message_user(request, _("%(count)s tokens revoked.") % {"count": len(tokens)}, messages.SUCCESS)
