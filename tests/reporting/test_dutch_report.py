"""All Dutch in Dutch: the Dutch report has no English left (definitions, units, period labels, the
report's own words), no words run together, and countries sort by the reader's language everywhere."""

from __future__ import annotations

import datetime as dt
import html
import re
import subprocess

import pikepdf
import pypdf
import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from alliance_monitor.charts import ASSESSMENT_COLOURS
from commitments.models import (
    Commitment,
    CommitmentProgress,
    ConsistencyRule,
    Country,
    Finding,
    Goal,
    Indicator,
    ReportingPeriod,
)
from reporting import dispatch, selectors, services
from reporting.content import Book
from reporting.models import Report

from .conftest import approved, give
from .test_honest_numbers import build

# English that used to leak into the Dutch report (the list and its like), as whole words.
ENGLISH = [
    "victims/year",
    "days",
    "FTE",
    "level 0-4",
    "2013 baseline",
    "2014 progress",
    "Over de periode 2014 progress",
    "no data",
    "no comparison",
    "no approved report",
    "higher is better",
    "lower is better",
    "context only",
    "Yes if",
    "Number of",
    "Percentage of",
    "Maturity of",
    "WeProtect MNR capability",
    "Global Alliance operational goal",
    "policy target",
    "Executive summary",
    "Indicator definitions",
    "Findings",
    "Goal 1",
    "past its target date",
    "Too little approved data",
    "Inconsistent",
    "indicator values",
    "commitment reports",
    "cannot tell",
    "better",
    "worse",
    "unchanged",
]


def all_texts(path) -> str:
    """The text as pdftotext gives it in each of its modes (words can run together in any of them)."""
    modes = [[], ["-raw"], ["-layout"]]
    return "\n".join(
        subprocess.run(
            ["pdftotext", *mode, str(path), "-"], check=True, capture_output=True, text=True
        ).stdout
        for mode in modes
    )


# A4 less the report's right margin (17 mm), in PDF points: no word may end beyond it.
RIGHT_EDGE = 595.28 - 17 * 72 / 25.4


def word_boxes(path) -> list[tuple[int, float, float, float, str]]:
    """Every word pdftotext finds, as (page, left, right, bottom, text), in points from the top left."""
    out = subprocess.run(["pdftotext", "-bbox", str(path), "-"], check=True, capture_output=True, text=True)
    boxes = []
    for number, page in enumerate(re.finditer(r"<page [^>]*>(.*?)</page>", out.stdout, re.S), start=1):
        for word in re.finditer(
            r'<word xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</word>', page.group(1)
        ):
            left, right, bottom = (float(value) for value in word.groups()[:3])
            boxes.append((number, left, right, bottom, html.unescape(word.group(4))))
    return boxes


def words_out_of_place(path) -> list[tuple]:
    """Words that run past the right margin or over the next word on their line (text cut or overflowing
    into the next column): the layout defects a reader sees as "geen gegevensnee"."""
    found, lines = [], {}
    for page, left, right, bottom, text in word_boxes(path):
        if right > RIGHT_EDGE + 1:
            found.append((page, "past the margin", text))
        lines.setdefault((page, round(bottom)), []).append((left, right, text))
    for (page, _bottom), words in lines.items():
        words.sort()
        found += [
            (page, "over the next word", first, second)
            for (_l, end, first), (start, _r, second) in zip(words, words[1:], strict=False)
            if start < end - 0.5
        ]
    return found


def chart_alternatives(path) -> list[str]:
    """The alternative texts of the report's figures (its charts), from the structure tree."""
    alternatives = []
    with pikepdf.open(path) as pdf:
        stack = [pdf.Root.StructTreeRoot]
        while stack:
            element = stack.pop()
            if element.get("/S") == pikepdf.Name.Figure:
                alternatives.append(str(element.get("/Alt", "")))
            kids = element.get("/K")
            kids = list(kids) if isinstance(kids, pikepdf.Array) else [kids]
            stack += [kid for kid in kids if isinstance(kid, pikepdf.Dictionary)]
    return alternatives


