"""HTML to PDF with WeasyPrint, safely; joining rendered parts into one document with pypdf.

Safety: WeasyPrint resolves every URL through ``StaticOnlyFetcher``, which serves only the application's
own static files under a private origin (``STATIC_ORIGIN``, a name under .invalid that never resolves)
and refuses everything else: file://, http(s):// to anywhere, data: URLs. Text typed by users is
auto-escaped by the templates, so it never becomes markup in the first place; the fetcher is the second
line of defence.

Joining (pdfjoin.py): the parts of an alliance-wide report are rendered without page numbers and
footer (none of them knows where it will start, and a part must not depend on the report it is reused
in); after joining, one overlay rendered by WeasyPrint with the same page box stamps the footer and
"Page n of N" on every page, so numbering, fonts and position are the same as in a single document.
"""

from __future__ import annotations

import logging
import mimetypes
import posixpath
import re
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib import request
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.utils.html import escape
from django.utils.translation import gettext as _
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

from . import pdftags

STATIC_ORIGIN = "https://static.alliance-monitor.invalid/"
# What a report may load: its stylesheet, images and any font files shipped under static/.
ALLOWED_SUFFIXES = {".css", ".svg", ".png", ".jpg", ".jpeg", ".woff", ".woff2", ".ttf", ".otf"}


def static_url(path: str) -> str:
    """The URL a report template uses for one of the app's static files."""
    return f"{STATIC_ORIGIN}{path.lstrip('/')}"


def static_file_for(url: str) -> Path | None:
    """The app's own static file a URL names, or None for anything else (the URL is then refused)."""
    if not url.startswith(STATIC_ORIGIN):
        return None
    parts = urlsplit(url)
    relative = posixpath.normpath(unquote(parts.path).lstrip("/"))
    if relative in {".", ".."} or relative.startswith(("../", "/")) or "\\" in relative or "\x00" in relative:
        return None
    if posixpath.splitext(relative)[1].lower() not in ALLOWED_SUFFIXES:
        return None
    found = finders.find(relative)
    if found:
        return Path(found)
    root = Path(settings.STATIC_ROOT).resolve()
    candidate = (root / relative).resolve()
    if candidate.is_file() and candidate.is_relative_to(root):
        return candidate
    return None


class StaticOnlyFetcher(URLFetcher):
    """A WeasyPrint URL fetcher that serves the app's static files and refuses every other URL."""

    def __init__(self) -> None:
        # Not URLFetcher.__init__: it builds HTTP(S) handlers (and an SSL context) this fetcher never uses.
        request.OpenerDirector.__init__(self)
        self._timeout = 1
        self._http_headers = {}
        self._allowed_protocols = ()
        self._fail_on_errors = False
        self._request = None
        self.refused: list[str] = []
        self.served: list[str] = []

    def fetch(self, url: str, headers=None) -> URLFetcherResponse:
        path = static_file_for(url)
        if path is None:
            self.refused.append(url)
            # WeasyPrint catches this, logs a warning and leaves the resource out (an image: its alt text).
            raise PermissionError(
                f"Reports load only the application's own static files; refused {url[:200]!r}"
            )
        self.served.append(url)
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(url, body=path.read_bytes(), headers={"Content-Type": content_type})


# The variant every report piece is written in: PDF/A-3a (archival, tagged, Unicode text).
REPORT_VARIANT = "pdf/a-3a"


@dataclass
class RenderedPdf:
    pdf: bytes
    pages: int
    seconds: float  # WeasyPrint alone: layout and PDF writing
    anchors: dict[str, int] = field(default_factory=dict)  # element id -> first page (from 0)
    refused: list[str] = field(default_factory=list)
    # Internal links: (page from 0, the id they point to, (left, bottom, right, top) in PDF points).
    links: list[tuple[int, str, tuple[float, float, float, float]]] = field(default_factory=list)


_cache = threading.local()


def _report_stylesheet() -> tuple[CSS, FontConfiguration]:
    """The report stylesheet, parsed once per process (and thread), with its font configuration.

    Parsing the CSS and setting up fonts costs about 20 ms a document; the alliance-wide report is a few
    dozen documents. The stylesheet goes through the same fetcher as everything else.
    """
    cached = getattr(_cache, "stylesheet", None)
    if cached is None:
        fonts = FontConfiguration()
        css = CSS(url=static_url("css/report.css"), url_fetcher=StaticOnlyFetcher(), font_config=fonts)
        cached = _cache.stylesheet = (css, fonts)
    return cached


