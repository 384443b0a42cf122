"""The finished PDFs, checked from outside: text and pages (poppler), fonts (pdffonts), structure (pikepdf),
and conformance by an independent validator, `page` (PyPI: page-validation, a Rust PDF/A and PDF/UA
checker that runs the veraPDF and Isartor test corpora; veraPDF itself is not in PyPI, Debian or npm).

Text people type goes in as it would from the workspace: a word longer than a column, an address, an
emoji, a right-to-left override. The alliance-wide report is checked as the joined file.
"""

from __future__ import annotations

import re
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import page
import pikepdf
import pytest
from django.test import override_settings
from django.utils import timezone

from commitments.models import IndicatorValue
from reporting import dispatch, pipeline, services
from reporting.layout import isolate_direction
from reporting.models import Report
from reporting.pdf import render_pdf

from .conftest import commit, pdf_text

LONG_WORD = "Kinderpornografiebestrijdingsuitvoeringsregelingscoördinatie" * 2
ADDRESS = "https://www.example.org/" + "evidence/" * 12 + "report-2014.pdf"


def conformance_failures(path: Path, profile: str) -> list[str]:
    report = page.validate_pdf(str(path), profile=profile, limits=page.SafetyLimits.unlimited())
    failures = [f"{failure.rule_id}: {failure.message}" for failure in report.failures]
    if stream_lengths_exact(path):
        # page 0.11 counts a stream one byte short when its (compressed) data happens to end with a
        # line-feed byte (it takes that byte for the line end before "endstream"): about one stream in
        # 128, so most long files have one. The rule (ISO 19005-2, 6.1.7.1) is checked exactly below.
        failures = [failure for failure in failures if not failure.startswith("PDFA3A-STREAM-LENGTH-001")]
    return failures


def stream_lengths_exact(path: Path) -> bool:
    """Every stream's /Length is exactly the number of bytes between the line feed after "stream" and
    the end-of-line marker before "endstream" (ISO 19005-2, 6.1.7.1), counted byte by byte."""
    data = path.read_bytes()
    streams = list(re.finditer(rb">>\s*stream(\r\n|\n)", data))
    assert len(streams) == data.count(b"endstream")
    for stream in streams:
        dictionary = data[data.rfind(b" obj", 0, stream.start()) : stream.start()]
        length = re.search(rb"/Length (\d+)(?! \d+ R)", dictionary)
        assert length, dictionary[:200]
        end = stream.end() + int(length.group(1))
        if not re.match(rb"(\r\n|\n|\r)endstream", data[end : end + 11]):
            return False
    return True


def fonts_of(path: Path) -> list[dict[str, str]]:
    lines = subprocess.run(["pdffonts", str(path)], check=True, capture_output=True, text=True).stdout
    rows = []
    for line in lines.splitlines()[2:]:
        name, *rest = line.split()
        rows.append({"name": name, "emb": rest[-5], "line": line})
    return rows