def coloured_texts(path) -> list[tuple[str, str]]:
    """Every piece of text the report draws, with the fill colour it is drawn in ("#rrggbb"), read from
    the pages' content streams (the colour set last before the text, within its saved graphics state)."""
    found = []
    for page in pypdf.PdfReader(path).pages:
        state, saved = {"fill": "#000000"}, []

        def before(operator, operands, cm, tm, state=state, saved=saved):
            if operator == b"q":
                saved.append(state["fill"])
            elif operator == b"Q":
                state["fill"] = saved.pop() if saved else "#000000"
            elif operator in (b"rg", b"sc", b"scn") and len(operands) == 3:
                state["fill"] = "#" + "".join(f"{round(float(part) * 255):02x}" for part in operands)

        def text(content, cm, tm, font, size, state=state):
            if content.strip():
                found.append((content.strip(), state["fill"]))

        page.extract_text(visitor_operand_before=before, visitor_text=text)
    return found


@pytest.fixture
def dutch_data(nl, reviewer, baseline_period, progress_period):
    """The Netherlands with Dutch text of its own (what people type is printed as typed)."""
    for code, base, latest in [("VI-2", 568, 612), ("VI-6", 2, 3), ("RA-2", 4, 3), ("VS-5", 30, 25)]:
        give(nl, code, baseline_period, base)
        give(nl, code, progress_period, latest)
    give(nl, "VI-1", baseline_period, True)
    give(nl, "VI-3", progress_period, "25")  # contradicts 568 -> 612 (+7.7%): flagged, in Dutch
    commitment = Commitment.objects.create(
        country=nl,
        goal=Goal.objects.get(code="PREVENTION"),
        title="Landelijke campagne",
        description="Een campagne voor ouders.",
        baseline="Geen campagne.",
        lead_organisation="Ministerie van Justitie en Veiligheid",
        committed_on=dt.date(2013, 4, 15),
        target_date=dt.date(2014, 1, 31),
        status="approved",  # its words are reviewed (issue 10): reports print approved texts only
        approved_at=timezone.now(),
    )
    approved(
        CommitmentProgress(
            commitment=commitment, period=baseline_period, completion="limited", narrative="Voorbereid."
        ),
        reviewer,
    )
    approved(Finding(period=progress_period, country=nl, goal=None, text="Gestage vooruitgang."), reviewer)
    return nl


def test_the_dutch_report_has_no_english_left(reviewer, evaluation_round, report_media, dutch_data):
    report, _text = build(
        reviewer=reviewer, evaluation_round=evaluation_round, country=dutch_data, language="nl"
    )
    text = all_texts(report.file.path)
    # The consistency rules' codes are English identifiers: Annex C names the rules in words.
    english = ENGLISH + list(ConsistencyRule.objects.values_list("code", flat=True))
    leaks = [word for word in english if re.search(rf"(?<![\w/-]){re.escape(word)}(?![\w/-])", text)]
    assert leaks == []
    assert "gegevensgeen" not in text and "vergelijkinggeen" not in text  # no words run together
    # What replaced them: Dutch definitions, units and period labels from the data.
    flat = re.sub(r"\s+", " ", text)
    assert "slachtoffers/jaar" in flat and "dagen" in flat
    assert "nulmeting 2013" in flat and "voortgang 2014" in flat
    assert Indicator.objects.get(code="VI-2").definition_nl[:60] in flat
    assert "Laatste goedgekeurde rapportage (nulmeting 2013): Voorbereid." in flat
    assert "streefdatum verstreken" in flat and "Tegenstrijdig: VI-3 meldt +25%" in flat
    # Annex B of one country's report is headed as its contents entry says (no "per land" for one land).
    assert "Bijlage B Volledigheid van de gegevens" in flat and "gegevens per land" not in flat
    # The charts' alternative texts are Dutch too, and judge only what has a direction: the maturity
    # levels (higher is better), never a count of commitments by status.
    alternatives = chart_alternatives(report.file.path)
    assert any(alt.startswith("Nederland, Doel 1") and "hoger is beter" in alt for alt in alternatives)
    counts = [alt for alt in alternatives if alt.startswith("Toezeggingen naar voortgang")]
    assert counts and not any("beter" in alt or "better" in alt for alt in counts), alternatives


