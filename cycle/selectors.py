"""Reads of the evaluation cycle: a round's life, its meeting's record, and what became of decisions."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, QuerySet

from commitments.models import (
    Commitment,
    CommitmentProgress,
    Country,
    EvaluationRound,
    Finding,
    Goal,
    IndicatorValue,
    RecommendationFollowUp,
    Status,
)

from .models import FROZEN_STAGES, STAGE_ORDER, Decision, Meeting, MeetingEvaluation, RoundTransition

# What a country reports per period, each through the review workflow (draft -> submitted -> approved).
PERIOD_ITEMS = (IndicatorValue, CommitmentProgress, RecommendationFollowUp, Finding)


@dataclass(frozen=True)
class StageStep:
    value: str
    label: str
    state: str  # "done", "current" or "todo"


def stage_steps(evaluation_round: EvaluationRound) -> list[StageStep]:
    """The round's life as a row of steps, each done, current or still to come (for the stage partial)."""
    current = STAGE_ORDER.index(evaluation_round.stage)
    labels = dict(EvaluationRound.Stage.choices)
    return [
        StageStep(
            value=value,
            label=str(labels[value]),
            state="done" if index < current else "current" if index == current else "todo",
        )
        for index, value in enumerate(STAGE_ORDER)
    ]


def round_list() -> QuerySet[EvaluationRound]:
    """Every round, newest evaluation first, with its periods and its meeting (one query)."""
    return EvaluationRound.objects.select_related("baseline_period", "evaluation_period", "meeting").order_by(
        "-ministerial_date"
    )


def round_transitions(evaluation_round: EvaluationRound) -> QuerySet[RoundTransition]:
    return evaluation_round.transitions.select_related("user").order_by("-at", "-id")


def meeting_of(evaluation_round: EvaluationRound) -> Meeting | None:
    return (
        Meeting.objects.select_related("evaluation_round", "next_round")
        .filter(evaluation_round=evaluation_round)
        .first()
    )


def meeting_evaluations(meeting: Meeting, *, published_only: bool) -> list[MeetingEvaluation]:
    items = MeetingEvaluation.objects.filter(meeting=meeting).select_related("goal").order_by("goal__order")
    if published_only:
        items = items.published()
    return list(items)


def meeting_decisions(meeting: Meeting, *, published_only: bool) -> list[Decision]:
    """The meeting's decisions with the number of commitments each became."""
    items = (
        Decision.objects.filter(meeting=meeting)
        .annotate(commitment_count=Count("commitments"))
        .order_by("number")
    )
    if published_only:
        items = items.published()
    return list(items)


def open_items_in_frozen_rounds() -> dict[tuple[str, str, str], int]:
    """What is still waiting for a workflow step in the periods of a round whose data is frozen: drafts,
    submissions and returned items that nobody may move on (the freeze refuses every change), counted per
    (round, period, kind of item). Empty when every item there is approved or was never reported.

    One query per kind of item, whatever the number of rounds.
    """
    rounds = list(
        EvaluationRound.objects.filter(stage__in=FROZEN_STAGES).select_related(
            "baseline_period", "evaluation_period"
        )
    )
    periods = {}
    for evaluation_round in rounds:
        for period in (evaluation_round.baseline_period, evaluation_round.evaluation_period):
            periods[period.pk] = (evaluation_round.label, period.label)
    found: dict[tuple[str, str, str], int] = {}
    if not periods:
        return found
    for model in PERIOD_ITEMS:
        counts = (
            model.objects.filter(period_id__in=periods)
            .exclude(status=Status.APPROVED)
            .values_list("period_id")
            .annotate(count=Count("pk"))
            .order_by("period_id")
        )
        for period_id, count in counts:
            found[(*periods[period_id], model._meta.model_name)] = count
    return found


def readers_see_cycle(evaluation_round: EvaluationRound, *, user=None) -> bool:
    """Whether the meeting's record is visible beyond the workspace: the round's release moment has come."""
    return EvaluationRound.objects.released().filter(pk=evaluation_round.pk).exists()


# --- what became of the decisions ---------------------------------------------------------------------


@dataclass
class CountryFollowUp:
    """One country's commitments under a decision and how far each got (None: nothing approved yet)."""

    country: Country
    completions: list[tuple[Commitment, str | None, str]] = field(default_factory=list)

    @property
    def is_missing(self) -> bool:
        return any(completion is None for _commitment, completion, _label in self.completions)


@dataclass
class DecisionFollowUp:
    decision: Decision
    goals: list[Goal]
    countries: list[CountryFollowUp]
    tally: dict[str, int]  # completion value (or "missing") -> number of commitments

    @property
    def missing(self) -> int:
        return self.tally.get("missing", 0)


@dataclass
class FollowUpChapter:
    """The report chapter "What became of the decisions of <meeting>"."""

    meeting: Meeting
    evaluation_round: EvaluationRound
    decisions: list[DecisionFollowUp]


def previous_meeting(evaluation_round: EvaluationRound) -> Meeting | None:
    """The meeting whose decisions are followed up in ``evaluation_round``."""
    return Meeting.objects.select_related("evaluation_round").filter(next_round=evaluation_round).first()


def decision_follow_up(*, evaluation_round: EvaluationRound) -> FollowUpChapter | None:
    """Per approved decision of the meeting before this round: each country's commitments and their
    approved completion in the round's evaluation period, missing shown as missing (None).

    Reads approved words and approved progress only (what a report may print). Five queries, whatever
    the number of decisions and countries: the meeting, the decisions, the goals, the commitments, the
    progress.
    """
    meeting = previous_meeting(evaluation_round)
    if meeting is None:
        return None
    decisions = list(Decision.objects.filter(meeting=meeting).published().order_by("number"))
    goals = {goal.code: goal for goal in Goal.objects.order_by("order")}
    commitments = list(
        Commitment.objects.filter(decision__in=decisions)
        .published()
        .select_related("country", "goal")
        .order_by("country__code", "goal__order", "id")
    )
    progress = dict(
        CommitmentProgress.objects.filter(
            commitment__in=commitments,
            period_id=evaluation_round.evaluation_period_id,
            status=Status.APPROVED,
        ).values_list("commitment_id", "completion")
    )
    labels = dict(CommitmentProgress.Completion.choices)
    by_decision: dict[int, dict[int, CountryFollowUp]] = defaultdict(dict)
    for commitment in commitments:
        rows = by_decision[commitment.decision_id]
        row = rows.setdefault(commitment.country_id, CountryFollowUp(country=commitment.country))
        completion = progress.get(commitment.pk)
        row.completions.append((commitment, completion, str(labels.get(completion, ""))))
    chapter = []
    for decision in decisions:
        rows = sorted(by_decision[decision.pk].values(), key=lambda row: row.country.sort_key)
        tally = Counter(
            completion or "missing" for row in rows for _commitment, completion, _label in row.completions
        )
        chapter.append(
            DecisionFollowUp(
                decision=decision,
                goals=[goals[code] for code in decision.goals if code in goals],
                countries=rows,
                tally=dict(tally),
            )
        )
    return FollowUpChapter(meeting=meeting, evaluation_round=evaluation_round, decisions=chapter)