class _Words(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.pages: list[tuple[float, list[tuple[float, str]]]] = []
        self._word: float | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "page":
            self.pages.append((float(attrs["width"]), []))
        elif tag == "word":
            self._word = float(attrs["xmax"])

    def handle_data(self, data):
        if self._word is not None:
            self.pages[-1][1].append((self._word, data))
            self._word = None


def words_beyond_margin(path: Path, *, margin_pt: float = 17 * 72 / 25.4) -> list[str]:
    """Words that reach into the right margin of their page (or off it)."""
    html = subprocess.run(["pdftotext", "-bbox", str(path), "-"], check=True, capture_output=True, text=True)
    parser = _Words()
    parser.feed(html.stdout)
    return [word for width, words in parser.pages for x_max, word in words if x_max > width - margin_pt + 1]


def internal_links(path: Path) -> list[tuple[int, int]]:
    """(page of the link, page it leads to), both from 1, for every link to a named destination."""
    with pikepdf.open(path) as pdf:
        pages = {p.objgen: number for number, p in enumerate(pdf.pages, start=1)}
        names = dict(pikepdf.NameTree(pdf.Root.Names.Dests).items())
        links = []
        for number, p in enumerate(pdf.pages, start=1):
            for annotation in p.obj.get("/Annots", []):
                if annotation.get("/Subtype") != pikepdf.Name.Link or "/Dest" not in annotation:
                    continue
                destination = names[str(annotation.Dest)]
                links.append((number, pages[destination[0].objgen]))
        return links


def check_common(path: Path, report: Report, *, title: str) -> list[str]:
    """What both kinds of report must be; returns the text of the pages."""
    assert conformance_failures(path, "ua1") == []
    assert conformance_failures(path, "3a") == []
    info = subprocess.run(["pdfinfo", str(path)], check=True, capture_output=True, text=True).stdout
    assert re.search(r"^Tagged:\s+yes", info, re.M)
    assert re.search(rf"^Title:\s+{re.escape(title)}", info, re.M)
    with pikepdf.open(path) as pdf:
        assert str(pdf.Root.Lang) == report.language
        assert bool(pdf.Root.ViewerPreferences.DisplayDocTitle)
        structure = pdf.Root.StructTreeRoot
        assert [str(kid.S) for kid in structure.K] == ["/Document"]
        figures = []
        stack = [structure.K[0]]
        while stack:
            element = stack.pop()
            if element.get("/S") == pikepdf.Name.Figure:
                figures.append(str(element.get("/Alt", "")))
            kids = element.get("/K")
            kids = list(kids) if isinstance(kids, pikepdf.Array) else [kids]
            stack += [kid for kid in kids if isinstance(kid, pikepdf.Dictionary) and "/S" in kid]
    assert figures and all(alt.strip() for alt in figures), figures  # every chart has its alternative
    assert all(font["emb"] == "yes" for font in fonts_of(path))
    pages = pdf_text(path).split("\f")[: report.page_count]
    running = "Ministerial evaluation"
    assert running not in pages[0].splitlines()[0]  # the cover
    assert [
        n for n, text in enumerate(pages[1:], start=2) if running not in "".join(text.splitlines()[:2])
    ] == []
    return pages


def test_a_typed_direction_override_stays_inside_its_text():
    def rendered(title: str) -> str:
        html = f'<html lang="en"><body><p>{title} stays readable</p></body></html>'
        path = Path(f"/tmp/bidi-{abs(hash(title))}.pdf")
        path.write_bytes(render_pdf(html=html, report_css=False).pdf)
        try:
            return pdf_text(path)
        finally:
            path.unlink()

    typed = "Plan \u202eevil"
    assert "elbadaer syats" in rendered(typed)  # as typed, the override turns the template's text around
    assert "stays readable" in rendered(isolate_direction({"t": typed})["t"])
    assert isolate_direction({"t": "plain", "n": [1, "x"]}) == {"t": "plain", "n": [1, "x"]}


@pytest.fixture
def typed_text(netherlands_data, baseline_period, progress_period):
    commit(
        netherlands_data,
        "VICTIM_ID",
        f"Coordinate {LONG_WORD} with the partners at {ADDRESS}",
        {progress_period: ("substantial", "Hotline reports 😀 🚸 ✓ doubled.")},
    )
    commit(netherlands_data, "VICTIM_ID", "Plan \u202eevil", {progress_period: ("limited", "After it.")})
    return netherlands_data


def test_the_country_report_is_accessible_archival_and_holds_any_typed_text(
    reviewer, evaluation_round, typed_text, report_media, django_capture_on_commit_callbacks
):
    report = services.report_request(
        user=reviewer, kind=Report.Kind.COUNTRY, evaluation_round=evaluation_round, country=typed_text
    )
    pipeline.report_generate(report_id=report.pk, task_id="t")
    report.refresh_from_db()
    assert report.status == Report.Status.READY, report.error
    path = report_media / report.file.name

    pages = check_common(path, report, title="Ministerial evaluation 2012–2014 · Netherlands")
    text = "\n".join(pages)
    assert words_beyond_margin(path) == []  # the long word and the address wrap
    assert "Kinderpornografie" in text and "evidence/" in text
    assert "😀" in text and "🚸" in text  # emoji print, from the fallback font
    assert any("+Symbola" in font["name"] for font in fonts_of(path))
    assert "After it." in text
    # The contents: a link per entry, to the page its number names.
    links = internal_links(path)
    assert links and all(source == 2 for source, _target in links)
    contents = pages[1]
    for target in {target for _source, target in links}:
        assert re.search(rf"\.\s*{target}\s*$", contents, re.M), target


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_alliance_report_is_one_accessible_archival_compact_document(
    reviewer, evaluation_round, several_countries, report_media
):
    with dispatch.inline_jobs():
        report = services.report_request(
            user=reviewer, kind=Report.Kind.ALLIANCE, evaluation_round=evaluation_round
        )
    report.refresh_from_db()
    assert report.status == Report.Status.READY, report.error
    path = report_media / report.file.name
    parts = list(report.parts.order_by("position"))

    pages = check_common(
        path,
        report,
        title="Ministerial evaluation 2012–2014 · "
        + ("Global Alliance against Child Sexual Abuse Online: all participating countries"),
    )
    # Every page numbered in the joined document, the footer (snapshot) on every page.
    for number, text in enumerate(pages, start=1):
        assert f"Page {number} of {report.page_count}" in text, number
        assert report.snapshot[:12] in text, number
    # The first page of every part has its running header (checked above for all pages but the cover).
    assert len(parts) > 8
    # One font per typeface, as if the report had been rendered as one document.
    names = [font["name"].split("+", 1)[-1] for font in fonts_of(path)]
    assert len(names) == len(set(names)), names
    # The contents link to the pages their numbers name, in parts rendered separately.
    links = internal_links(path)
    targets = {target for _source, target in links}
    # (every part that holds an entry of the contents is linked to; the slices of a goal's table and its
    # commitments continue a chapter and hold none)
    with_entries = [part for part in parts if part.anchors]
    assert len(with_entries) > 8 and len(targets) >= len(with_entries)
    assert any(":rows:" in part.key for part in parts) and any(":commitments" in part.key for part in parts)
    contents = "\n".join(pages[1:4])
    # Goals are named by their own number in the contents too (chapter 2 is Goal 1).
    assert re.search(r"^\s*2\s+Goal 1: [^\n]*\.\s*\d+\s*$", contents, re.M), contents[:500]
    for country in ["Netherlands", "Sweden"]:
        listed = re.search(rf"\d+\.\d+\s+{country}\s*\.[ .]*(\d+)", contents)
        assert listed and int(listed.group(1)) in targets, country
        assert re.search(rf"\d+\.\d+\s+{country}\n", pages[int(listed.group(1)) - 1])
    assert report.size < 1_000_000
    assert timezone.now() >= report.finished_at


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@override_settings(REPORT_MATRIX_ROWS_PER_PART=1)  # a slice of a goal's table per country: each its part
def test_after_one_countrys_correction_only_its_part_and_the_summaries_are_rendered_again(
    reviewer, evaluation_round, several_countries, progress_period, report_media
):
    def build() -> Report:
        with dispatch.inline_jobs():
            report = services.report_request(
                user=reviewer, kind=Report.Kind.ALLIANCE, evaluation_round=evaluation_round
            )
        report.refresh_from_db()
        assert report.status == Report.Status.READY, report.error
        return report

    first = build()
    assert not first.parts.filter(reused=True).exists()
    again = build()  # nothing changed: every part is joined as it was
    assert not again.parts.filter(reused=False).exists()

    netherlands = next(country for country in several_countries if country.code == "NL")
    value = IndicatorValue.objects.get(country=netherlands, indicator__code="VI-2", period=progress_period)
    value.number_value += 1000  # a correction, approved
    value.save()
    corrected = build()

    rendered = {part.key for part in corrected.parts.filter(reused=False)}
    goal = f"goal:{value.indicator.goal.code}"
    profile = corrected.parts.get(key__startswith="countries:", title="Netherlands").key
    table_slices = {part.key: part.title for part in corrected.parts.filter(key__startswith=f"{goal}:rows:")}
    assert len(table_slices) > 1  # the goal's table is in slices, one a country here
    own_slice = next(key for key, title in table_slices.items() if title.endswith(": Netherlands"))
    # The Netherlands' profile, its row of the goal's table, and the summaries that count it.
    assert {"summary", own_slice, profile} <= rendered
    assert rendered <= {"summary", goal, own_slice, profile, "annexes"}, rendered
    assert not rendered & (set(table_slices) - {own_slice})  # the other countries' rows were kept
    assert f"{goal}:commitments" not in rendered  # a value's correction leaves the commitments alone
    assert corrected.parts.count() - len(rendered) >= 8  # the rest was joined as it was kept
    path = report_media / corrected.file.name
    assert f"{int(value.number_value):,}" in pdf_text(path)  # (1,625)
    assert conformance_failures(path, "ua1") == [] and conformance_failures(path, "3a") == []
    seconds = (corrected.finished_at - corrected.started_at).total_seconds()
    print(
        f"re-render after a correction: {seconds:.1f} s, {len(rendered)} of {corrected.parts.count()} parts"
    )
