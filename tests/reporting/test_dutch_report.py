"""All Dutch in Dutch: the Dutch report has no English left (definitions, units, period labels, the
report's own words), no words run together, and countries sort by the reader's language everywhere."""

from __future__ import annotations

import datetime as dt
import re
import subprocess

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from commitments.models import Commitment, CommitmentProgress, Finding, Goal, Indicator, ReportingPeriod
from reporting import selectors
from reporting.content import Book

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
    leaks = [word for word in ENGLISH if re.search(rf"(?<![\w/-]){re.escape(word)}(?![\w/-])", text)]
    assert leaks == []
    assert "gegevensgeen" not in text and "vergelijkinggeen" not in text  # no words run together
    # What replaced them: Dutch definitions, units and period labels from the data.
    flat = re.sub(r"\s+", " ", text)
    assert "slachtoffers/jaar" in flat and "dagen" in flat
    assert "nulmeting 2013" in flat and "voortgang 2014" in flat
    assert Indicator.objects.get(code="VI-2").definition_nl[:60] in flat
    assert "Laatste goedgekeurde rapportage (nulmeting 2013): Voorbereid." in flat
    assert "streefdatum verstreken" in flat and "Tegenstrijdig: VI-3 meldt +25%" in flat


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
