"""The sweep (Celery beat, or the embedded sweeper thread of leases.py): hand over again every report step
whose owner was lost, so that no request is ever lost. The steps are in pipeline.py.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from . import leases, part_cache
from .dispatch import dispatch_on_commit
from .models import Report, ReportPart
from .pipeline import MAX_ATTEMPTS, mark_failed

logger = logging.getLogger(__name__)


def requeue_after() -> timedelta:
    """How long a queued report or part may wait for a worker before the sweep hands it over again."""
    return timedelta(seconds=int(getattr(settings, "REPORT_REQUEUE_AFTER_SECONDS", 60)))


def presumed_dead_after() -> timedelta:
    """A claim whose lease has lapsed this long ago belongs to a task that no longer runs."""
    return leases.lease_duration()


@dataclass
class SweepResult:
    requeued: list[int] = field(default_factory=list)  # reports handed to the workers again
    parts_requeued: list[int] = field(default_factory=list)
    assembling: list[int] = field(default_factory=list)
    given_up: list[int] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.requeued or self.parts_requeued or self.assembling or self.given_up)


def reports_sweep(*, now=None, startup: bool = False) -> SweepResult:
    """Hand over again every report step whose owner was lost, so that no request is ever lost.

    - queued reports not taken within ``requeue_after`` (Redis was down, the message was lost), or at
      once when ``startup`` (the embedded default's web process starts: nobody else holds them);
    - running steps whose lease has lapsed (no heartbeat: the worker died or was killed), or whose
      claiming process on this machine no longer exists (see leases.py);
    - pending parts not taken in time, and finished parts whose joining was never started.
    A report whose step was lost ``MAX_ATTEMPTS`` times fails with a readable error instead of looping.
    """
    now = now or timezone.now()
    waited_too_long = now - requeue_after()
    result = SweepResult()

    queued = Report.objects.filter(status=Report.Status.QUEUED)
    if not startup:
        queued = queued.filter(Q(enqueued_at__lt=waited_too_long) | Q(enqueued_at__isnull=True))
    for report in queued:
        if Report.objects.filter(
            pk=report.pk, status=Report.Status.QUEUED, enqueued_at=report.enqueued_at
        ).update(enqueued_at=now):
            dispatch_on_commit("report", [report.pk])
            result.requeued.append(report.pk)

    running = Report.objects.filter(
        status=Report.Status.RUNNING, stage__in=[Report.Stage.PREPARING, Report.Stage.ASSEMBLING]
    )
    lapsed_reports = set(running.filter(leases.lapsed(now)).values_list("pk", flat=True))
    stale = [
        report
        for report in running
        if report.pk in lapsed_reports or leases.process_is_gone(report.claimed_by)
    ]
    for report in stale:
        same_claim = Report.objects.filter(
            pk=report.pk, status=Report.Status.RUNNING, stage=report.stage, claimed_at=report.claimed_at
        )
        if report.stage == Report.Stage.PREPARING and report.attempts >= MAX_ATTEMPTS:
            with translation.override(report.language):
                message = _("The report was started %(count)s times and never finished; it was given up.") % {
                    "count": report.attempts
                }
            if mark_failed(report_id=report.pk, message=message):
                result.given_up.append(report.pk)
        elif report.stage == Report.Stage.PREPARING:
            if same_claim.update(
                status=Report.Status.QUEUED,
                stage=Report.Stage.NONE,
                claimed_task_id="",
                claimed_by="",
                claimed_at=None,
                **leases.NO_LEASE,
                enqueued_at=now,
            ):
                dispatch_on_commit("report", [report.pk])
                result.requeued.append(report.pk)
        elif same_claim.update(
            stage=Report.Stage.PARTS, claimed_task_id="", claimed_by="", claimed_at=now, **leases.NO_LEASE
        ):
            dispatch_on_commit("assemble", [report.pk])
            result.assembling.append(report.pk)

    in_parts = ReportPart.objects.filter(
        report__status=Report.Status.RUNNING, report__stage=Report.Stage.PARTS
    )
    running_parts = in_parts.filter(status=ReportPart.Status.RUNNING)
    lapsed_parts = set(running_parts.filter(leases.lapsed(now)).values_list("pk", flat=True))
    lapsed_parts |= {
        pk for pk, owner in running_parts.values_list("pk", "claimed_by") if leases.process_is_gone(owner)
    }
    pending_parts = in_parts.filter(status=ReportPart.Status.PENDING)
    if not startup:
        pending_parts = pending_parts.filter(enqueued_at__lt=waited_too_long)
    parts = in_parts.filter(Q(pk__in=lapsed_parts) | Q(pk__in=pending_parts.values("pk")))
    for part in parts.select_related("report"):
        if part.attempts >= MAX_ATTEMPTS:
            with translation.override(part.report.language):
                message = _(
                    "Part %(part)s was started %(count)s times and never finished; the report was given up."
                ) % {"part": part.title, "count": part.attempts}
            if mark_failed(report_id=part.report_id, message=message):
                result.given_up.append(part.report_id)
            continue
        if ReportPart.objects.filter(
            pk=part.pk, status=part.status, claimed_at=part.claimed_at, enqueued_at=part.enqueued_at
        ).update(
            status=ReportPart.Status.PENDING,
            claimed_task_id="",
            claimed_by="",
            claimed_at=None,
            **leases.NO_LEASE,
            enqueued_at=now,
        ):
            dispatch_on_commit("part", [part.pk])
            result.parts_requeued.append(part.pk)

    unfinished = ReportPart.objects.filter(report_id=OuterRef("pk")).exclude(status=ReportPart.Status.DONE)
    late_finished = ReportPart.objects.filter(report_id=OuterRef("pk"), finished_at__gte=waited_too_long)
    orphaned = Report.objects.filter(status=Report.Status.RUNNING, stage=Report.Stage.PARTS).filter(
        ~Exists(unfinished), Exists(ReportPart.objects.filter(report_id=OuterRef("pk")))
    )
    if not startup:
        orphaned = orphaned.filter(claimed_at__lt=waited_too_long).filter(~Exists(late_finished))
    for report in orphaned:
        if Report.objects.filter(pk=report.pk, stage=Report.Stage.PARTS, claimed_at=report.claimed_at).update(
            claimed_at=now
        ):
            dispatch_on_commit("assemble", [report.pk])
            result.assembling.append(report.pk)
    if startup or now.minute % 10 == 0:  # now and then: kept parts no report uses any more
        try:
            part_cache.prune()
        except OSError:
            logger.warning("Could not prune the kept report parts", exc_info=True)
    if result:
        logger.info("Report sweep: %s", result)
    return result
