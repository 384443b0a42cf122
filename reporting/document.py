"""What goes on the pages of an evaluation report: the sections of each document, in order.

A country report is one HTML document (``country_report_html``); the alliance-wide report is a list of
parts (``alliance_plan``), each its own HTML document (``alliance_part_html``), and a front (cover and
contents, ``render_front``) made when the parts are joined. Each document is a list of sections, each a
template with its own variables (``render_document``): a new chapter is one more entry in a list.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from . import government, part_cache
from .content import Book, CountryInfo
from .models import Report, ReportPart
from .pdf import REPORT_VARIANT, page_label_css, render_pdf
from .pdfjoin import Bookmark

logger = logging.getLogger(__name__)


# --- the documents ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PartSpec:
    """One part of the alliance-wide report: what it holds (``key``) and a name for the log and admin."""

    key: str
    title: str


@dataclass(frozen=True)
class TocEntry:
    anchor: str  # the id of the element the entry points to
    number: str
    title: str
    level: int


def countries_per_part() -> int:
    """Country profiles per part: one, so that one country's correction renders its own profile again
    and joins every other one as it was kept (part_cache.py)."""
    return max(1, int(getattr(settings, "REPORT_COUNTRIES_PER_PART", 1)))


def matrix_rows_per_part() -> int:
    """Countries per slice of a goal chapter's table (about a page): a correction renders its slice again."""
    return max(1, int(getattr(settings, "REPORT_MATRIX_ROWS_PER_PART", 25)))


def _matrix_slices(chapter: dict[str, Any]) -> list[list[dict[str, Any]]]:
    size = matrix_rows_per_part()
    rows = chapter["rows"]
    return [rows[start : start + size] for start in range(0, len(rows), size)]


def _country_chunks(book: Book) -> list[list[CountryInfo]]:
    size = countries_per_part()
    countries = book.countries_with_data
    return [countries[start : start + size] for start in range(0, len(countries), size)]


def alliance_plan(book: Book) -> list[PartSpec]:
    """The parts of the alliance-wide report in order; the cover and contents are made when joining."""
    specs = [PartSpec("summary", _("Executive summary"))]
    for goal in book.goals:
        # A goal in pieces: its summaries, its table in slices of countries, its commitments.
        specs.append(PartSpec(f"goal:{goal.code}", goal.numbered_title))
        for index, rows in enumerate(_matrix_slices(book.goal_chapter(goal))):
            names = ", ".join(row["country"].name for row in rows)
            specs.append(PartSpec(f"goal:{goal.code}:rows:{index}", f"{goal.numbered_title}: {names}"))
        specs.append(PartSpec(f"goal:{goal.code}:commitments", goal.numbered_title))
    for index, chunk in enumerate(_country_chunks(book)):
        specs.append(PartSpec(f"countries:{index}", ", ".join(country.name for country in chunk)))
    if book.countries_without_data:
        specs.append(PartSpec("no-data", _("Countries without approved data")))
    if government.decision_follow_up(book) is not None:
        specs.append(PartSpec("decisions", decisions_title(book)))
    specs.append(PartSpec("annexes", _("Annexes")))
    return specs


def alliance_toc(book: Book) -> list[TocEntry]:
    """The table of contents (and bookmarks) of the alliance-wide report."""
    profiles = str(len(book.goals) + 2)
    entries = [TocEntry("summary", "1", _("Executive summary"), 1)]
    entries += [TocEntry(f"goal-{g.code}", str(g.chapter), g.numbered_title, 1) for g in book.goals]
    entries.append(TocEntry("profiles", profiles, _("Country profiles"), 1))
    for index, country in enumerate(book.countries_with_data, start=1):
        entries.append(TocEntry(f"country-{country.code}", f"{profiles}.{index}", country.name, 2))
    if book.countries_without_data:
        number = f"{profiles}.{len(book.countries_with_data) + 1}"
        entries.append(TocEntry("no-data", number, _("Countries without approved data"), 2))
    if government.decision_follow_up(book) is not None:
        entries.append(TocEntry("decisions", decisions_chapter(book), decisions_title(book), 1))
    entries += [
        TocEntry("annex-a", _("Annex A"), _("Indicator definitions"), 1),
        TocEntry("annex-b", _("Annex B"), _("Data completeness per country"), 1),
        TocEntry("annex-c", _("Annex C"), _("Method"), 1),
    ]
    return entries


