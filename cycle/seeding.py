"""The demo's evaluation cycle: the 2012–2014 round evaluated, the ministers' meeting and decisions, and
the next round in progress with those decisions as commitments. Plainly synthetic, and labelled so.

The demo keeps its own timeline: the 2013 baseline and 2014 progress are history (closed, frozen and
published, released in September 2014); the next round's periods are synthetic, the first collected, the
second due a month from the day the demo is seeded, so that its deadline and "overdue" make sense.
Called from ``commitments.seeding.seed_demo`` (which has already replaced the demo's commitments and
progress); replaces what an earlier run made.
"""

from __future__ import annotations

import datetime as dt
import random

from django.contrib.auth import get_user_model
from django.db.models import ProtectedError
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from commitments import services as commitment_services
from commitments.models import (
    Commitment,
    CommitmentProgress,
    Country,
    EvaluationRound,
    Goal,
    ReportingPeriod,
    Status,
)
from sync import changes

from . import services
from .models import Decision, Meeting, MeetingEvaluation, RoundTransition, Stage

SUFFIX = " (synthetic)"
SUFFIX_NL = " (synthetisch)"
RELEASED_AT = dt.datetime(2014, 9, 16, 10, 0, tzinfo=dt.UTC)
MEETING_DAY = dt.date(2014, 9, 30)
# Countries that sent no minister to the demo meeting (still bound by decisions for all countries).
ABSENT = {"AL", "ME", "TO", "VU", "GH"}

DECISIONS = [
    {
        "number": "1",
        "title": "[Demo] Connect every national victim-identification unit to the ICSE database",
        "goals": ["VICTIM_ID", "INFO_EXCHANGE"],
        "countries": [],
        "lead": "Interpol liaison officers (synthetic)",
        "due_on": dt.date(2016, 6, 30),
        "status": Status.APPROVED,
    },
    {
        "number": "2",
        "title": "[Demo] Run a national awareness campaign for parents and schools",
        "goals": ["PREVENTION"],
        "countries": ["BE", "DE", "FR", "NL", "PH", "US"],
        "lead": "Ministries of Education (synthetic)",
        "due_on": dt.date(2015, 12, 31),
        "status": Status.APPROVED,
    },
    {
        "number": "3",
        "title": "[Demo] Halve notice-and-takedown times together with the national hotlines",
        "goals": ["REDUCE_AVAILABILITY"],
        "countries": ["BE", "DE", "GB", "NL", "US"],
        "lead": "National hotlines (synthetic)",
        "due_on": dt.date(2016, 6, 30),
        "status": Status.APPROVED,
    },
    {
        "number": "4",
        "title": "[Demo] Fund specialised support for identified victims",
        "goals": ["VICTIM_SUPPORT"],
        "countries": ["NL", "BE", "LU"],
        "lead": "Victim support services (synthetic)",
        "due_on": dt.date(2016, 6, 30),
        "status": Status.SUBMITTED,  # waits for a second reviewer in the demo
    },
]


def _reset(evaluation_round: EvaluationRound) -> None:
    """Remove what an earlier run made (the demo's commitments and progress are gone already)."""
    for meeting in Meeting.objects.filter(is_demo=True).select_related("next_round"):
        next_round = meeting.next_round
        MeetingEvaluation.objects.filter(meeting=meeting).delete()
        Commitment.objects.filter(decision__meeting=meeting).delete()
        Decision.objects.filter(meeting=meeting).delete()
        meeting.delete()
        if next_round is not None:
            RoundTransition.objects.filter(evaluation_round=next_round).delete()
            periods = list(
                ReportingPeriod.objects.filter(
                    starts_on__gt=evaluation_round.evaluation_period.ends_on,
                    ends_on__lte=next_round.evaluation_period.ends_on,
                    label__endswith=SUFFIX,
                )
            )
            next_round.delete()
            for period in periods:
                try:
                    period.delete()
                except ProtectedError:
                    pass  # someone entered data in it: kept (planning then says the label is taken)
    RoundTransition.objects.filter(evaluation_round=evaluation_round).delete()
    EvaluationRound.objects.filter(pk=evaluation_round.pk).update(stage=Stage.COLLECTION, released_at=None)
    evaluation_round.refresh_from_db()


