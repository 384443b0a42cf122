"""Every read of the focal app: the questionnaire, the two tracks side by side, the reply.

What each reader gets is decided here, once:
- the country's focal points and the secretariat read the self-report at any time;
- the rapporteur's track is compared as approved only (``rapporteur_drafts=False``), unless the reader
  may read the country's drafts (staff pages): a focal point never sees the rapporteur's drafts;
- partners and the public get submitted government figures only of periods of released rounds
  (``EvaluationRound.objects.released()``).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from commitments.models import (
    Commitment,
    CommitmentProgress,
    Country,
    EvaluationRound,
    Indicator,
    IndicatorValue,
    Recommendation,
    ReportingPeriod,
    Status,
)

from .models import Reply, SelfReportProgress, SelfReportResponse, SelfReportValue, SelfStatus

# Completion in order, to say which way the two tracks differ ("withdrawn" stands apart).
COMPLETION_ORDER = ["not_started", "limited", "substantial", "complete"]


def show_value(indicator: Indicator, row: Any) -> str:
    """A value (the government's or the rapporteur's) as a reader sees it; "" when there is none."""
    if row is None:
        return ""
    if row.number_value is not None:
        number = row.number_value.normalize() if isinstance(row.number_value, Decimal) else row.number_value
        shown = number_format(number, use_l10n=True)
        return f"{shown} {indicator.unit_text}".strip() if indicator.unit else shown
    if row.boolean_value is not None:
        return _("yes") if row.boolean_value else _("no")
    return row.text_value or ""


@dataclass
class Line:
    """One question of the questionnaire: what is asked, and the government's answer so far (or None)."""

    section: str
    subject: Any  # Indicator, Commitment or Recommendation
    answer: Any

    @property
    def key(self) -> str:
        return f"{self.section}-{self.subject.pk}"


@dataclass
class Questionnaire:
    country: Country
    period: ReportingPeriod
    values: list[Line]
    progress: list[Line]
    responses: list[Line]

    @property
    def lines(self) -> list[Line]:
        return [*self.values, *self.progress, *self.responses]

    def counts(self) -> dict[str, int]:
        answers = [line.answer for line in self.lines if line.answer is not None]
        return {
            "total": len(self.lines),
            "draft": sum(1 for a in answers if a.status == SelfStatus.DRAFT),
            "returned": sum(1 for a in answers if a.status == SelfStatus.RETURNED),
            "submitted": sum(1 for a in answers if a.status == SelfStatus.SUBMITTED),
        }

    def seen(self) -> list[str]:
        """What the page shows of each editable answer: "section-pk:version", posted back on submission."""
        return [
            f"{line.section}-{line.answer.pk}:{line.answer.version}"
            for line in self.lines
            if line.answer is not None and line.answer.is_editable
        ]


def questionnaire(*, country: Country, period: ReportingPeriod) -> Questionnaire:
    """The country's questionnaire for a period: every active indicator, every published commitment and
    recommendation of the country, each with the government's answer. Six queries."""
    indicators = list(
        Indicator.objects.filter(is_active=True)
        .select_related("goal")
        .order_by("goal__order", "order", "code")
    )
    commitments = list(Commitment.objects.published().filter(country=country).order_by("goal__order", "pk"))
    recommendations = list(
        Recommendation.objects.published().filter(country=country).order_by("issued_on", "pk")
    )
    values = {v.indicator_id: v for v in SelfReportValue.objects.filter(country=country, period=period)}
    progress = {p.commitment_id: p for p in SelfReportProgress.objects.filter(country=country, period=period)}
    responses = {
        r.recommendation_id: r for r in SelfReportResponse.objects.filter(country=country, period=period)
    }
    return Questionnaire(
        country=country,
        period=period,
        values=[Line("values", i, values.get(i.pk)) for i in indicators],
        progress=[Line("progress", c, progress.get(c.pk)) for c in commitments],
        responses=[Line("responses", r, responses.get(r.pk)) for r in recommendations],
    )


def periods_for_self_report() -> QuerySet[ReportingPeriod]:
    """The periods a questionnaire exists for: progress periods, newest first."""
    return ReportingPeriod.objects.filter(kind=ReportingPeriod.Kind.PROGRESS).order_by("-starts_on")


# --- two tracks ----------------------------------------------------------------------------------------


@dataclass
class Divergence:
    """The government's figure beside the rapporteur's for one indicator or commitment."""

    kind: str  # "value" or "progress"
    subject: Any  # Indicator or Commitment
    government: str
    rapporteur: str
    differs: bool
    decision: str
    decision_reason: str
    item: Any  # the government's row

    @property
    def contradicts(self) -> bool:
        """Both tracks have a figure and they differ (not merely: the rapporteur has none yet)."""
        return self.differs and bool(self.rapporteur)

    @property
    def message(self) -> str:
        if not self.differs:
            return ""
        if not self.rapporteur:
            return _("The government reports %(government)s; the rapporteur has no figure yet.") % {
                "government": self.government
            }
        if self.kind == "progress":
            return _("The rapporteur rates %(rapporteur)s where the government reports %(government)s.") % {
                "rapporteur": self.rapporteur.lower(),
                "government": self.government.lower(),
            }
        return _("The rapporteur has %(rapporteur)s where the government reports %(government)s.") % {
            "rapporteur": self.rapporteur,
            "government": self.government,
        }