def decisions_chapter(book: Book) -> str:
    """The number of the chapter on the last meeting's decisions: after the country profiles."""
    return str(len(book.goals) + 3)


def decisions_title(book: Book) -> str:
    """The contents' title of that chapter (the chapter's own heading is cycle's partial)."""
    chapter = government.decision_follow_up(book)
    return _("What became of the decisions of the %(meeting)s") % {"meeting": chapter.meeting}


def common_context(*, book: Book, frozen: dict[str, Any], report: Report) -> dict[str, Any]:
    generated_at = timezone.localtime(dt.datetime.fromisoformat(frozen["generated_at"]))
    snapshot = frozen["snapshot"]
    title = _("Ministerial evaluation %(round)s") % {"round": book.round_label}
    if report.kind == Report.Kind.COUNTRY:
        subtitle = book.countries[0].name
    else:
        subtitle = _("Global Alliance against Child Sexual Abuse Online: all participating countries")
    footer = _("Generated %(when)s · data snapshot %(snapshot)s · approved data only") % {
        "when": date_format(generated_at, "DATETIME_FORMAT"),
        "snapshot": snapshot[:12],
    }
    if book.is_demo:
        footer += " · " + _("contains synthetic demo data")
    return {
        "book": book,
        "report": report,
        "language": translation.get_language(),
        "title": title,
        "subtitle": subtitle,
        "running_title": f"{title} · {subtitle}" if report.kind == Report.Kind.COUNTRY else title,
        "generated_at": generated_at,
        "snapshot": snapshot,
        "short_snapshot": snapshot[:12],
        "footer": footer,
        "profiles_chapter": len(book.goals) + 2,
        "evaluation_round": government.evaluation_round(book),
        "page_label_css": page_label_css().replace("<", "\\3C "),
    }


def _annex_sections(book: Book, countries: list[CountryInfo]) -> list[dict[str, Any]]:
    return [
        {"template": "reporting/pdf/annex_definitions.html", "letter": _("Annex A"), "anchor": "annex-a"},
        {
            "template": "reporting/pdf/annex_completeness.html",
            "letter": _("Annex B"),
            "anchor": "annex-b",
            "rows": [book.completeness(country) for country in countries],
            "approvals": book.approvals(countries),
            "sources": book.sources_for(None if book.is_alliance else countries),
        },
        {"template": "reporting/pdf/annex_method.html", "letter": _("Annex C"), "anchor": "annex-c"},
    ]


def render_document(
    *,
    context: dict[str, Any],
    sections: list[dict[str, Any]],
    native_page_numbers: bool,
    document_template: str = "reporting/pdf/document.html",
) -> str:
    """One HTML document: each section's template rendered with its own variables, in order.

    ``document_template`` is the frame around them: the PDF's, or one extending it for a browser
    (focal/chapter.html: the focal points' draft chapter).
    """
    rendered = []
    for section in sections:
        try:
            rendered.append(render_to_string(section["template"], {**context, **section}))
        except Exception as error:
            error.report_template = section["template"]  # so that readable_error can name it
            raise
    body = "".join(rendered)
    return render_to_string(
        document_template,
        # The sections are rendered templates: autoescaped already.
        {**context, "body": mark_safe(body), "native_page_numbers": native_page_numbers},  # noqa: S308
    )


