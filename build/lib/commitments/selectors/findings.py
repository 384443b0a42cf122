"""The rapporteur's findings per period, country and goal."""

from __future__ import annotations

from dataclasses import dataclass

from ..models import Country, Finding, Goal, ReportingPeriod


@dataclass
class FindingRow:
    """One place findings are written: a goal (or all goals) of a country (or the alliance)."""

    goal: Goal | None
    finding: Finding | None


def findings_for(*, period: ReportingPeriod, country: Country | None) -> list[FindingRow]:
    """The findings of a period for a country (None: the alliance), all goals first, then goal by goal.

    Two queries: goals, findings.
    """
    goals = list(Goal.objects.order_by("order"))
    found = {
        finding.goal_id: finding
        for finding in Finding.objects.filter(period=period, country=country).select_related("goal")
    }
    return [FindingRow(goal, found.get(goal.pk if goal else None)) for goal in [None, *goals]]
