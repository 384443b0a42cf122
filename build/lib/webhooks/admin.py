"""Admin: administrators register partners' endpoints, rotate secrets, read deliveries and re-send them.

Deliveries and attempts are a log: read-only here; a delivery changes only through the services
(re-sending by hand is an action).
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import services
from .models import Event, WebhookAttempt, WebhookDelivery, WebhookEndpoint


class EndpointForm(forms.ModelForm):
    events = forms.MultipleChoiceField(
        label=_("events"), choices=Event.choices, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = WebhookEndpoint
        fields = ["name", "url", "events", "countries"]


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin):
    form = EndpointForm
    list_display = ["name", "url", "is_active", "consecutive_failures", "disabled_at"]
    list_filter = ["is_active"]
    search_fields = ["name", "url"]
    filter_horizontal = ["countries"]
    readonly_fields = [
        "secret",
        "previous_secret_until",
        "is_active",
        "consecutive_failures",
        "disabled_at",
        "disabled_reason",
        "created_at",
    ]
    actions = ["rotate_secret", "switch_on", "switch_off"]

    def save_model(self, request, obj, form, change) -> None:
        services.endpoint_save(endpoint=obj)

    @admin.action(description=_("Rotate the signing secret (the old one signs too for a while)"))
    def rotate_secret(self, request, queryset) -> None:
        for endpoint in queryset:
            services.endpoint_rotate_secret(endpoint=endpoint)
        self.message_user(
            request,
            ngettext(
                "%(count)d secret rotated: give the partner the new one.",
                "%(count)d secrets rotated: give the partners the new ones.",
                queryset.count(),
            )
            % {"count": queryset.count()},
        )

    @admin.action(description=_("Switch off"))
    def switch_off(self, request, queryset) -> None:
        for endpoint in queryset:
            services.endpoint_switch_off(
                endpoint=endpoint, reason=_("Switched off by %(user)s.") % {"user": request.user}
            )
        self.message_user(request, _("Switched off."))

    @admin.action(description=_("Switch on again"))
    def switch_on(self, request, queryset) -> None:
        for endpoint in queryset:
            services.endpoint_switch_on(endpoint=endpoint)
        self.message_user(request, _("Switched on."))


class AttemptInline(admin.TabularInline):
    model = WebhookAttempt
    extra = 0
    can_delete = False
    fields = ["number", "started_at", "duration_ms", "status_code", "error", "response_body", "by_hand"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    list_display = ["message_id", "event", "endpoint", "status", "attempts", "created_at", "finished_at"]
    list_filter = ["status", "event", "endpoint"]
    search_fields = ["message_id"]
    readonly_fields = [
        "endpoint",
        "message_id",
        "event",
        "payload",
        "status",
        "attempts",
        "created_at",
        "finished_at",
    ]
    inlines = [AttemptInline]
    actions = ["resend"]

    def has_add_permission(self, request) -> bool:
        return False

    @admin.action(description=_("Re-send now"))
    def resend(self, request, queryset) -> None:
        sent = 0
        for delivery in queryset:
            try:
                services.delivery_resend(delivery=delivery)
                sent += 1
            except ValidationError as error:
                self.message_user(request, f"{delivery.message_id}: {error.messages[0]}", messages.ERROR)
        if sent:
            self.message_user(
                request,
                ngettext("%(count)d delivery re-sent.", "%(count)d deliveries re-sent.", sent)
                % {"count": sent},
            )