def divergences(
    *, country: Country, period: ReportingPeriod, rapporteur_drafts: bool = False
) -> list[Divergence]:
    """Each submitted government figure beside the rapporteur's (approved only, unless
    ``rapporteur_drafts``: for those who may read the country's drafts), with the difference flagged.
    Four queries."""
    found = divergences_by_country(
        country_ids=[country.pk], period=period, rapporteur_drafts=rapporteur_drafts
    )
    return found.get(country.pk, [])


def divergences_by_country(
    *, country_ids: list[int], period: ReportingPeriod, rapporteur_drafts: bool = False
) -> dict[int, list[Divergence]]:
    """``divergences`` for several countries at once (pages that list countries): the same four queries
    whatever their number. The caller decides whose drafts may be compared (``rapporteur_drafts``)."""
    result: dict[int, list[Divergence]] = {}
    if not country_ids:
        return result
    rapporteur_values = IndicatorValue.objects.filter(country_id__in=country_ids, period=period)
    rapporteur_progress = CommitmentProgress.objects.filter(
        commitment__country_id__in=country_ids, period=period
    )
    if not rapporteur_drafts:
        rapporteur_values = rapporteur_values.filter(status=Status.APPROVED)
        rapporteur_progress = rapporteur_progress.filter(status=Status.APPROVED)
    theirs = {(v.country_id, v.indicator_id): v for v in rapporteur_values}
    their_progress = {p.commitment_id: p for p in rapporteur_progress}
    submitted = SelfReportValue.objects.filter(
        country_id__in=country_ids, period=period, status=SelfStatus.SUBMITTED
    )
    for row in submitted.select_related("indicator").order_by("indicator__goal__order", "indicator__order"):
        government = show_value(row.indicator, row)
        rapporteur = show_value(row.indicator, theirs.get((row.country_id, row.indicator_id)))
        result.setdefault(row.country_id, []).append(
            Divergence(
                "value",
                row.indicator,
                government,
                rapporteur,
                government != rapporteur,
                row.decision,
                row.decision_reason,
                row,
            )
        )
    progress = SelfReportProgress.objects.filter(
        country_id__in=country_ids, period=period, status=SelfStatus.SUBMITTED
    )
    for row in progress.select_related("commitment").order_by("commitment__goal__order", "commitment_id"):
        other = their_progress.get(row.commitment_id)
        government = row.get_completion_display()
        rapporteur = other.get_completion_display() if other else ""
        result.setdefault(row.country_id, []).append(
            Divergence(
                "progress",
                row.commitment,
                government,
                rapporteur,
                other is None or other.completion != row.completion,
                row.decision,
                row.decision_reason,
                row,
            )
        )
    return result


def by_subject(lines: list[Divergence]) -> dict[str, dict[int, Divergence]]:
    """The lines by kind and subject id: what a page listing indicators and commitments looks up."""
    found: dict[str, dict[int, Divergence]] = {"value": {}, "progress": {}}
    for line in lines:
        found[line.kind][line.subject.pk] = line
    return found


@dataclass
class GovernmentTally:
    """What the government reported for one goal of one country (the completeness matrix's cell)."""

    reported: int = 0
    differ: int = 0


def government_by_goal(
    *, country_ids: list[int], period: ReportingPeriod
) -> dict[tuple[int, int], GovernmentTally]:
    """Submitted government figures per (country, goal), and how many contradict the rapporteur's
    (drafts included: for those who edit these countries). Four queries."""
    tallies: dict[tuple[int, int], GovernmentTally] = {}
    found = divergences_by_country(country_ids=country_ids, period=period, rapporteur_drafts=True)
    for country_id, lines in found.items():
        for line in lines:
            tally = tallies.setdefault((country_id, line.subject.goal_id), GovernmentTally())
            tally.reported += 1
            tally.differ += line.contradicts
    return tallies


def rapporteur_rows(*, country: Country, period: ReportingPeriod) -> dict[str, dict[int, Any]]:
    """The rapporteur's rows (any state) by indicator and commitment: the staff review page's versions."""
    return {
        "value": {v.indicator_id: v for v in IndicatorValue.objects.filter(country=country, period=period)},
        "progress": {
            p.commitment_id: p
            for p in CommitmentProgress.objects.filter(commitment__country=country, period=period)
        },
    }


# --- what partners may read -----------------------------------------------------------------------------


def released_period_ids(*, at=None) -> set[int]:
    """Periods of released rounds (baseline and evaluation): their submitted self-reports are public."""
    ids = set()
    for baseline, evaluation in EvaluationRound.objects.released(at=at).values_list(
        "baseline_period_id", "evaluation_period_id"
    ):
        ids |= {baseline, evaluation}
    return ids


def released_self_values(*, country_q: Q | None = None) -> QuerySet[SelfReportValue]:
    """Submitted government figures of released rounds' periods, for the API (ordered, joined)."""
    rows = SelfReportValue.objects.filter(
        status=SelfStatus.SUBMITTED, period_id__in=sorted(released_period_ids())
    ).select_related("country", "indicator", "period")
    if country_q is not None:
        rows = rows.filter(country_q)
    return rows.order_by("country__code", "indicator__code", "period__starts_on", "pk")


# --- right of reply ------------------------------------------------------------------------------------


def reply_for(*, country: Country, evaluation_round: EvaluationRound) -> Reply | None:
    """The government's reply to its chapter of the round's report (None when it sent none)."""
    return Reply.objects.filter(country=country, evaluation_round=evaluation_round).first()


def rounds_for_reply() -> QuerySet[EvaluationRound]:
    return EvaluationRound.objects.select_related("reply_window").order_by("-ministerial_date")
