"""The reports page: reviewers request and publish reports, ministers download the published ones."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from commitments import access

from . import selectors, services
from .forms import ReportRequestForm
from .models import Report, ReportDownload


def _can_request(user) -> bool:
    return access.is_reviewer(user) or access.is_staff_member(user)


@login_required
def report_list(request: HttpRequest) -> HttpResponse:
    """Published reports for everyone with a role; all reports (and the request form) for reviewers."""
    if not access.roles_of(request.user):
        raise PermissionDenied
    form = ReportRequestForm(user=request.user) if _can_request(request.user) else None
    return _list_page(request, form)


def _list_page(
    request: HttpRequest,
    form: ReportRequestForm | None,
    status: int = 200,
    confirm: dict | None = None,
) -> HttpResponse:
    reports = list(selectors.reports_visible_to(user=request.user)[:200])
    return render(
        request,
        "reporting/report_list.html",
        {
            "reports": reports,
            "form": form,
            "can_publish": services.can_publish_report(request.user),
            "downloadable": {r.pk for r in reports if services.can_download_report(request.user, r)},
            "has_pending": any(r.status in {Report.Status.QUEUED, Report.Status.RUNNING} for r in reports),
            "confirm": confirm,
        },
        status=status,
    )


@login_required
@require_POST
def report_request(request: HttpRequest) -> HttpResponse:
    if not _can_request(request.user):
        raise PermissionDenied
    form = ReportRequestForm(request.POST, user=request.user)
    if not form.is_valid():
        return _list_page(request, form, status=400)
    report = services.report_request(
        user=request.user,
        kind=form.cleaned_data["kind"],
        evaluation_round=form.cleaned_data["evaluation_round"],
        country=form.cleaned_data["country"],
        language=form.cleaned_data["language"],
    )
    messages.success(
        request,
        _("%(report)s is queued. It is built in the background; this page shows when it is ready.")
        % {"report": report.title},
    )
    return redirect("report_list")


@login_required
@require_POST
def report_publish(request: HttpRequest, report_id: int) -> HttpResponse:
    report = get_object_or_404(Report.objects.select_related("evaluation_round", "country"), pk=report_id)
    if request.POST.get("withdraw"):
        services.report_unpublish(report=report, user=request.user)
        messages.success(request, _("%(report)s is no longer published.") % {"report": report.title})
        return redirect("report_list")
    reason = request.POST.get("reason", "")
    try:
        services.report_publish(report=report, user=request.user, reason=reason)
    except services.LowDataWarning as warning:
        # Too little approved data: the reviewer reads the warning and confirms with a reason.
        form = ReportRequestForm(user=request.user) if _can_request(request.user) else None
        confirm = {"report": report, "warning": " ".join(warning.messages), "reason": reason}
        return _list_page(request, form, confirm=confirm)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("%(report)s is published: ministers and partners can download it.") % {"report": report.title},
        )
    return redirect("report_list")


@login_required
def report_download(request: HttpRequest, report_id: int) -> FileResponse:
    """The PDF, for those allowed to have it; every download is logged."""
    report = get_object_or_404(Report.objects.select_related("evaluation_round", "country"), pk=report_id)
    handle = services.report_download(report=report, user=request.user, channel=ReportDownload.Channel.WEB)
    return FileResponse(
        handle, as_attachment=True, filename=report.download_name, content_type="application/pdf"
    )
