"""The embargo: what the public may see, in one place. Every public page, download, the catalogue and the
sitemap read through these functions and nothing else.

An item is public when all of these hold:

- its evaluation round is released: ``EvaluationRound.objects.released(at=...)`` (the release moment a
  reviewer set, audited by ``cycle.services.round_set_release``, has come);
- it is approved (values, progress, findings) or has an approved revision (reviewed texts: commitments,
  recommendations, government responses, decisions), and then its last approved revision is shown;
- it belongs to a released round: values and progress of the round's two periods, findings of its
  evaluation period, commitments made by the end of its evaluation period, recommendations issued from
  the start of its baseline period to its ministerial meeting, the government's reply to its chapter,
  the decisions of its ministerial meeting and the reports published for it;
- no approved withholding names it (``opendata.models.Withholding``), nor, for progress, the commitment
  it belongs to.

Each function returns one lazy queryset (subqueries, no query of its own), taking the moment to judge
at (``at``, default now), so that tests can move the clock and a probe can compare every public answer
with ``items(at=...)``.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from commitments.models import (
    Commitment,
    CommitmentProgress,
    EvaluationRound,
    Finding,
    GovernmentResponse,
    IndicatorValue,
    Recommendation,
    RecommendationFollowUp,
    Status,
)
from cycle.models import Decision, Meeting
from focal.models import Reply
from reporting.models import Report

from .models import Withholding


def _now(at: dt.datetime | None) -> dt.datetime:
    return at or timezone.now()


def rounds(*, at: dt.datetime | None = None) -> QuerySet[EvaluationRound]:
    """Released rounds, oldest first."""
    return (
        EvaluationRound.objects.released(at=_now(at))
        .select_related("baseline_period", "evaluation_period")
        .order_by("evaluation_period__ends_on", "ministerial_date", "pk")
    )


def _withheld(kind: str) -> QuerySet[Withholding]:
    return Withholding.objects.filter(kind=kind, state=Withholding.State.APPROVED).values("item_id")


def _in_released_periods(at: dt.datetime, field: str = "period") -> Q:
    released = EvaluationRound.objects.released(at=at)
    return Q(**{f"{field}__in": released.values("baseline_period")}) | Q(
        **{f"{field}__in": released.values("evaluation_period")}
    )


def values(*, at: dt.datetime | None = None) -> QuerySet[IndicatorValue]:
    """Approved indicator values of released rounds' periods, not withheld."""
    at = _now(at)
    return (
        IndicatorValue.objects.filter(status=Status.APPROVED)
        .filter(_in_released_periods(at))
        .exclude(pk__in=_withheld(Withholding.Kind.VALUE))
    )


def _latest_evaluation_end(at: dt.datetime):
    return (
        EvaluationRound.objects.released(at=at)
        .order_by("-evaluation_period__ends_on")
        .values("evaluation_period__ends_on")[:1]
    )


def commitments(*, at: dt.datetime | None = None) -> QuerySet[Commitment]:
    """Commitments with an approved revision, made by the end of a released round's evaluation period."""
    at = _now(at)
    return Commitment.objects.filter(
        approved_at__isnull=False, committed_on__lte=_latest_evaluation_end(at)
    ).exclude(pk__in=_withheld(Withholding.Kind.COMMITMENT))


def progress(*, at: dt.datetime | None = None) -> QuerySet[CommitmentProgress]:
    """Approved progress of public commitments in released rounds' periods, not withheld."""
    at = _now(at)
    return (
        CommitmentProgress.objects.filter(status=Status.APPROVED)
        .filter(_in_released_periods(at), commitment__in=commitments(at=at).values("pk"))
        .exclude(pk__in=_withheld(Withholding.Kind.PROGRESS))
    )


def findings(*, at: dt.datetime | None = None) -> QuerySet[Finding]:
    """The rapporteur's approved findings of released rounds' evaluation periods, not withheld."""
    at = _now(at)
    return (
        Finding.objects.filter(status=Status.APPROVED)
        .filter(period__in=EvaluationRound.objects.released(at=at).values("evaluation_period"))
        .exclude(pk__in=_withheld(Withholding.Kind.FINDING))
    )


def recommendations(*, at: dt.datetime | None = None) -> QuerySet[Recommendation]:
    """Recommendations with an approved revision, issued within a released round: from the start of its
    baseline period to its ministerial meeting (a later round's release does not release an earlier
    round's recommendations)."""
    at = _now(at)
    within = EvaluationRound.objects.released(at=at).filter(
        baseline_period__starts_on__lte=OuterRef("issued_on"), ministerial_date__gte=OuterRef("issued_on")
    )
    return Recommendation.objects.filter(approved_at__isnull=False).filter(Exists(within))


def responses(*, at: dt.datetime | None = None) -> QuerySet[GovernmentResponse]:
    """Government responses (with an approved revision) to public recommendations, not withheld."""
    at = _now(at)
    return (
        GovernmentResponse.objects.filter(approved_at__isnull=False)
        .filter(recommendation__in=recommendations(at=at).values("pk"))
        .exclude(pk__in=_withheld(Withholding.Kind.RESPONSE))
    )


def follow_ups(*, at: dt.datetime | None = None) -> QuerySet[RecommendationFollowUp]:
    """Approved follow-ups of public recommendations in released rounds' periods."""
    at = _now(at)
    return RecommendationFollowUp.objects.filter(status=Status.APPROVED).filter(
        _in_released_periods(at), recommendation__in=recommendations(at=at).values("pk")
    )


def replies(*, at: dt.datetime | None = None) -> QuerySet[Reply]:
    """The governments' replies to their chapters of released rounds, not withheld."""
    at = _now(at)
    return Reply.objects.filter(
        evaluation_round__in=EvaluationRound.objects.released(at=at).values("pk")
    ).exclude(pk__in=_withheld(Withholding.Kind.REPLY))


def meetings(*, at: dt.datetime | None = None) -> QuerySet[Meeting]:
    at = _now(at)
    return Meeting.objects.filter(evaluation_round__in=EvaluationRound.objects.released(at=at).values("pk"))


def decisions(*, at: dt.datetime | None = None) -> QuerySet[Decision]:
    """The ministers' decisions (with an approved revision) of released rounds' meetings."""
    at = _now(at)
    return Decision.objects.filter(approved_at__isnull=False, meeting__in=meetings(at=at).values("pk"))


def reports(*, at: dt.datetime | None = None) -> QuerySet[Report]:
    """Published reports (ready PDFs) of released rounds."""
    at = _now(at)
    return Report.objects.filter(
        status=Report.Status.READY,
        published_at__isnull=False,
        evaluation_round__in=EvaluationRound.objects.released(at=at).values("pk"),
    )


# Every kind of public item, for the probe and the tests: name -> the function giving its queryset.
KINDS = {
    "value": values,
    "commitment": commitments,
    "progress": progress,
    "finding": findings,
    "recommendation": recommendations,
    "response": responses,
    "follow_up": follow_ups,
    "reply": replies,
    "decision": decisions,
    "report": reports,
}


def items(*, at: dt.datetime | None = None) -> dict[str, set[int]]:
    """The ids of every public item at ``at``, by kind (one query per kind)."""
    at = _now(at)
    return {name: set(function(at=at).values_list("pk", flat=True)) for name, function in KINDS.items()}