@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # the parts are built after commit
def test_the_dutch_alliance_report_keeps_every_figure_in_its_column(
    reviewer, evaluation_round, report_media, dutch_data, baseline_period, progress_period
):
    """The Dutch "geen gegevens" is twice as long as "no data": in the goal chapters' tables (six
    indicators a row) a cell with it, a flag or a wide figure wraps inside its column instead of running
    into the next one or off the page."""
    sweden = Country.objects.get(code="SE")
    baseline_only = [("SU-1", True), ("SU-2", 342), ("SU-3", False), ("SU-4", 5), ("SU-5", 55), ("SU-6", 349)]
    for code, base in baseline_only:  # nothing approved for the evaluation: "342 → geen gegevens"
        give(sweden, code, baseline_period, base)
    for code, latest in [("VI-1", False), ("VI-2", 174), ("VI-4", True), ("VI-5", 393)]:
        give(sweden, code, progress_period, latest)  # no baseline: "geen gegevens → 174"
    with dispatch.inline_jobs():
        report = services.report_request(
            user=reviewer, kind=Report.Kind.ALLIANCE, evaluation_round=evaluation_round, language="nl"
        )
    report.refresh_from_db()
    assert report.status == Report.Status.READY, report.error
    text = all_texts(report.file.path)
    assert "342 → geen gegevens" in re.sub(r"\s+", " ", text)  # the table was printed
    assert words_out_of_place(report.file.path) == []
    assert not re.search(r"gegevens(?:ja|nee|geen|\d)|⚠\w", text)  # nothing runs together


def test_every_indicator_and_period_has_its_dutch_text(db):
    for indicator in Indicator.objects.all():
        assert indicator.definition_nl and indicator.source_nl, indicator.code
        assert bool(indicator.unit) == bool(indicator.unit_nl), indicator.code
    assert all(period.label_nl for period in ReportingPeriod.objects.all())
    with translation.override("nl"):
        assert str(ReportingPeriod.objects.get(label="2014 progress")) == "voortgang 2014"
        assert Indicator.objects.get(code="VS-5").unit_text == "dagen"


def test_countries_sort_by_the_readers_language_in_reports(evaluation_round):
    def names(language: str) -> list[str]:
        with translation.override(language):
            return [c.name for c in Book(selectors.report_data(evaluation_round=evaluation_round)).countries]

    english, dutch = names("en"), names("nl")
    assert english.index("Croatia") < english.index("Cyprus")
    assert dutch.index("Cyprus") < dutch.index("Kroatië")  # K in Dutch
    assert dutch.index("België") < dutch.index("Bulgarije")
    assert dutch == sorted(dutch, key=lambda name: name.casefold().replace("ë", "e").replace("ï", "i"))


def test_countries_sort_by_the_readers_language_on_pages(reviewer):
    client = Client()
    client.force_login(reviewer)
    client.post(reverse("set_language"), {"language": "nl", "next": "/countries/"})
    html = client.get("/countries/").content.decode()
    assert html.index("Cyprus") < html.index("Kroatië")
    form = client.get("/reports/").content.decode()
    assert form.index(">Cyprus (CY)<") < form.index(">Kroatië (HR)<")


def test_workspace_pages_name_periods_in_dutch(reviewer):
    client = Client()
    client.force_login(reviewer)
    client.post(reverse("set_language"), {"language": "nl", "next": "/countries/NL/"})
    html = client.get("/countries/NL/").content.decode()
    assert "voortgang 2014" in html and "nulmeting 2013" in html
    assert "2014 progress" not in html and "2013 baseline" not in html