class _OtherPiecesAnchors(logging.Filter):
    """Links to anchors in other pieces of a joined report are expected (pdfjoin.py makes them work)."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith("No anchor #")


_weasyprint_log = logging.getLogger("weasyprint")
_anchor_filter = _OtherPiecesAnchors()


def render_pdf(
    *, html: str, report_css: bool = True, variant: str | None = None, joined_later: bool = False
) -> RenderedPdf:
    """Lay out and write one HTML document with WeasyPrint, fetching nothing but our static files.

    ``report_css`` adds the report stylesheet (static/css/report.css); the HTML itself links nothing.
    ``joined_later``: a piece of the alliance-wide report, whose links may point into other pieces.
    ``variant`` is WeasyPrint's ``pdf_variant`` (the reports use "pdf/a-3a": archival and tagged, see
    pdfjoin.py for what makes them PDF/UA-1 as well); None: a plain PDF.

    A tagged PDF comes out with its structure tree repaired (pdftags.py, while WeasyPrint writes it),
    uncompressed and without a file identifier: it is always written again by pikepdf (pdfjoin.finish,
    or joined), which compresses it (qpdf, zlib's default level; WeasyPrint compresses at level 9 in
    Python, about 1.3 s of CPU for the 75 parts of the alliance-wide report, where qpdf takes 0.4 s)
    and gives it an identifier (WeasyPrint's serialises and compresses every object a second time to
    hash it). A kept part is about five times as large on disk for it (docs/performance.md).
    """
    fetcher = StaticOnlyFetcher()
    started = time.perf_counter()
    if report_css:
        css, fonts = _report_stylesheet()
        document = HTML(string=html, base_url=STATIC_ORIGIN, url_fetcher=fetcher).render(
            stylesheets=[css], font_config=fonts
        )
    else:
        document = HTML(string=html, base_url=STATIC_ORIGIN, url_fetcher=fetcher).render()
    if joined_later:
        _weasyprint_log.addFilter(_anchor_filter)
    try:
        if variant:
            pdf = document.write_pdf(
                pdf_variant=variant, pdf_identifier=False, uncompressed_pdf=True, finisher=pdftags.repair
            )
        else:
            pdf = document.write_pdf()
    finally:
        _weasyprint_log.removeFilter(_anchor_filter)
    anchors: dict[str, int] = {}
    links = []
    for index, page in enumerate(document.pages):
        for name in page.anchors:
            anchors.setdefault(name, index)
        for kind, target, (left, top, right, bottom), _box in page.links:
            if kind == "internal":  # CSS px from the top left -> PDF points from the bottom left
                points = (
                    left * 0.75,
                    (page.height - bottom) * 0.75,
                    right * 0.75,
                    (page.height - top) * 0.75,
                )
                links.append((index, target, points))
    return RenderedPdf(
        pdf=pdf,
        pages=len(document.pages),
        seconds=time.perf_counter() - started,
        anchors=anchors,
        refused=fetcher.refused,
        links=links,
    )


def page_label_css() -> str:
    """CSS ``content`` for "Page n of N" in the active language, built from one translatable string."""
    label = _("Page %(page)s of %(pages)s")
    pieces = re.split(r"(%\(page\)s|%\(pages\)s)", label)
    tokens = []
    for piece in pieces:
        if piece == "%(page)s":
            tokens.append("counter(page)")
        elif piece == "%(pages)s":
            tokens.append("counter(pages)")
        elif piece:
            tokens.append('"' + piece.replace("\\", "\\\\").replace('"', '\\"') + '"')
    return " ".join(tokens)


def _overlay_html(*, pages: int, footer: str, numbers: bool) -> str:
    number = page_label_css() if numbers else "none"
    return (
        '<!doctype html><html><head><meta charset="utf-8">'
        "<style>@page { @top-left { content: none; border: none; } "
        "@top-right { content: none; border: none; } "
        f"@bottom-right {{ content: {number}; }} }} "
        "html, body { background: none; } .blank { break-after: page; height: 1px; }</style></head>"
        f'<body data-footer="{escape(footer)}">{"<div class=blank></div>" * pages}</body></html>'
    )


def page_number_overlay(*, pages: int) -> bytes:
    """``pages`` empty pages carrying only "Page n of N", in the report's page box and fonts (stamped on
    the joined alliance-wide report, whose parts are rendered without it). The same for every report of
    that length in one language: kept (part_cache.page_numbers)."""
    return render_pdf(html=_overlay_html(pages=pages, footer="", numbers=True)).pdf


def footer_overlay(*, footer: str) -> bytes:
    """One empty page carrying only the running footer, laid over every page of the joined report."""
    return render_pdf(html=_overlay_html(pages=1, footer=footer, numbers=False)).pdf