def country_report_html(
    *,
    book: Book,
    frozen: dict[str, Any],
    report: Report,
    document_template: str = "reporting/pdf/document.html",
    extra_context: dict[str, Any] | None = None,
) -> str:
    """The whole country report as one HTML document (page numbers and contents by WeasyPrint itself).

    ``document_template`` and ``extra_context`` frame it for a browser instead (see ``render_document``).
    """
    country = book.countries[0]
    profile = book.profile(country)
    toc = [{"number": "1", "title": _("Executive summary"), "anchor": "summary", "level": 1}]
    toc += [
        {"number": g.chapter, "title": g.numbered_title, "anchor": f"goal-{g.code}", "level": 1}
        for g in book.goals
    ]
    annexes = _annex_sections(book, [country])
    titles = [_("Indicator definitions"), _("Data completeness"), _("Method")]
    toc += [
        {"number": annex["letter"], "title": title, "anchor": annex["anchor"], "level": 1}
        for annex, title in zip(annexes, titles, strict=True)
    ]
    sections = [
        {"template": "reporting/pdf/cover.html"},
        {"template": "reporting/pdf/toc.html", "entries": toc},
        {
            "template": "reporting/pdf/summary_country.html",
            "profile": profile,
            "government": government.government_context(book, country),
            "goal_sections": profile.goal_sections(book.goals),
            "country_tally": book.overall_tally(countries=[country]),
            "commitments": book.commitment_summary(countries=[country]),
            "icse_rows": [profile.icse],
            "violations": book.violations(country),
            "icse_chart": book.icse_chart([country]),
            "completion": book.completion_table(countries=[country]),
            "completion_chart": book.completion_chart(
                title=_("Commitments by completion status"), countries=[country]
            ),
        },
        *[
            {"template": "reporting/pdf/country_goal.html", "profile": profile, **section}
            for section in profile.goal_sections(book.goals)
        ],
        *annexes,
    ]
    context = {**common_context(book=book, frozen=frozen, report=report), **(extra_context or {})}
    return render_document(
        context=context, sections=sections, native_page_numbers=True, document_template=document_template
    )


def alliance_part_html(*, book: Book, frozen: dict[str, Any], report: Report, key: str) -> str:
    """One part of the alliance-wide report as its own HTML document (no page numbers, no footer: both
    are stamped on the joined report, so a part depends only on what it shows)."""
    # A part shows only what it holds (no footer, generation time or snapshot outside its own pages),
    # so that the same content gives the same HTML: the key under which its PDF is kept (part_cache.py).
    context = {**common_context(book=book, frozen=frozen, report=report), "footer": "", "is_part": True}
    numbers = {entry.anchor: entry.number for entry in alliance_toc(book)}
    if key == "summary":
        sections = [
            {
                "template": "reporting/pdf/summary_alliance.html",
                "goal_tallies": [book.tally(goal=goal) for goal in book.goals],
                "overall": book.overall_tally(),
                "commitments": book.commitment_summary(),
                "goal_chart": book.goal_tally_chart(),
                "completion": book.completion_table(),
                "completion_chart": book.completion_chart(
                    title=_("Commitments by completion status, all countries")
                ),
                "alliance_recommendations": [
                    row for rows in book.recommendations_for(None).values() for row in rows
                ],
            }
        ]
    elif key.startswith("goal:"):
        code, _colon, piece = key.removeprefix("goal:").partition(":")
        goal = next(g for g in book.goals if g.code == code)
        chapter = book.goal_chapter(goal)
        if piece.startswith("rows:"):
            chapter = {**chapter, "rows": _matrix_slices(chapter)[int(piece.removeprefix("rows:"))]}
        sections = [
            {
                "template": "reporting/pdf/goal_alliance.html",
                **chapter,
                "piece": piece.split(":")[0] or "head",
            }
        ]
    elif key.startswith("countries:"):
        index = int(key.removeprefix("countries:"))
        sections = []
        for country in _country_chunks(book)[index]:
            profile = book.profile(country)
            sections.append(
                {
                    "template": "reporting/pdf/country_profile.html",
                    "profile": profile,
                    "government": government.government_context(book, country),
                    "goal_sections": profile.goal_sections(book.goals),
                    "number": numbers[f"country-{country.code}"],
                    "chapter_intro": country.id == book.countries_with_data[0].id,
                }
            )
    elif key == "no-data":
        sections = [
            {
                "template": "reporting/pdf/no_data.html",
                "countries": book.countries_without_data,
                "number": numbers["no-data"],
                "chapter_intro": not book.countries_with_data,
            }
        ]
    elif key == "decisions":
        sections = [
            {
                "template": "reporting/pdf/decision_follow_up.html",
                "chapter": government.decision_follow_up(book),
                "number": numbers["decisions"],
            }
        ]
    elif key == "annexes":
        sections = _annex_sections(book, book.countries)
    else:
        raise ValueError(f"Unknown part {key!r}")
    return render_document(context=context, sections=sections, native_page_numbers=False)


