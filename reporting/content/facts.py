"""The things a report talks about (periods, goals, countries, indicators, figures, rows) as plain
records, and the small helpers that read them from the frozen data."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from alliance_monitor.charts import Chart, format_number
from commitments.selectors import Violation

ICSE_TARGET_PERCENT = Decimal(10)
ICSE_VICTIMS = "VI-2"  # victims identified through ICSE (a count)
ICSE_GROWTH = "VI-3"  # year-on-year change in that count, as the country reported it (%)

IMPROVED, UNCHANGED, WORSENED, CONTEXT, MISSING, NOT_COMPARED = (
    "improved",
    "unchanged",
    "worsened",
    "context",
    "missing",
    "not_compared",
)
RANKED_ASSESSMENTS = (IMPROVED, UNCHANGED, WORSENED, MISSING)


class ReportDataError(Exception):
    """Approved data the report cannot print; the message says which row and what to do."""


def _localized(item: dict[str, Any], name: str) -> str:
    if (get_language() or "en")[:2] == "nl" and item.get(f"{name}_nl"):
        return item[f"{name}_nl"]
    return item.get(f"{name}_en") or ""


def _in_language(english: str, dutch: str | None) -> str:
    return dutch if (get_language() or "en")[:2] == "nl" and dutch else english


def _localized_label(period: dict[str, Any]) -> str:
    return _in_language(period["label"], period.get("label_nl"))


def _date(text: str | None) -> dt.date | None:
    return dt.date.fromisoformat(text) if text else None


def _datetime(text: str) -> dt.date:
    return dt.datetime.fromisoformat(text).date()


# --- the things a report talks about ---------------------------------------------------------------------


@dataclass(frozen=True)
class PeriodInfo:
    id: int
    label: str
    starts_on: dt.date
    ends_on: dt.date


@dataclass(frozen=True)
class GoalInfo:
    id: int
    code: str
    order: int
    policy_target: int
    title: str
    description: str

    @property
    def chapter(self) -> int:
        return self.order + 1  # chapter 1 is the executive summary

    @property
    def number(self) -> int:
        return self.order  # the goal's own number (goal 1 is chapter 2)

    @property
    def numbered_title(self) -> str:
        return _("Goal %(number)s: %(title)s") % {"number": self.number, "title": self.title}


@dataclass(frozen=True)
class CountryInfo:
    id: int
    code: str
    name: str
    region: str
    region_label: str
    membership_label: str
    joined_on: dt.date | None
    left_on: dt.date | None


@dataclass(frozen=True)
class IndicatorInfo:
    id: int
    code: str
    goal_id: int
    name: str
    definition: str
    value_type: str
    unit: str
    direction: str
    direction_label: str
    source: str
    is_active: bool

    @property
    def is_text(self) -> bool:
        return self.value_type == "text"

    @property
    def is_ranked(self) -> bool:
        """Whether a change is better or worse: not for context-only or text indicators."""
        return self.direction in {"up", "down"} and not self.is_text

    @property
    def type_label(self) -> str:
        return {
            "number": _("number"),
            "percentage": _("percentage"),
            "boolean": _("yes/no"),
            "maturity": _("maturity level 0–4"),
            "text": _("text"),
        }.get(self.value_type, self.value_type)

    @property
    def unit_label(self) -> str:
        """The unit beside the type in the definitions, unless the type says it already: a maturity
        level's scale is in its type ("maturity level 0–4"), and so is a percentage's "%"."""
        if self.value_type == "maturity" or (self.value_type == "percentage" and self.unit == "%"):
            return ""
        return self.unit


@dataclass(frozen=True)
class Figure:
    """One value as printed: ``missing`` means no approved value (printed as "no data")."""

    raw: Decimal | bool | str | None
    text: str

    @property
    def missing(self) -> bool:
        return self.raw is None


@dataclass(frozen=True)
class Comparison:
    """One country's indicator, baseline against evaluation, with the change judged by the direction."""

    indicator: IndicatorInfo
    country: CountryInfo
    baseline: Figure
    evaluation: Figure
    change: str
    assessment: str
    trend: str  # "up", "down" or "flat": the direction the figure moved ("" when not compared)
    sources: tuple[int, ...] = ()  # numbered sources cited for the evaluation value
    flags: tuple[str, ...] = ()  # consistency rules the figures break, in words

    @property
    def assessment_label(self) -> str:
        return assessment_label(self.assessment)

    @property
    def has_any(self) -> bool:
        return not (self.baseline.missing and self.evaluation.missing)


def assessment_label(assessment: str) -> str:
    return {
        IMPROVED: _("better"),
        UNCHANGED: _("unchanged"),
        WORSENED: _("worse"),
        CONTEXT: _("context only"),
        MISSING: _("no comparison"),
        NOT_COMPARED: _("not compared"),
    }[assessment]


class OutcomeCounts:
    """How many got better, stayed, got worse or are missing, from ``count(outcome)``: shared by the
    report's tallies and the ministers' view."""

    def count(self, outcome: str) -> int:
        raise NotImplementedError

    @property
    def improved(self) -> int:
        return self.count(IMPROVED)

    @property
    def unchanged(self) -> int:
        return self.count(UNCHANGED)

    @property
    def worsened(self) -> int:
        return self.count(WORSENED)

    @property
    def missing(self) -> int:
        return self.count(MISSING)