def seed_demo_cycle(*, reviewer, countries: list[Country]) -> dict[str, int]:
    """The demo's whole cycle (see the module's docstring). The demo administrator (also a reviewer)
    approves what ``reviewer`` entered (four eyes)."""
    second_reviewer = get_user_model().objects.get(username="admin")
    evaluation_round = EvaluationRound.objects.select_related("baseline_period", "evaluation_period").get(
        label="2012–2014"
    )
    _reset(evaluation_round)
    # The 2013 and 2014 data collection is over: its periods are closed, the round frozen and published.
    for period in (evaluation_round.baseline_period, evaluation_round.evaluation_period):
        if period.is_open:
            commitment_services.period_set_open(
                period=period, is_open=False, user=reviewer, reason="Synthetic demo: data collection over"
            )
    timeline = {
        # Frozen after the last approval of the period (approvals run to 20 days past its deadline).
        Stage.FROZEN: dt.datetime(2014, 8, 22, 9, 0, tzinfo=dt.UTC),
        Stage.DRAFTED: dt.datetime(2014, 9, 5, 9, 0, tzinfo=dt.UTC),
        Stage.PUBLISHED: RELEASED_AT,
        Stage.MEETING_HELD: dt.datetime(2014, 9, 30, 17, 0, tzinfo=dt.UTC),
        Stage.FOLLOW_UP: dt.datetime(2014, 10, 15, 9, 0, tzinfo=dt.UTC),
    }
    reasons = {
        Stage.FROZEN: "Synthetic demo: the deadline has passed",
        Stage.DRAFTED: "Synthetic demo: reports drafted",
        Stage.PUBLISHED: "Synthetic demo: reports approved for publication",
        Stage.MEETING_HELD: "Synthetic demo: the ministers met",
        Stage.FOLLOW_UP: "Synthetic demo: the decisions are followed up",
    }
    for stage in (Stage.FROZEN, Stage.DRAFTED):
        services.round_advance(
            evaluation_round=evaluation_round,
            from_stage=evaluation_round.stage,
            user=reviewer,
            reason=reasons[stage],
        )
    services.round_set_release(
        evaluation_round=evaluation_round, released_at=RELEASED_AT, user=reviewer, reason="Synthetic demo"
    )
    services.round_advance(
        evaluation_round=evaluation_round,
        from_stage=Stage.DRAFTED,
        user=reviewer,
        reason=reasons[Stage.PUBLISHED],
    )
    meeting = services.meeting_save(
        evaluation_round=evaluation_round,
        user=reviewer,
        held_on=MEETING_DAY,
        place="Brussels (synthetic demo)",
        countries=[country for country in countries if country.code not in ABSENT],
        is_demo=True,
    )
    for stage in (Stage.MEETING_HELD, Stage.FOLLOW_UP):
        services.round_advance(
            evaluation_round=evaluation_round,
            from_stage=evaluation_round.stage,
            user=reviewer,
            reason=reasons[stage],
        )
    # The log tells the demo's own timeline, not the day it was seeded.
    entries = RoundTransition.objects.filter(evaluation_round=evaluation_round)
    for entry in entries:
        moment = RELEASED_AT - dt.timedelta(days=1) if entry.kind == "release" else timeline[entry.to_stage]
        RoundTransition.objects.filter(pk=entry.pk).update(at=moment)

    evaluations = 0
    for goal in Goal.objects.order_by("order"):
        item = services.evaluation_save(
            meeting=meeting,
            goal=goal,
            user=reviewer,
            text=(
                f"Synthetic demo evaluation of {goal.title_en.lower()}: the ministers note progress in most "
                "countries and ask for more where data is missing. Invented for demonstration."
            ),
            is_demo=True,
        )
        _approve(item, reviewer, second_reviewer)
        evaluations += 1

    decisions = []
    for spec in DECISIONS:
        spec = dict(spec)
        status = spec.pop("status")
        decision = services.decision_save(
            user=reviewer,
            meeting=meeting,
            text="Synthetic demo decision on additional actions, invented for demonstration.",
            is_demo=True,
            **spec,
        )
        if status == Status.APPROVED:
            decision = _approve(decision, reviewer, second_reviewer)
        else:
            services.text_transition(
                item=decision, action="submit", user=reviewer, expected_version=decision.version
            )
        decisions.append(decision)

    next_round = services.next_round_create(
        meeting=meeting,
        user=reviewer,
        deadline=timezone.localdate() + dt.timedelta(days=30),
        label_suffix=SUFFIX,
    )
    periods = list(
        ReportingPeriod.objects.filter(
            starts_on__gt=evaluation_round.evaluation_period.ends_on,
            ends_on__lte=next_round.evaluation_period.ends_on,
        ).order_by("starts_on")
    )
    for period in periods:
        period.label_nl = period.label_nl.removesuffix(SUFFIX) + SUFFIX_NL
        period._history_user = reviewer
        period._change_reason = "seed_demo"
        period.save(update_fields=["label_nl"])
    progress = _demo_follow_up_progress(meeting, periods, reviewer)
    # The first follow-up year is collected: only the current one is open for data entry.
    commitment_services.period_set_open(
        period=periods[0], is_open=False, user=reviewer, reason="Synthetic demo: data collection over"
    )
    return {
        "decisions": len(decisions),
        "decision_commitments": Commitment.objects.filter(decision__meeting=meeting).count(),
        "decision_progress": progress,
        "evaluations": evaluations,
    }


