"""Rendered parts of the alliance-wide report, kept under a hash of everything that goes into them.

A part's PDF follows from its HTML (the templates and the frozen data it shows: a part carries no
generation time, snapshot or page numbers, see document.alliance_part_html), the report stylesheet,
WeasyPrint's version and the PDF variant. The SHA-256 of all of these names the kept PDF: a new report
whose part comes out the same joins the kept file instead of rendering it again, so after one country's
correction only that country's profiles and the pages that summarise it are rendered again.

Files live under ``reports/parts/`` in the default storage; ``ReportPart.content_hash`` and
``file_name`` point at them. ``prune`` removes those no part row refers to any more.
"""

from __future__ import annotations

import hashlib
import io
import logging
from dataclasses import dataclass
from datetime import timedelta
from functools import cache

import pikepdf
import weasyprint
from django.contrib.staticfiles import finders
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

from .models import ReportPart
from .pdf import REPORT_VARIANT, page_label_css, page_number_overlay

logger = logging.getLogger(__name__)

ROOT = "reports/parts"
# Raise when what a rendered part looks like changes without its HTML changing (say, the PDF repairs).
# 2: parts kept with their structure repaired (pdfjoin.normalise); 3: plain Spans lifted; 4: repaired while
# WeasyPrint writes them (pdftags.py), the same tree in a file written by pydyf.
FORMAT = "4"


@dataclass(frozen=True)
class KeptPart:
    file_name: str
    content_hash: str
    pages: int
    seconds: float  # spent in WeasyPrint (0 when reused)
    anchors: dict[str, int]
    reused: bool


@cache
def _fingerprint() -> str:
    """What besides the HTML shapes a part's PDF (read once per process)."""
    stylesheet = finders.find("css/report.css")
    with open(stylesheet, "rb") as handle:
        css = hashlib.sha256(handle.read()).hexdigest()
    return f"{FORMAT}|{weasyprint.__version__}|{REPORT_VARIANT}|{css}"


def content_hash(html: str) -> str:
    return hashlib.sha256(f"{_fingerprint()}\n{html}".encode()).hexdigest()


def find(*, html: str) -> KeptPart | None:
    """The kept PDF of a part with exactly this content, if there is one."""
    key = content_hash(html)
    row = (
        ReportPart.objects.filter(content_hash=key, status=ReportPart.Status.DONE)
        .exclude(file_name="")
        .order_by("-finished_at")
        .values("file_name", "page_count", "anchors")
        .first()
    )
    if row is None or not default_storage.exists(row["file_name"]):
        return None
    return KeptPart(row["file_name"], key, row["page_count"], 0.0, row["anchors"], reused=True)


def store(*, html: str, pdf: bytes, pages: int, seconds: float, anchors: dict[str, int]) -> KeptPart:
    """Keep a freshly rendered part under its content hash."""
    key = content_hash(html)
    name = f"{ROOT}/{key[:2]}/{key}.pdf"
    if not default_storage.exists(name):
        name = default_storage.save(name, ContentFile(pdf))
    return KeptPart(name, key, pages, seconds, anchors, reused=False)


def kept_piece(*, html: str) -> tuple[bytes, int]:
    """A piece of the joined report that is no part (the contents): its PDF and pages, rendered and
    rendered once per content, kept in the same place as the parts."""
    from .pdf import render_pdf

    key = content_hash(html)
    name = f"{ROOT}/{key[:2]}/{key}.pdf"
    if default_storage.exists(name):
        with default_storage.open(name, "rb") as handle:
            pdf = handle.read()
        with pikepdf.open(io.BytesIO(pdf)) as opened:
            return pdf, len(opened.pages)
    rendered = render_pdf(html=html, variant=REPORT_VARIANT, joined_later=True)
    pdf = rendered.pdf
    if not default_storage.exists(name):
        default_storage.save(name, ContentFile(pdf))
    return pdf, rendered.pages


def page_numbers(*, pages: int) -> bytes:
    """The page-number overlay of a report of ``pages`` pages in the active language, rendered once and
    kept: a report built again after a correction usually has as many pages as before."""
    key = content_hash(f"page numbers|{pages}|{page_label_css()}")
    name = f"{ROOT}/{key[:2]}/{key}.pdf"
    if default_storage.exists(name):
        with default_storage.open(name, "rb") as handle:
            return handle.read()
    pdf = page_number_overlay(pages=pages)
    if not default_storage.exists(name):
        default_storage.save(name, ContentFile(pdf))
    return pdf


def prune(*, older_than: timedelta = timedelta(hours=1)) -> int:
    """Delete kept parts that no part row refers to any more (and that are not being written now)."""
    if not default_storage.exists(ROOT):
        return 0
    referenced = set(
        ReportPart.objects.filter(file_name__startswith=ROOT).values_list("file_name", flat=True)
    )
    cutoff = timezone.now() - older_than
    removed = 0
    folders, _files = default_storage.listdir(ROOT)
    for folder in folders:
        _sub, files = default_storage.listdir(f"{ROOT}/{folder}")
        for file in files:
            name = f"{ROOT}/{folder}/{file}"
            if name in referenced or default_storage.get_modified_time(name) > cutoff:
                continue
            default_storage.delete(name)
            removed += 1
    if removed:
        logger.info("Removed %s kept report parts no report uses any more", removed)
    return removed
