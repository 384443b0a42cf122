"""Evaluation reports: who may request, publish and download them, and the writes that do it.

Building a report is the pipeline's (pipeline.py: request, claim, fan-out, join, sweep); what goes on
its pages is the document's (document.py).
"""

from __future__ import annotations

import logging

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import history_record
from commitments import access
from commitments.models import Country, EvaluationRound
from sync import changes
from webhooks import events as webhook_events

from . import selectors
from .dispatch import report_enqueue
from .models import Report, ReportDownload

logger = logging.getLogger(__name__)


# --- who may do what --------------------------------------------------------------------------------------


def can_request_report(user, *, kind: str, country: Country | None) -> bool:
    """Reviewers request any report; staff the country report of a country they are assigned to."""
    if access.is_reviewer(user):
        return True
    return kind == Report.Kind.COUNTRY and country is not None and access.can_edit_country(user, country)


def can_publish_report(user) -> bool:
    return access.is_reviewer(user)


def can_download_report(user, report: Report) -> bool:
    """Reviewers download any ready report; others a published one, or an unpublished one they requested
    while they may still request it: the check is made at the moment of download, so a requester who
    has since lost the role or the country assignment no longer gets the file."""
    if report.status != Report.Status.READY or not user.is_authenticated or user.pk is None:
        return False  # (an API partner has no pk: partners go through can_partner_download)
    if access.is_reviewer(user):
        return True
    if report.is_published and access.roles_of(user):
        return True
    return _still_may_request(user, report)


def _still_may_request(user, report: Report) -> bool:
    """The user requested this report and their role and countries would let them request it today."""
    if report.requested_by_id is None or report.requested_by_id != user.pk:
        return False
    country = Country(pk=report.country_id) if report.country_id else None  # only its id is read
    return can_request_report(user, kind=report.kind, country=country)


def can_partner_download(report: Report) -> bool:
    """API partners see published reports only."""
    return report.status == Report.Status.READY and report.is_published


# --- requesting, publishing, downloading ----------------------------------------------------------------


def report_request(
    *,
    user,
    kind: str,
    evaluation_round: EvaluationRound,
    country: Country | None = None,
    language: str = "en",
) -> Report:
    """Store a report request (queued) and hand it to the workers once the transaction commits.

    The row is the request: if Redis is down, the request is still stored and the sweep hands it over
    later; the caller never waits for the broker. ``user=None`` is the command line.
    """
    if kind == Report.Kind.ALLIANCE:
        country = None
    if user is not None and not can_request_report(user, kind=kind, country=country):
        raise PermissionDenied(_("You may not request this report."))
    report = Report(
        kind=kind,
        evaluation_round=evaluation_round,
        country=country,
        language=language,
        requested_by=user if user is not None and user.is_authenticated else None,
        status=Report.Status.QUEUED,
        enqueued_at=timezone.now(),
    )
    if kind == Report.Kind.COUNTRY and country is None:
        raise ValidationError({"country": _("Choose the country of a country evaluation.")})
    report.full_clean()
    report._history_user, report._change_reason = report.requested_by, "requested"  # the audit's first line
    with transaction.atomic():
        report.save()
        report_enqueue(report_id=report.pk)
    return report


class LowDataWarning(ValidationError):
    """The report's round has too little approved data: publishing needs a confirmation with a reason."""


def report_publish(*, report: Report, user, reason: str = "") -> Report:
    """Make a ready report visible to ministers and partners (reviewers only).

    A report whose round has too little approved data is published only with a reason (the reviewer
    confirms having read the warning); the reason is kept with the report.
    """
    if not can_publish_report(user):
        raise PermissionDenied(_("Only reviewers publish reports."))
    reason = (reason or "").strip()
    if report.status == Report.Status.READY and not report.is_published:
        warning = selectors.report_data_warning(report=report)
        if warning and not reason:
            raise LowDataWarning(warning, code="low_data")
        if not warning:
            reason = ""
    now = timezone.now()
    with transaction.atomic():
        updated = Report.objects.filter(
            pk=report.pk, status=Report.Status.READY, published_at__isnull=True
        ).update(published_at=now, published_by=user, publish_reason=reason[:2000])
        if updated:
            changes.record(report, public=True)  # the change feed (update() sends no signal)
    report.refresh_from_db()
    if not updated and not report.is_published:
        raise ValidationError(_("Only a ready report can be published."), code="not_ready")
    if updated:
        history_record(instance=report, reason="published", user=user)
        webhook_events.report_published(report=report)  # partners' endpoints, after the commit
    return report


def report_unpublish(*, report: Report, user) -> Report:
    """Withdraw a published report from ministers and partners (reviewers only)."""
    if not can_publish_report(user):
        raise PermissionDenied(_("Only reviewers withdraw reports."))
    with transaction.atomic():
        withdrawn = Report.objects.filter(pk=report.pk, published_at__isnull=False).update(
            published_at=None, published_by=None
        )
        if withdrawn:
            changes.record(report, public=True)  # partners had it: the feed tells them it is gone
    report.refresh_from_db()
    if withdrawn:
        history_record(instance=report, reason="withdrawn", user=user)
    return report


def report_download(
    *, report: Report, user=None, client: str = "", channel: str = ReportDownload.Channel.WEB
):
    """Check that the reader may have the file, log the download, and return the open file.

    ``user`` is a person (web, API session); ``client`` names an API partner (token) when there is no
    person. Every download is logged, the refused ones are not (nothing was handed out).
    """
    is_person = user is not None and user.is_authenticated and user.pk is not None
    if is_person:
        allowed = can_download_report(user, report)
    else:
        allowed = bool(client) and can_partner_download(report)
    if not allowed:
        raise PermissionDenied(_("This report is not available to you."))
    handle = report.file.open("rb")
    ReportDownload.objects.create(
        report=report,
        user=user if is_person else None,
        client=client[:200],
        channel=channel,
    )
    return handle