def _approve(item, author, second_reviewer):
    item = services.text_transition(item=item, action="submit", user=author, expected_version=item.version)
    return services.text_transition(
        item=item, action="approve", user=second_reviewer, expected_version=item.version
    )


def _demo_follow_up_progress(meeting: Meeting, periods: list[ReportingPeriod], reviewer) -> int:
    """Progress on the decisions' commitments: most countries reported the first year; the current year
    is under way (approved, submitted, drafts, and some not yet reported: missing)."""
    commitments = list(
        Commitment.objects.filter(decision__meeting=meeting).select_related("country").order_by("id")
    )
    completions = ["not_started", "limited", "substantial", "complete"]
    items = []
    for commitment in commitments:
        rng = random.Random(
            f"alliance-demo-decision-{commitment.country.code}-{commitment.title}-{commitment.goal_id}"
        )
        level = 0
        for index, period in enumerate(periods):
            roll = rng.random()
            if index == 0:
                status = None if roll < 0.1 else Status.APPROVED
            elif commitment.country.code == "NL":
                status = Status.DRAFT
            else:
                status = (
                    None
                    if roll < 0.3
                    else Status.DRAFT
                    if roll < 0.4
                    else Status.SUBMITTED
                    if roll < 0.5
                    else Status.APPROVED
                )
            if status is None:
                continue
            level = min(3, level + rng.choice([0, 1, 1, 2]))
            item = CommitmentProgress(
                commitment=commitment,
                period=period,
                completion=completions[level],
                narrative=f"Synthetic demo narrative for {period.label}: invented progress on a decision.",
                is_demo=True,
                status=status,
            )
            moment = timezone.make_aware(
                dt.datetime.combine(min(period.deadline, timezone.localdate()), dt.time(12))
            )
            if status in {Status.SUBMITTED, Status.APPROVED}:
                item.submitted_at = moment
            if status == Status.APPROVED:
                item.approved_at, item.approved_by = moment, reviewer
            items.append(item)
    created = bulk_create_with_history(
        items, CommitmentProgress, batch_size=1000, default_change_reason="seed_demo"
    )
    changes.record_many(created)
    return len(items)
