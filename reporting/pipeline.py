"""Evaluation reports: requesting, publishing and downloading them, and the pipeline that builds them.

The pipeline (each step a Celery task in tasks.py, or run in a background thread without Redis):

1. ``report_generate`` claims the queued report (a conditional update: status and task id), reads the
   approved data once in one database snapshot, records its SHA-256 as the report's snapshot, and
   - for a country report renders the whole document (about a second) and marks it ready;
   - for the alliance-wide report writes the frozen data to the work folder, creates one ``ReportPart``
     per piece (executive summary; each goal chapter in pieces: its summaries, its table in slices of
     countries, its commitments; a profile per country; the annexes) and hands them all to the workers
     at once (fan-out: more workers, faster report). A piece whose HTML was rendered before is taken
     as it was kept (part_cache.py): after one country's correction only its pieces are rendered again.
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

Here: the steps. Handing them to the workers is dispatch.py's; the sweep is sweep.py's.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from typing import Any

import kombu.exceptions
import redis.exceptions
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import InterfaceError, OperationalError, transaction
from django.db.models import Exists, F, OuterRef, Q
from django.db.models.functions import Coalesce
from django.template import TemplateDoesNotExist, TemplateSyntaxError
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from audit.services import history_record

from . import leases, part_cache, selectors
from .content import Book, ReportDataError
from .dispatch import dispatch_on_commit, worker_name
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
from .pdfjoin import finish, join_tagged

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


def mark_failed(*, report_id: int, message: str) -> bool:
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
    return mark_failed(report_id=report_id, message=message)


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
            mark_failed(report_id=report_id, message=readable_error(error))


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
            dispatch_on_commit("assemble", [report.pk])
            return
        # Longest first (the country profiles), so that no worker is left with a long part at the end.
        longest_first = sorted(
            pending, key=lambda part: (not part.key.startswith("countries:"), part.position)
        )
        dispatch_on_commit("part", [part.pk for part in longest_first])


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
                    pdf=rendered.pdf,  # ready to join (pdftags.py repaired it): the joining repairs nothing
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
                dispatch_on_commit("assemble", [report.pk])
    except TRANSIENT_ERRORS:
        raise
    except Exception as error:  # noqa: BLE001 - a broken part fails the report, readably
        logger.exception("Part %s of report %s could not be rendered", part_id, report.pk)
        with translation.override(report.language):
            mark_failed(report_id=report.pk, message=readable_error(error))


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
            mark_failed(report_id=report_id, message=readable_error(error))


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
