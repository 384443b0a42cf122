"""Commitments, their progress and completion, and recommendations with their follow-up."""

from __future__ import annotations

from collections import Counter, defaultdict
from functools import cached_property
from typing import Any

from django.utils.translation import gettext as _

from alliance_monitor.charts import Chart, Series, bar_chart
from commitments.models import (
    CommitmentProgress,
    GovernmentResponse,
    RecommendationFollowUp,
)

from .facts import (
    CommitmentRow,
    CountryInfo,
    GoalInfo,
    RecommendationRow,
    _date,
)


class CommitmentsMixin:
    """Part of ``Book`` (book.py)."""

    @cached_property
    def _progress(self) -> dict[tuple[int, int], tuple[str, str]]:
        return {(row[0], row[1]): (row[2], row[3]) for row in self.data["progress"]}

    def commitments_for(self, country: CountryInfo) -> dict[int, list[CommitmentRow]]:
        labels = dict(CommitmentProgress.Completion.choices)
        rows: dict[int, list[CommitmentRow]] = defaultdict(list)
        for item in self.data["commitments"]:
            if item["country_id"] != country.id:
                continue
            base = self._progress.get((item["id"], self.baseline.id))
            latest = self._progress.get((item["id"], self.evaluation.id))
            # Without an approved report for the evaluation, the older narrative is printed with its
            # period, so that nobody reads the baseline's words as the current state.
            if latest and latest[1]:
                narrative, narrative_period = latest[1], ""
            elif base and base[1]:
                narrative, narrative_period = base[1], self.baseline.label
            else:
                narrative, narrative_period = "", ""
            target = _date(item["target_date"])
            done = latest and latest[0] in {"complete", "withdrawn"}
            rows[item["goal_id"]].append(
                CommitmentRow(
                    item["title"],
                    item["goal_id"],
                    item["lead_organisation"],
                    target,
                    str(labels[base[0]]) if base else None,
                    str(labels[latest[0]]) if latest else None,
                    narrative,
                    narrative_period,
                    item.get("description", ""),
                    item.get("baseline", ""),
                    bool(target and target <= self.evaluation.ends_on and not done),
                    tuple(self.source_numbers(("progress", item["id"]))),
                )
            )
        return rows

    def completion_counts(self, *, goal: GoalInfo | None = None, countries: list[CountryInfo] | None = None):
        """Commitments by completion status, per period: {period id: Counter(status or None)}."""
        country_ids = {c.id for c in (countries if countries is not None else self.countries)}
        counts = {self.baseline.id: Counter(), self.evaluation.id: Counter()}
        for item in self.data["commitments"]:
            if item["country_id"] not in country_ids or (goal and item["goal_id"] != goal.id):
                continue
            for period_id, counter in counts.items():
                progress = self._progress.get((item["id"], period_id))
                counter[progress[0] if progress else None] += 1
        return counts

    def commitment_summary(self, *, countries: list[CountryInfo] | None = None) -> dict[str, int]:
        """Commitments in the evaluation period: how many there are, reported on, complete."""
        counts = self.completion_counts(countries=countries)[self.evaluation.id]
        total = sum(counts.values())
        return {
            "total": total,
            "reported": total - counts[None],
            "missing": counts[None],
            "complete": counts["complete"],
        }

    def completion_table(self, **kwargs) -> list[dict[str, Any]]:
        counts = self.completion_counts(**kwargs)
        rows = [
            {
                "label": str(label),
                "baseline": counts[self.baseline.id][key],
                "evaluation": counts[self.evaluation.id][key],
            }
            for key, label in CommitmentProgress.Completion.choices
        ]
        rows.append(
            {
                "label": _("no approved report"),
                "missing": True,
                "baseline": counts[self.baseline.id][None],
                "evaluation": counts[self.evaluation.id][None],
            }
        )
        return rows

    def completion_chart(self, *, title: str, **kwargs) -> Chart:
        """Commitments per completion status and period; "no approved report" is a category of its own,
        so that unreported commitments are seen as unreported, never as zero at every status."""
        counts = self.completion_counts(**kwargs)
        keys = [key for key, _label in CommitmentProgress.Completion.choices[:4]] + [None]
        labels = [str(label) for _key, label in CommitmentProgress.Completion.choices[:4]]
        return bar_chart(
            title=title,
            categories=[*labels, _("no approved report")],
            series=[
                Series(self.baseline.label, [counts[self.baseline.id][k] for k in keys], "baseline"),
                Series(self.evaluation.label, [counts[self.evaluation.id][k] for k in keys], "evaluation"),
            ],
            unit=_("commitments"),
            axis="count",
            missing_categories=[len(keys) - 1],
        )

    def recommendations_for(self, country: CountryInfo | None) -> dict[int, list[RecommendationRow]]:
        responses = dict(GovernmentResponse.Response.choices)
        follow_up_labels = dict(RecommendationFollowUp.FollowUpStatus.choices)
        latest: dict[int, tuple[str, str]] = {}
        for recommendation_id, _period_id, status, narrative, *_rest in self.data["follow_ups"]:
            latest[recommendation_id] = (status, narrative)  # ordered by period: the last one wins
        rows: dict[int, list[RecommendationRow]] = defaultdict(list)
        for item in self.data["recommendations"]:
            if item["country_id"] != (country.id if country else None):
                continue
            response = item["response"]
            follow_up = latest.get(item["id"])
            rows[item["goal_id"]].append(
                RecommendationRow(
                    item["number"],
                    item["source_document"],
                    item["goal_id"],
                    item["text"],
                    item["addressees"],
                    str(responses[response["response"]]) if response else None,
                    response["reference"] if response else "",
                    _date(response["responded_on"]) if response else None,
                    str(follow_up_labels[follow_up[0]]) if follow_up else None,
                    follow_up[0] if follow_up else None,
                    follow_up[1] if follow_up else "",
                    tuple(self.source_numbers(("follow_up", item["id"]))),
                )
            )
        return rows