@dataclass(frozen=True)
class GoalTally(OutcomeCounts):
    """How many country-indicator pairs of a goal got better, stayed, got worse or cannot be compared."""

    goal: GoalInfo | None  # None: all goals together
    counts: dict[str, int]

    def count(self, key: str) -> int:
        # Not __getitem__: Django templates would try it first for every attribute (tally.goal -> 0).
        return self.counts.get(key, 0)

    @property
    def context(self) -> int:
        return self.count(CONTEXT)

    @property
    def compared(self) -> int:
        return self.improved + self.unchanged + self.worsened

    @property
    def improved_percent(self) -> int | None:
        return round(100 * self.improved / self.compared) if self.compared else None


@dataclass(frozen=True)
class IcseRow:
    """The ICSE victim-identification target (+10% a year) for one country."""

    country: CountryInfo
    victims_baseline: Figure
    victims_evaluation: Figure
    computed_change: Decimal | None
    reported_change: Decimal | None
    verdict: str  # met, not_met, unknown
    basis: str
    contradiction: str = ""  # the rule the reported change breaks, in words

    @property
    def computed_change_text(self) -> str:
        return _signed_percent(self.computed_change) if self.computed_change is not None else _("no data")

    @property
    def reported_change_text(self) -> str:
        return _signed_percent(self.reported_change) if self.reported_change is not None else _("no data")

    @property
    def verdict_label(self) -> str:
        return {"met": _("met"), "not_met": _("not met"), "unknown": _("cannot tell")}[self.verdict]


@dataclass(frozen=True)
class CommitmentRow:
    title: str
    goal_id: int
    lead_organisation: str
    target_date: dt.date | None
    baseline: str | None  # completion label, None when no approved report
    evaluation: str | None
    narrative: str
    narrative_period: str = ""  # the period the narrative was written for, when it is not the evaluation
    description: str = ""
    baseline_text: str = ""  # the situation when the country committed
    past_target: bool = False  # the target date passed by the end of the evaluation period, not complete
    sources: tuple[int, ...] = ()  # numbers of the sources (approved evidence) cited for it


@dataclass(frozen=True)
class Source:
    """A numbered source: approved evidence (a web address) cited in the report."""

    number: int
    url: str
    country: str


@dataclass(frozen=True)
class Approval:
    """One reviewer's approvals of the data in the report."""

    name: str
    count: int
    first: dt.date
    last: dt.date


@dataclass(frozen=True)
class RecommendationRow:
    number: str
    source_document: str
    goal_id: int
    text: str
    addressees: list[str]
    response: str | None
    reference: str
    responded_on: dt.date | None
    follow_up: str | None
    follow_up_key: str | None
    follow_up_narrative: str
    sources: tuple[int, ...] = ()


def minimum_completeness_percent() -> int:
    """Below this share of approved data (values or commitments) a report says it has too little data."""
    return int(getattr(settings, "REPORT_MIN_COMPLETENESS_PERCENT", 50))


def _percent(part: int, whole: int) -> int | None:
    return round(100 * part / whole) if whole else None


@dataclass(frozen=True)
class Completeness:
    """How much of what the round expects is approved, for the evaluation period: indicator values and
    commitment reports, each as approved / expected (one country, or all countries when ``country`` is
    None). Baseline values are counted beside, for information; they do not make the round complete."""

    country: CountryInfo | None
    values_expected: int
    values_approved: int
    baseline_approved: int
    commitments_expected: int
    commitments_approved: int

    @property
    def values_percent(self) -> int | None:
        return _percent(self.values_approved, self.values_expected)

    @property
    def commitments_percent(self) -> int | None:
        return _percent(self.commitments_approved, self.commitments_expected)

    @property
    def is_sufficient(self) -> bool:
        """Enough approved data to evaluate: each kind that is expected reaches the minimum share."""
        minimum = minimum_completeness_percent()
        shares = [p for p in (self.values_percent, self.commitments_percent) if p is not None]
        return bool(shares) and all(share >= minimum for share in shares)


@dataclass
class CountryProfile:
    """Everything the report says about one country."""

    country: CountryInfo
    tallies: list[GoalTally]
    comparisons: dict[int, list[Comparison]]  # by goal id
    commitments: dict[int, list[CommitmentRow]]  # by goal id
    recommendations: dict[int, list[RecommendationRow]]  # by goal id
    completeness: Completeness
    icse: IcseRow
    maturity_charts: dict[int, Chart] = field(default_factory=dict)
    findings: dict[int | None, str] = field(default_factory=dict)  # by goal id; None: the whole country
    approvals: list[Approval] = field(default_factory=list)
    sources: list[Source] = field(default_factory=list)
    violations: list[Violation] = field(default_factory=list)

    @property
    def overall_finding(self) -> str:
        return self.findings.get(None, "")

    def goal_sections(self, goals: list[GoalInfo]) -> list[dict[str, Any]]:
        return [
            {
                "goal": goal,
                "tally": next(t for t in self.tallies if t.goal.id == goal.id),
                "comparisons": self.comparisons.get(goal.id, []),
                "commitments": self.commitments.get(goal.id, []),
                "recommendations": self.recommendations.get(goal.id, []),
                "chart": self.maturity_charts.get(goal.id),
                "finding": self.findings.get(goal.id, ""),
            }
            for goal in goals
        ]


def _signed(value: Decimal) -> str:
    text = format_number(abs(value))
    if value > 0:
        return f"+{text}"
    if value < 0:
        return f"−{text}"
    return "±0"


def _signed_percent(value: Decimal) -> str:
    return f"{_signed(value.quantize(Decimal('0.1')))}%"
