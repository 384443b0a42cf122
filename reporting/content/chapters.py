"""Charts, country profiles and goal chapters: a report's content put together for its pages."""

from __future__ import annotations

from collections import Counter
from typing import Any

from django.utils.translation import gettext as _

from alliance_monitor.charts import Chart, Series, bar_chart

from .facts import (
    ICSE_VICTIMS,
    IMPROVED,
    MISSING,
    UNCHANGED,
    WORSENED,
    CountryInfo,
    CountryProfile,
    GoalInfo,
)


class ChaptersMixin:
    """Part of ``Book`` (book.py)."""

    # -- charts ---

    def _assessment_series(self, tallies: list[Any], get) -> list[Series]:
        return [
            Series(_("better"), [get(t, IMPROVED) for t in tallies], IMPROVED),
            Series(_("unchanged"), [get(t, UNCHANGED) for t in tallies], UNCHANGED),
            Series(_("worse"), [get(t, WORSENED) for t in tallies], WORSENED),
            Series(_("no comparison"), [get(t, MISSING) for t in tallies], MISSING),
        ]

    def goal_tally_chart(self, *, countries: list[CountryInfo] | None = None) -> Chart:
        tallies = [self.tally(goal=goal, countries=countries) for goal in self.goals]
        return bar_chart(
            title=_("Indicators compared with the baseline, per goal"),
            categories=[goal.numbered_title for goal in self.goals],
            series=self._assessment_series(tallies, lambda tally, key: tally.count(key)),
            unit=_("country-indicator pairs"),
            axis="count",
        )

    def indicator_tally_chart(self, goal: GoalInfo) -> Chart:
        indicators = [i for i in self.indicators_by_goal[goal.id] if i.is_ranked]
        tallies = [
            Counter(self._comparisons[(c.id, i.id)].assessment for c in self.countries) for i in indicators
        ]
        return bar_chart(
            title=_("%(goal)s: countries better, unchanged or worse than at the baseline")
            % {"goal": goal.numbered_title},
            categories=[i.code for i in indicators],
            series=self._assessment_series(tallies, lambda tally, key: tally[key]),
            unit=_("countries"),
            axis="count",
        )

    def maturity_chart(self, country: CountryInfo, goal: GoalInfo) -> Chart | None:
        indicators = [i for i in self.indicators_by_goal[goal.id] if i.value_type == "maturity"]
        if not indicators:
            return None
        directions = {indicator.direction for indicator in indicators}
        return bar_chart(
            title=_("%(country)s, %(goal)s: maturity levels")
            % {"country": country.name, "goal": goal.numbered_title},
            categories=[i.code for i in indicators],
            series=[
                Series(
                    self.baseline.label,
                    [self.value(country, i, self.baseline) for i in indicators],
                    "baseline",
                ),
                Series(
                    self.evaluation.label,
                    [self.value(country, i, self.evaluation) for i in indicators],
                    "evaluation",
                ),
            ],
            unit=_("level 0–4"),
            direction=directions.pop() if len(directions) == 1 else "",  # said when they share one
            axis="maturity",
        )

    def icse_chart(self, countries: list[CountryInfo]) -> Chart:
        rows = [self.icse(country) for country in countries]
        return bar_chart(
            title=_("Victims identified through ICSE (%(code)s)") % {"code": ICSE_VICTIMS},
            categories=[row.country.name for row in rows],  # in the reader's language
            series=[
                Series(self.baseline.label, [row.victims_baseline.raw for row in rows], "baseline"),
                Series(self.evaluation.label, [row.victims_evaluation.raw for row in rows], "evaluation"),
            ],
            unit=_("victims"),
            direction=getattr(self.indicator_by_code.get(ICSE_VICTIMS), "direction", ""),
            axis="count",
        )

    # -- the country profile ---

    def profile(self, country: CountryInfo) -> CountryProfile:
        return CountryProfile(
            country=country,
            tallies=[self.tally(goal=goal, countries=[country]) for goal in self.goals],
            comparisons={goal.id: self.comparisons_for(country=country, goal=goal) for goal in self.goals},
            commitments=self.commitments_for(country),
            recommendations=self.recommendations_for(country),
            completeness=self.completeness(country),
            icse=self.icse(country),
            maturity_charts={
                goal.id: chart
                for goal in self.goals
                if (chart := self.maturity_chart(country, goal)) is not None
            },
            findings={
                None: self.finding(country, None),
                **{goal.id: self.finding(country, goal) for goal in self.goals},
            },
            approvals=self.approvals([country]),
            sources=self.sources_for([country]),
            violations=self.violations(country),
        )

    # -- the alliance-wide goal chapter ---

    def goal_chapter(self, goal: GoalInfo) -> dict[str, Any]:
        """A goal across the alliance: one row per country, one column per (non-text) indicator.

        Countries without any value for the goal's indicators are listed by name instead of as a row of
        "no data" cells.
        """
        indicators = [i for i in self.indicators_by_goal[goal.id] if not i.is_text]
        rows, not_reported = [], []
        for country in self.countries:
            cells = [self._comparisons[(country.id, indicator.id)] for indicator in indicators]
            if any(cell.has_any for cell in cells):
                rows.append({"country": country, "cells": cells})
            else:
                not_reported.append(country)
        return {
            "goal": goal,
            "finding": self.finding(None, goal),
            "tally": self.tally(goal=goal),
            "indicators": indicators,
            "rows": rows,
            "not_reported": not_reported,
            "chart": self.indicator_tally_chart(goal),
            "completion": self.completion_table(goal=goal),
            "completion_chart": self.completion_chart(
                title=_("%(goal)s: commitments by completion status") % {"goal": goal.title}, goal=goal
            ),
            "text_indicators": [i for i in self.indicators_by_goal[goal.id] if i.is_text],
        }
