"""Evaluation reports: requesting, publishing and downloading them, and the pipeline that builds them.

The pipeline (each step a Celery task in tasks.py, or run in a background thread without Redis):

1. ``report_generate`` claims the queued report (a conditional update: status and task id), reads the
   approved data once in one database snapshot, records its SHA-256 as the report's snapshot, and
   - for a country report renders the whole document (about a second) and marks it ready;
   - for the alliance-wide report writes the frozen data to the work folder, creates one ``ReportPart``
     per piece (executive summary, a chapter per goal, a profile per country, the annexes) and hands
     them all to the workers at once (fan-out: more workers, faster report).
2. ``report_part_render`` claims one part, renders it from the frozen data (so every part shows the same
   figures, whatever changed meanwhile) and stores its PDF. The part that finds all parts done hands
   the report to step 3.
3. ``report_assemble`` claims the joining, renders the cover and table of contents (now that the page
   count of every part is known), joins everything with pypdf and stamps "Page n of N" on every page,
   then marks the report ready.

Every step is safe to run twice: a redelivered message (acks_late; the worker died) takes over its own
claim (same task id), a duplicate finds the row claimed or finished and does nothing, and the final
"ready" is one conditional update, so a report completes exactly once. ``reports_sweep`` (Celery beat)
hands over again whatever was lost: requests made while Redis was down, steps whose worker vanished.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import socket
import threading
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from functools import partial
from typing import Any

import kombu.exceptions
import redis.exceptions
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import InterfaceError, OperationalError, connections, transaction
from django.db.models import Exists, F, OuterRef, Q
from django.db.models.functions import Coalesce
from django.template import TemplateDoesNotExist, TemplateSyntaxError
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from audit.services import history_record

from . import leases, part_cache, selectors
from .content import Book, ReportDataError
from .document import (
    alliance_part_html,
    alliance_plan,
    alliance_toc,
    common_context,
    country_report_html,
    pdf_metadata,
    render_front,
)
from .layout import isolate_direction
from .models import Report, ReportPart
from .pdf import REPORT_VARIANT, footer_overlay, render_pdf
from .pdfjoin import finish, join_tagged, normalise

logger = logging.getLogger(__name__)

# Errors worth another try: the database or the broker was briefly away. Never template or data errors.
TRANSIENT_ERRORS: tuple[type[BaseException], ...] = (
    OperationalError,
    InterfaceError,
    kombu.exceptions.OperationalError,
    redis.exceptions.ConnectionError,
    redis.exceptions.TimeoutError,
    ConnectionError,
    TimeoutError,
)
MAX_ATTEMPTS = 3
# The Celery task of each step (tasks.py).
TASK_NAMES = {
    "report": "reporting.tasks.generate_report",
    "part": "reporting.tasks.render_report_part",
    "assemble": "reporting.tasks.assemble_report",
}


def requeue_after() -> timedelta:
    """How long a queued report or part may wait for a worker before the sweep hands it over again."""
    return timedelta(seconds=int(getattr(settings, "REPORT_REQUEUE_AFTER_SECONDS", 60)))


def presumed_dead_after() -> timedelta:
    """A claim whose lease has lapsed this long ago belongs to a task that no longer runs."""
    return leases.lease_duration()


# --- handing work to the workers --------------------------------------------------------------------------

_thread_state = threading.local()


def report_enqueue(*, report_id: int) -> None:
    """Hand a report to the background workers after the current transaction commits.

    With Celery (REDIS_URL set) the task is sent after commit; if Redis does not answer (or failed a
    moment ago: the breaker), the request stays queued and handover.py sends it when the broker is back.
    Without Redis the pipeline runs in a daemon thread of this process, so the web request returns at
    once either way.
    """
    _dispatch_on_commit("report", [report_id])


def _dispatch_on_commit(job: str, object_ids: list[int]) -> None:
    transaction.on_commit(partial(_dispatch, job, list(object_ids)))


def _dispatch(job: str, object_ids: list[int]) -> None:
    if not object_ids:
        return
    if settings.BACKGROUND_JOBS == "celery" and not getattr(_thread_state, "active", False):
        from celery import current_app

        def task(object_id: int):
            # By name, so that this module need not import tasks.py (which imports it).
            return current_app.signature(TASK_NAMES[job], args=(object_id,), immutable=True)

        from alliance_monitor.breaker import broker_breaker

        from . import handover

        if not broker_breaker.allow():  # the broker failed a moment ago: do not wait for it again
            handover.keep(job=job, object_ids=object_ids)
            return
        try:
            if len(object_ids) == 1:
                task(object_ids[0]).apply_async(retry=False)
            else:
                # Fan-out: one message per part, taken by whichever worker process is free.
                from celery import group

                group(task(object_id) for object_id in object_ids).apply_async(retry=False)
        except Exception as error:  # noqa: BLE001 - any broker failure: kept, handed over when it is back
            broker_breaker.failure(error)  # logs the outage once, not a traceback per request
            handover.keep(job=job, object_ids=object_ids)
            return
        broker_breaker.success()
        return
    if getattr(_thread_state, "active", False):
        # Already in the background thread: go on here, one step after the other.
        for object_id in object_ids:
            _run_job(job, object_id, f"thread-{uuid.uuid4()}")
        return
    worker = threading.Thread(
        target=_run_in_thread, args=(job, object_ids), daemon=True, name=f"report-{job}"
    )
    worker.start()


@contextmanager
def inline_jobs():
    """Run the pipeline in this thread, step after step, instead of handing it to workers (the command
    line's --inline, and the benchmark's measurement without Celery)."""
    previous = getattr(_thread_state, "active", False)
    _thread_state.active = True
    try:
        yield
    finally:
        _thread_state.active = previous


def _run_in_thread(job: str, object_ids: list[int]) -> None:
    _thread_state.active = True
    try:
        for object_id in object_ids:
            try:
                _run_job(job, object_id, f"thread-{uuid.uuid4()}")
            except Exception:  # noqa: BLE001 - logged; a thread has nobody to raise to
                logger.exception("Background %s %s failed", job, object_id)
    finally:
        _thread_state.active = False
        connections.close_all()


def _run_job(job: str, object_id: int, task_id: str) -> None:
    if job == "report":
        report_generate(report_id=object_id, task_id=task_id)
    elif job == "part":
        report_part_render(part_id=object_id, task_id=task_id)
    elif job == "assemble":
        report_assemble(report_id=object_id, task_id=task_id)


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


# --- the pipeline -----------------------------------------------------------------------------------------


def readable_error(error: BaseException) -> str:
    """What went wrong, in words a reviewer can act on (the traceback goes to the log)."""
    from celery.exceptions import SoftTimeLimitExceeded

    if isinstance(error, ReportDataError):
        return str(error)
    if isinstance(error, SoftTimeLimitExceeded):
        return _("The report took longer than %(seconds)s seconds and was stopped.") % {
            "seconds": settings.CELERY_TASK_SOFT_TIME_LIMIT
        }
    where = ""
    debug = getattr(error, "template_debug", None)
    if getattr(error, "report_template", None) and not debug:
        where = _(" (template %(name)s)") % {"name": error.report_template}
    if debug:
        where = _(" (template %(name)s, line %(line)s)") % {
            "name": debug.get("name"),
            "line": debug.get("line"),
        }
    if isinstance(error, TemplateSyntaxError | TemplateDoesNotExist):
        return _("The report template could not be used%(where)s: %(message)s") % {
            "where": where,
            "message": error,
        }
    return _(
        "The report could not be built%(where)s: %(kind)s: %(message)s. The details are in the worker's log."
    ) % {"where": where, "kind": type(error).__name__, "message": str(error)[:500] or "-"}


def _claim_report(*, report_id: int, task_id: str) -> Report | None:
    """Claim a queued report for ``task_id``, or take back our own claim after a redelivery."""
    now = timezone.now()
    claimed = (
        Report.objects.filter(pk=report_id)
        .filter(
            Q(status=Report.Status.QUEUED)
            | Q(status=Report.Status.RUNNING, stage=Report.Stage.PREPARING, claimed_task_id=task_id)
        )
        .update(
            status=Report.Status.RUNNING,
            stage=Report.Stage.PREPARING,
            claimed_task_id=task_id,
            claimed_by=worker_name(),
            claimed_at=now,
            **leases.lease_fields(now),
            started_at=Coalesce(F("started_at"), now),
            attempts=F("attempts") + 1,
            error="",
        )
    )
    if not claimed:
        logger.info(
            "Report %s is not queued for %s (already taken or finished): nothing to do", report_id, task_id
        )
        return None
    return Report.objects.select_related("evaluation_round", "country").get(pk=report_id)


def _fail(*, report_id: int, message: str) -> bool:
    """Mark a running (or queued) report failed with a readable error; its work files are removed."""
    updated = Report.objects.filter(
        pk=report_id, status__in=[Report.Status.QUEUED, Report.Status.RUNNING]
    ).update(
        status=Report.Status.FAILED,
        stage=Report.Stage.NONE,
        error=message[:5000],
        finished_at=timezone.now(),
        claimed_task_id="",
        **leases.NO_LEASE,
    )
    if updated:
        history_record(instance=Report.objects.get(pk=report_id), reason=f"failed: {message}")
        _remove_work_files(report_id)
        logger.warning("Report %s failed: %s", report_id, message)
    return bool(updated)


def report_fail(*, report_id: int, error: BaseException) -> bool:
    """Mark the report failed because of ``error`` (used when a task gives up after its retries)."""
    report = Report.objects.filter(pk=report_id).only("language").first()
    if report is None:
        return False
    with translation.override(report.language):
        if isinstance(error, TRANSIENT_ERRORS):
            message = _(
                "The report could not be built: the database or the queue was unavailable (%(error)s)."
            ) % {"error": type(error).__name__}
        else:
            message = readable_error(error)
    return _fail(report_id=report_id, message=message)


def report_generate(*, report_id: int, task_id: str) -> None:
    """Step 1: claim the queued report, freeze its data, render it (country) or fan out (alliance)."""
    report = _claim_report(report_id=report_id, task_id=task_id)
    if report is None:
        return
    try:
        with (
            leases.heartbeat(model=Report, pk=report_id, task_id=task_id),
            translation.override(report.language),
        ):
            data = selectors.report_data(evaluation_round=report.evaluation_round, country=report.country)
            snapshot = selectors.data_snapshot(data)
            data = isolate_direction(data)  # typed text never turns the text after it around
            frozen = {"data": data, "snapshot": snapshot, "generated_at": timezone.now().isoformat()}
            book = Book(data)  # checks the data: unprintable values fail here, before any work is handed out
            if report.kind == Report.Kind.COUNTRY:
                rendered = render_pdf(
                    html=country_report_html(book=book, frozen=frozen, report=report), variant=REPORT_VARIANT
                )
                _finish(
                    report=report,
                    task_id=task_id,
                    stage=Report.Stage.PREPARING,
                    pdf=finish(rendered.pdf, **pdf_metadata(book, frozen, report)),
                    pages=rendered.pages,
                    snapshot=snapshot,
                    data_as_of=data["as_of"],
                )
                return
            _fan_out(report=report, task_id=task_id, book=book, frozen=frozen)
    except TRANSIENT_ERRORS:
        raise  # the task retries
    except Exception as error:  # noqa: BLE001 - every other error ends the report, readably
        logger.exception("Report %s could not be built", report_id)
        with translation.override(report.language):
            _fail(report_id=report_id, message=readable_error(error))


def _work_dir(report: Report) -> str:
    return f"reports/work/{report.pk}/{report.attempts}"


def _fan_out(*, report: Report, task_id: str, book: Book, frozen: dict[str, Any]) -> None:
    """Write the frozen data and each part's HTML to the work folder; a part whose HTML was rendered
    before (part_cache.py) is done at once, the others go to the workers.

    The HTML of every part is made here, from the one ``Book``: it takes a fraction of what the parts'
    rendering takes, and spares every worker reading the data and building the book again.
    """
    work = _work_dir(report)
    data_name = default_storage.save(
        f"{work}/data.json", ContentFile(json.dumps(frozen, ensure_ascii=False).encode("utf-8"))
    )
    toc_anchors = sorted({entry.anchor for entry in alliance_toc(book)})
    default_storage.save(f"{work}/anchors.json", ContentFile(json.dumps(toc_anchors).encode("utf-8")))
    planned = []
    for position, spec in enumerate(alliance_plan(book), start=1):
        html = alliance_part_html(book=book, frozen=frozen, report=report, key=spec.key)
        kept = part_cache.find(html=html)
        if kept is None:
            default_storage.save(_part_html_name(report, position), ContentFile(html.encode("utf-8")))
        planned.append((position, spec, kept))
    now = timezone.now()
    with transaction.atomic():
        moved = Report.objects.filter(
            pk=report.pk, status=Report.Status.RUNNING, stage=Report.Stage.PREPARING, claimed_task_id=task_id
        ).update(
            stage=Report.Stage.PARTS,
            claimed_task_id="",
            claimed_by="",
            claimed_at=now,
            **leases.NO_LEASE,
            snapshot=frozen["snapshot"],
            data_as_of=frozen["data"]["as_of"],
        )
        if not moved:
            default_storage.delete(data_name)
            return
        ReportPart.objects.filter(report=report).delete()  # leftovers of an earlier attempt
        parts = ReportPart.objects.bulk_create(
            ReportPart(
                report=report,
                position=position,
                key=spec.key,
                title=spec.title[:300],
                enqueued_at=now,
                **(
                    {}
                    if kept is None
                    else {
                        "status": ReportPart.Status.DONE,
                        "file_name": kept.file_name,
                        "content_hash": kept.content_hash,
                        "reused": True,
                        "page_count": kept.pages,
                        "render_seconds": 0.0,
                        "anchors": kept.anchors,
                        "finished_at": now,
                    }
                ),
            )
            for position, spec, kept in planned
        )
        pending = [part for part in parts if part.status != ReportPart.Status.DONE]
        if not pending:  # nothing changed since the parts were last rendered: straight to the joining
            _dispatch_on_commit("assemble", [report.pk])
            return
        # Longest first (the country profiles), so that no worker is left with a long part at the end.
        longest_first = sorted(
            pending, key=lambda part: (not part.key.startswith("countries:"), part.position)
        )
        _dispatch_on_commit("part", [part.pk for part in longest_first])


def _part_html_name(report: Report, position: int) -> str:
    return f"{_work_dir(report)}/part-{position}.html"


def _load_frozen(report: Report) -> dict[str, Any]:
    with default_storage.open(f"{_work_dir(report)}/data.json", "rb") as handle:
        return json.loads(handle.read().decode("utf-8"))


def report_part_render(*, part_id: int, task_id: str) -> None:
    """Step 2: render one part of an alliance-wide report from the frozen data; the last one hands over."""
    now = timezone.now()
    claimed = (
        ReportPart.objects.filter(
            pk=part_id, report__status=Report.Status.RUNNING, report__stage=Report.Stage.PARTS
        )
        .filter(
            Q(status=ReportPart.Status.PENDING) | Q(status=ReportPart.Status.RUNNING, claimed_task_id=task_id)
        )
        .update(
            status=ReportPart.Status.RUNNING,
            claimed_task_id=task_id,
            claimed_by=worker_name(),
            claimed_at=now,
            **leases.lease_fields(now),
            attempts=F("attempts") + 1,
        )
    )
    if not claimed:
        logger.info("Part %s is not pending for %s: nothing to do", part_id, task_id)
        return
    part = ReportPart.objects.select_related("report").get(pk=part_id)
    report = part.report
    try:
        with (
            leases.heartbeat(model=ReportPart, pk=part_id, task_id=task_id),
            translation.override(report.language),
        ):
            html_name = _part_html_name(report, part.position)
            if default_storage.exists(html_name):  # written by the fan-out
                with default_storage.open(html_name, "rb") as handle:
                    html = handle.read().decode("utf-8")
                with default_storage.open(f"{_work_dir(report)}/anchors.json", "rb") as handle:
                    toc_anchors = set(json.loads(handle.read()))
            else:
                frozen = _load_frozen(report)
                book = Book(frozen["data"])
                toc_anchors = {entry.anchor for entry in alliance_toc(book)}
                html = alliance_part_html(book=book, frozen=frozen, report=report, key=part.key)
            kept = part_cache.find(html=html)  # rendered before from exactly this content: joined as it is
            if kept is None:
                rendered = render_pdf(html=html, variant=REPORT_VARIANT, joined_later=True)
                kept = part_cache.store(
                    html=html,
                    pdf=normalise(rendered.pdf),  # kept ready to join: the joining repairs nothing
                    pages=rendered.pages,
                    seconds=rendered.seconds,
                    anchors={a: page for a, page in rendered.anchors.items() if a in toc_anchors},
                )
        with transaction.atomic():
            # One part at a time finishes (the report row is the lock): the last one sees all the others
            # done and hands over the joining. Without it, two parts finishing together (kept parts take
            # milliseconds) would each see the other unfinished, and nobody would join them.
            Report.objects.select_for_update().filter(pk=report.pk).values_list("pk", flat=True).first()
            done = ReportPart.objects.filter(
                pk=part_id, status=ReportPart.Status.RUNNING, claimed_task_id=task_id
            ).update(
                status=ReportPart.Status.DONE,
                file_name=kept.file_name,
                content_hash=kept.content_hash,
                reused=kept.reused,
                page_count=kept.pages,
                render_seconds=kept.seconds,
                anchors=kept.anchors,
                finished_at=timezone.now(),
                **leases.NO_LEASE,
            )
            if not done:
                return
            remaining = ReportPart.objects.filter(report_id=report.pk).exclude(status=ReportPart.Status.DONE)
            if not remaining.exists():
                _dispatch_on_commit("assemble", [report.pk])
    except TRANSIENT_ERRORS:
        raise
    except Exception as error:  # noqa: BLE001 - a broken part fails the report, readably
        logger.exception("Part %s of report %s could not be rendered", part_id, report.pk)
        with translation.override(report.language):
            _fail(report_id=report.pk, message=readable_error(error))


def report_assemble(*, report_id: int, task_id: str) -> None:
    """Step 3: render cover and contents with the real page numbers, join the parts, stamp page numbers."""
    parts = ReportPart.objects.filter(report_id=OuterRef("pk"))
    updated = (
        Report.objects.filter(pk=report_id, status=Report.Status.RUNNING)
        .filter(Q(stage=Report.Stage.PARTS) | Q(stage=Report.Stage.ASSEMBLING, claimed_task_id=task_id))
        .filter(Exists(parts), ~Exists(parts.exclude(status=ReportPart.Status.DONE)))
        .update(
            stage=Report.Stage.ASSEMBLING,
            claimed_task_id=task_id,
            claimed_by=worker_name(),
            claimed_at=timezone.now(),
            **leases.lease_fields(),
        )
    )
    if not updated:
        logger.info("Report %s is not ready to be joined for %s: nothing to do", report_id, task_id)
        return
    report = Report.objects.select_related("evaluation_round", "country").get(pk=report_id)
    try:
        with (
            leases.heartbeat(model=Report, pk=report_id, task_id=task_id),
            translation.override(report.language),
        ):
            frozen = _load_frozen(report)
            book = Book(frozen["data"])
            parts = list(report.parts.order_by("position"))
            front, front_pages, bookmarks = render_front(book=book, frozen=frozen, report=report, parts=parts)
            pieces = list(front)  # the cover and the contents
            for part in parts:
                with default_storage.open(part.file_name, "rb") as handle:
                    pieces.append(handle.read())
            total = front_pages + sum(part.page_count for part in parts)
            footer = common_context(book=book, frozen=frozen, report=report)["footer"]
            pdf, pages = join_tagged(
                pieces=pieces,
                numbers=part_cache.page_numbers(pages=total),  # the same for a report as long as the last
                footer=footer_overlay(footer=footer),
                bookmarks=bookmarks,
                **pdf_metadata(book, frozen, report),
            )
        _finish(
            report=report,
            task_id=task_id,
            stage=Report.Stage.ASSEMBLING,
            pdf=pdf,
            pages=pages,
            snapshot=frozen["snapshot"],
            data_as_of=frozen["data"]["as_of"],
        )
    except TRANSIENT_ERRORS:
        raise
    except Exception as error:  # noqa: BLE001
        logger.exception("Report %s could not be joined", report_id)
        with translation.override(report.language):
            _fail(report_id=report_id, message=readable_error(error))


def _finish(
    *, report: Report, task_id: str, stage: str, pdf: bytes, pages: int, snapshot: str, data_as_of: str | None
) -> bool:
    """Store the PDF and mark the report ready: one conditional update, so it happens exactly once."""
    name = default_storage.save(f"reports/{report.pk}/{report.download_name}", ContentFile(pdf))
    with transaction.atomic():
        updated = Report.objects.filter(
            pk=report.pk, status=Report.Status.RUNNING, stage=stage, claimed_task_id=task_id
        ).update(
            status=Report.Status.READY,
            stage=Report.Stage.NONE,
            file=name,
            sha256=hashlib.sha256(pdf).hexdigest(),
            page_count=pages,
            size=len(pdf),
            snapshot=snapshot,
            data_as_of=data_as_of,
            finished_at=timezone.now(),
            claimed_task_id="",
            **leases.NO_LEASE,
            error="",
        )
    if not updated:
        # Someone else finished (or the sweep gave up on us) meanwhile: ours is surplus.
        default_storage.delete(name)
        logger.info("Report %s was finished by another task; dropped the copy of %s", report.pk, task_id)
        return False
    history_record(instance=Report.objects.get(pk=report.pk), reason="built")
    _remove_work_files(report.pk)
    logger.info("Report %s ready: %s pages", report.pk, pages)
    return True


def _remove_work_files(report_id: int) -> None:
    root = f"reports/work/{report_id}"
    try:
        if not default_storage.exists(root):
            return
        folders, _files = default_storage.listdir(root)
        for folder in folders:
            _sub, files = default_storage.listdir(f"{root}/{folder}")
            for name in files:
                default_storage.delete(f"{root}/{folder}/{name}")
            path = default_storage.path(f"{root}/{folder}") if hasattr(default_storage, "path") else None
            if path and os.path.isdir(path):
                os.rmdir(path)
        if hasattr(default_storage, "path") and os.path.isdir(default_storage.path(root)):
            os.rmdir(default_storage.path(root))
    except (OSError, NotImplementedError):
        logger.warning("Could not remove the work files of report %s", report_id, exc_info=True)


# --- the sweep --------------------------------------------------------------------------------------------


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
            _dispatch_on_commit("report", [report.pk])
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
            if _fail(report_id=report.pk, message=message):
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
                _dispatch_on_commit("report", [report.pk])
                result.requeued.append(report.pk)
        elif same_claim.update(
            stage=Report.Stage.PARTS, claimed_task_id="", claimed_by="", claimed_at=now, **leases.NO_LEASE
        ):
            _dispatch_on_commit("assemble", [report.pk])
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
            if _fail(report_id=part.report_id, message=message):
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
            _dispatch_on_commit("part", [part.pk])
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
            _dispatch_on_commit("assemble", [report.pk])
            result.assembling.append(report.pk)
    if startup or now.minute % 10 == 0:  # now and then: kept parts no report uses any more
        try:
            part_cache.prune()
        except OSError:
            logger.warning("Could not prune the kept report parts", exc_info=True)
    if result:
        logger.info("Report sweep: %s", result)
    return result