_contents_pages_seen: dict[tuple[int, str], int] = {}


def render_front(
    *, book: Book, frozen: dict[str, Any], report: Report, parts: list[ReportPart]
) -> tuple[list[bytes], int, list[Bookmark]]:
    """Cover and contents of the alliance-wide report: their pieces (ready to join), their pages, and the
    bookmarks of the whole.

    Each part recorded the page (within the part) of the entries it holds; adding the pages before it
    gives the page in the joined report. The cover (which names the snapshot and the moment) is rendered
    for every report; the contents are kept by their HTML like a part, so a report whose pages did not
    move (one country's figures corrected) takes them as they are. They are rendered again if their own
    length changes.
    """
    starts, page = {}, 0
    for part in parts:
        for anchor, offset in part.anchors.items():
            starts.setdefault(anchor, page + offset)
        page += part.page_count
    toc = [entry for entry in alliance_toc(book) if entry.anchor in starts]
    context = {**common_context(book=book, frozen=frozen, report=report), "footer": ""}
    cover = render_pdf(
        html=render_document(
            context=context, sections=[{"template": "reporting/pdf/cover.html"}], native_page_numbers=False
        ),
        variant=REPORT_VARIANT,
        joined_later=True,
    )
    # The contents show nothing of this report but its entries and their pages (no snapshot, no time).
    contents_context = {**context, "is_part": True}
    seen = (len(toc), translation.get_language())
    contents_pages = _contents_pages_seen.get(seen, 2)  # as long as last time: rendered once
    for _attempt in range(3):
        front_pages = cover.pages + contents_pages
        entries = [
            {
                "number": e.number,
                "title": e.title,
                "page": front_pages + starts[e.anchor] + 1,
                "level": e.level,
                "anchor": e.anchor,
            }
            for e in toc
        ]
        html = render_document(
            context=contents_context,
            sections=[{"template": "reporting/pdf/toc.html", "entries": entries}],
            native_page_numbers=False,
        )
        contents, pages = part_cache.kept_piece(html=html)
        if pages == contents_pages:
            break
        contents_pages = pages
    _contents_pages_seen[seen] = contents_pages
    front_pages = cover.pages + contents_pages
    bookmarks = [Bookmark(f"{e.number} {e.title}", e.level, front_pages + starts[e.anchor]) for e in toc]
    return [cover.pdf, contents], front_pages, bookmarks


def pdf_metadata(book: Book, frozen: dict[str, Any], report: Report) -> dict[str, str]:
    """Title (shown by the viewer), language and subject of the finished PDF."""
    context = common_context(book=book, frozen=frozen, report=report)
    return {
        "title": f"{context['title']} · {context['subtitle']}",
        "language": context["language"],
        "subject": _("Data snapshot %(snapshot)s") % {"snapshot": frozen["snapshot"]},
    }
