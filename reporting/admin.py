"""Admin for the reports: read the pipeline's state, publish, hand a lost request over again.

Rows change only through the services (publishing, the sweep), never by editing fields here.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import services, sweep
from .models import Report, ReportDownload, ReportPart


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class ReportPartInline(admin.TabularInline):
    model = ReportPart
    extra = 0
    can_delete = False
    fields = [
        "position",
        "key",
        "status",
        "attempts",
        "page_count",
        "render_seconds",
        "claimed_by",
        "finished_at",
    ]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Report)
class ReportAdmin(ReadOnlyAdmin):
    list_display = [
        "id",
        "kind",
        "evaluation_round",
        "country",
        "language",
        "status",
        "stage",
        "page_count",
        "requested_at",
        "finished_at",
        "published_at",
    ]
    list_filter = ["status", "kind", "language", "evaluation_round"]
    list_select_related = ["evaluation_round", "country"]
    search_fields = ["country__code", "country__name_en", "snapshot", "sha256"]
    inlines = [ReportPartInline]
    actions = ["publish", "sweep"]

    def has_view_permission(self, request, obj=None) -> bool:
        return request.user.is_active and request.user.is_staff

    @admin.action(description=_("Publish the selected ready reports"))
    def publish(self, request, queryset) -> None:
        published = 0
        for report in queryset:
            try:
                services.report_publish(report=report, user=request.user)
                published += 1
            except (PermissionDenied, ValidationError) as error:
                self.message_user(request, f"{report}: {error}", messages.WARNING)
        self.message_user(
            request, ngettext("%d report published.", "%d reports published.", published) % published
        )

    @admin.action(description=_("Hand lost report requests to the workers again (the sweep)"))
    def sweep(self, request, queryset) -> None:
        result = sweep.reports_sweep()
        self.message_user(request, _("Sweep: %(result)s") % {"result": result})


@admin.register(ReportDownload)
class ReportDownloadAdmin(ReadOnlyAdmin):
    list_display = ["downloaded_at", "report", "user", "client", "channel"]
    list_filter = ["channel"]
    list_select_related = ["report__evaluation_round", "report__country", "user"]
    date_hierarchy = "downloaded_at"

    def has_view_permission(self, request, obj=None) -> bool:
        return request.user.is_active and request.user.is_staff