# What the reviewer read awkwardly, and what a reader expects instead, in each language.
NATURAL = {
    "nl": {
        "country": "Nederland",
        "sentences": [
            "In de periode ‘voortgang 2014’ heeft Nederland goedgekeurde waarden",
            "twee rapportageperioden: de nulmeting 2013 en de periode ‘voortgang 2014’.",
            "De volledigheid wordt geteld voor de periode ‘voortgang 2014’, apart",
        ],
        "awkward": r"\bperiode (?:voortgang|nulmeting) \d{4}",  # the cover's "Evaluatieperiode" is a label
        "maturity": "volwassenheidsniveau 0–4 · hoger is beter",
        "chart": "Via ICSE geïdentificeerde slachtoffers (VI-2)",
    },
    "en": {
        "country": "Netherlands",
        "sentences": [
            "In the 2014 progress period Netherlands has approved values",
            "two reporting periods: the 2013 baseline and the 2014 progress period.",
            "Completeness is counted for the 2014 progress period, separately",
        ],
        "awkward": r"(?:in|for) 2014 progress(?! period)",
        "maturity": "maturity level 0–4 · higher is better",
        "chart": "Victims identified through ICSE (VI-2)",
    },
}


@pytest.mark.parametrize("language", ["nl", "en"])
def test_the_country_report_reads_as_a_reader_expects(
    reviewer, evaluation_round, report_media, dutch_data, language
):
    """The reviewer's smaller defects, in both languages: zeros that are no news printed neutral, period
    names that read as names, one form for ranges (and no type repeated by its unit), the consistency
    rules in the order of the indicators they check, the ICSE chart naming the country."""
    expected = NATURAL[language]
    report, _text = build(
        reviewer=reviewer, evaluation_round=evaluation_round, country=dutch_data, language=language
    )
    path = report.file.path
    flat = re.sub(r"\s+", " ", all_texts(path))
    reading = subprocess.run(["pdftotext", path, "-"], check=True, capture_output=True, text=True).stdout
    reading = re.sub(r"\s+", " ", reading)

    # 1. Nothing got worse (every goal's "worse" is 0): a zero is no news, so it is not in the colour of
    # worse (or better); the counts that are news still are.
    better, worse = ASSESSMENT_COLOURS["improved"], ASSESSMENT_COLOURS["worsened"]
    drawn = coloured_texts(path)
    assert [text for text, colour in drawn if text == "0" and colour in {better, worse}] == []
    assert any(text.isdigit() and text != "0" and colour == better for text, colour in drawn)

    # 2. Period names read as names wherever a sentence embeds one.
    for sentence in expected["sentences"]:
        assert sentence in flat
    assert not re.search(expected["awkward"], flat), re.search(expected["awkward"], flat)

    # 3. Ranges with an en dash, as the chart axes write them; Annex A says a maturity scale once.
    assert not re.search(r"\b0-[45]\b", flat)
    assert expected["maturity"] in flat
    assert not re.search(r"(?:niveau|level) 0–4 · (?:niveau|level) 0", flat)

    # 4. Annex C lists the rules by the indicator they check, in the report's goal and indicator order.
    annex = reading[reading.rindex("Annex C" if language == "en" else "Bijlage C") :]
    indicators = list(Indicator.objects.order_by("goal__order", "order").values_list("code", flat=True))
    rules = ConsistencyRule.objects.filter(is_active=True).select_related("indicator")
    column = "description_nl" if language == "nl" else "description_en"
    printed = sorted(rules, key=lambda rule: annex.index(re.sub(r"\s+", " ", getattr(rule, column))[:50]))
    order = [indicators.index(rule.indicator.code) for rule in printed]
    assert len(printed) >= 2 and order == sorted(order), [rule.indicator.code for rule in printed]

    # 5. The ICSE chart names the country in the reader's language, not by its code.
    chart = reading[reading.index(expected["chart"]) :][:160]  # title, axis, the bars' labels, legend
    assert f" {expected['country']} " in chart and " NL " not in chart, chart
