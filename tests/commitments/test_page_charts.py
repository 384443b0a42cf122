"""Charts on pages: readable text, axes fitting the indicator type, drafts marked, no single-series legend."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from alliance_monitor.charts import Series, bar_chart
from commitments.services import reviewable_transition
from tests.commitments.views_support import give_value, signed_in

pytestmark = pytest.mark.django_db


def font_sizes(svg: str) -> list[float]:
    return [float(size) for size in re.findall(r'font-size="([\d.]+)"', svg)]


def tick_labels(svg: str) -> list[str]:
    return re.findall(r'text-anchor="end"[^>]*>([^<]+)</text>', svg)


@pytest.fixture
def maturity_chart(nl, staff_nl, reviewer, indicator, baseline_period, progress_period):
    """PR-1 (a maturity level): approved 2 in 2013, a draft 3 in 2014."""
    value = give_value(
        country=nl, indicator=indicator("PR-1"), period=baseline_period, user=staff_nl, number="2"
    )
    value = reviewable_transition(item=value, expected_version=value.version, action="submit", user=staff_nl)
    reviewable_transition(item=value, expected_version=value.version, action="approve", user=reviewer)
    give_value(country=nl, indicator=indicator("PR-1"), period=progress_period, user=staff_nl, number="3")


def goal_chart(response, code: str):
    goal = next(section.goal for section in response.context["overview"].goals if section.goal.code == code)
    return response.context["charts"][goal.pk]


def test_a_maturity_chart_runs_0_to_4_in_whole_steps_with_readable_text(maturity_chart, staff_nl):
    chart = goal_chart(signed_in(staff_nl).get(reverse("country_detail", args=["NL"])), "PREVENTION")
    svg = str(chart.svg)
    assert tick_labels(svg) == ["0", "1", "2", "3", "4"]
    assert min(font_sizes(svg)) >= 12
    assert 'width="320"' in svg  # drawn at the size it is shown: 12 px text stays 12 px on screen


def test_drafts_are_marked_as_drafts_for_their_editors(maturity_chart, staff_nl, minister):
    chart = goal_chart(signed_in(staff_nl).get(reverse("country_detail", args=["NL"])), "PREVENTION")
    svg = str(chart.svg)
    assert svg.count(">draft</text>") == 1 and "-draft)" in svg
    assert chart.rows[-1][-1] == "3 (draft)" and chart.rows[0][-1] == "2"
    # Ministers see approved figures only: no drafts, nothing marked.
    chart = goal_chart(signed_in(minister).get(reverse("country_detail", args=["NL"])), "PREVENTION")
    assert ">draft</text>" not in str(chart.svg) and chart.rows[-1][-1] == "—"


def test_a_single_series_has_no_legend_and_percentages_run_0_to_100():
    chart = bar_chart(
        title="VS-2",
        categories=["2013", "2014"],
        series=[Series("NL", [40, 55])],
        axis="percentage",
        min_text=12,
    )
    svg = str(chart.svg)
    assert tick_labels(svg) == ["0", "25", "50", "75", "100"]
    assert "NL</text>" not in svg  # no legend: the title names the one series
    assert min(font_sizes(svg)) >= 12


def test_the_reports_keep_their_print_sizes_by_default():
    svg = str(bar_chart(title="t", categories=["a"], series=[Series("NL", [1])]).svg)
    assert 'width="560"' in svg and min(font_sizes(svg)) == 9
