"""One visual language: one colour-blind-safe palette in charts, report tables and web pages, never colour
alone; chart axes that fit the indicator type; no single-series legends; labels wrapped, never cut."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation

from alliance_monitor.charts import ASSESSMENT_COLOURS, Series, axis_for, bar_chart, wrap_label
from reporting import selectors
from reporting.content import Book

from .conftest import give

CSS = Path(settings.BASE_DIR) / "static" / "css"


def test_report_and_web_pages_use_the_charts_palette():
    report_css = (CSS / "report.css").read_text()
    app_css = (CSS / "app.css").read_text()
    for key, variable in [("improved", "better"), ("unchanged", "unchanged"), ("worsened", "worse")]:
        assert f"--{variable}: {ASSESSMENT_COLOURS[key]};" in app_css
    assert f"--missing: {ASSESSMENT_COLOURS['missing']};" in app_css
    assert f"td.improved {{ color: {ASSESSMENT_COLOURS['improved']}" in report_css
    assert f"td.worsened {{ color: {ASSESSMENT_COLOURS['worsened']}" in report_css
    # The old contradicting colours are gone: green for better, red for worse.
    for old in ("#17703a", "#b3261e"):
        assert old not in report_css


def relative_luminance(colour: str) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def test_the_palette_is_readable_and_told_apart_without_red_green():
    white = 1.0
    for key in ("improved", "unchanged", "worsened"):
        contrast = (white + 0.05) / (relative_luminance(ASSESSMENT_COLOURS[key]) + 0.05)
        assert contrast >= 4.5, key  # readable as text on white (WCAG AA)
    # better is blue, worse is orange: the pair colour-blind readers tell apart (no green against red)
    better, worse = ASSESSMENT_COLOURS["improved"], ASSESSMENT_COLOURS["worsened"]
    assert int(better[5:7], 16) > int(better[1:3], 16) and int(worse[1:3], 16) > int(worse[5:7], 16)


def test_series_differ_by_pattern_as_well_as_colour():
    with translation.override("en"):
        chart = bar_chart(
            title="t",
            categories=["a"],
            series=[
                Series("better", [1], "improved"),
                Series("unchanged", [1], "unchanged"),
                Series("worse", [1], "worsened"),
                Series("no comparison", [1], "missing"),
            ],
        )
    fills = re.findall(
        r'<rect x="[\d.]+" y="[\d.]+" width="[\d.]+" height="[\d.]+" (fill="[^"]+")', chart.svg
    )
    assert len(set(fills[:4])) == 4 and sum("url(#" in fill for fill in fills[:4]) == 3


@pytest.mark.parametrize(
    ("kind", "numbers", "ticks"),
    [
        ("maturity", [2.0, 3.0], [0, 1, 2, 3, 4]),
        ("maturity", [], [0, 1, 2, 3, 4]),
        ("percentage", [12.5, 80.0], [0, 25, 50, 75, 100]),
        ("count", [3.0, 7.0], [0, 2, 4, 6, 8, 10]),
        ("count", [12.0], [0, 5, 10, 15, 20]),
        ("count", [1.0], [0, 1]),
    ],
)
def test_axes_fit_the_indicator_type(kind, numbers, ticks):
    bottom, top, found = axis_for(kind, numbers)
    assert found == ticks and (bottom, top) == (ticks[0], ticks[-1])
    assert all(tick == int(tick) for tick in found)  # whole ticks


def test_a_single_series_has_no_legend_and_two_have_one():
    with translation.override("en"):
        one = bar_chart(title="t", categories=["a", "b"], series=[Series("Netherlands", [1, 2])])
        two = bar_chart(title="t", categories=["a"], series=[Series("2013", [1]), Series("2014", [2])])
    assert ">Netherlands</text>" not in one.svg
    assert ">2013</text>" in two.svg and ">2014</text>" in two.svg


def test_labels_wrap_and_are_never_cut():
    label = "Goal 6: Reducing material availability"
    lines = wrap_label(label, 12)
    assert " ".join(lines) == label and all(len(line) <= 12 for line in lines)
    assert (
        "".join(wrap_label("Kinderbeschermingsorganisatie", 10)).replace("-", "")
        == "Kinderbeschermingsorganisatie"
    )


def test_the_summary_chart_names_goals_by_their_own_number(
    evaluation_round, nl, baseline_period, progress_period
):
    give(nl, "VI-6", baseline_period, 2)
    give(nl, "VI-6", progress_period, 3)
    with translation.override("en"):
        book = Book(selectors.report_data(evaluation_round=evaluation_round, country=nl))
        chart = book.goal_tally_chart(countries=book.countries)
        maturity = book.maturity_chart(book.countries[0], book.goals[0])
    assert [row[0] for row in chart.rows][0] == "Goal 1: Victim identification"
    assert "Goal 6: Reducing material availability" in [row[0] for row in chart.rows]
    assert "…" not in chart.svg
    assert re.findall(r'text-anchor="end" font-size="11" fill="#475467">(\d)</text>', maturity.svg) == list(
        "01234"
    )
    assert maturity.rows[0][1:] == ["2", "3"] and Decimal(maturity.rows[0][2]) == 3
