"""What a report says, computed from its frozen data: figures, direction-aware changes, summaries.

Pure functions of the data from ``selectors.report_data`` (no database access), so that every part of
an alliance-wide report, rendered on any worker, computes the same figures. Labels are translated with
the language active when a ``Book`` is built (services wrap it in ``translation.override``).

Missing data stays missing: a value that was not reported or not approved is ``None`` everywhere here
and is printed as "no data", never as zero; a change needs both values.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field, replace
from decimal import Decimal, InvalidOperation
from functools import cached_property
from typing import Any

from django.conf import settings
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from commitments.models import (
    CommitmentProgress,
    Country,
    GovernmentResponse,
    RecommendationFollowUp,
    collation_key,
)
from commitments.selectors import Violation, consistency_violations, rule_specs

from .charts import Chart, Series, bar_chart, format_number

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


@dataclass(frozen=True)
class GoalTally:
    """How many country-indicator pairs of a goal got better, stayed, got worse or cannot be compared."""

    goal: GoalInfo | None  # None: all goals together
    counts: dict[str, int]

    def count(self, key: str) -> int:
        # Not __getitem__: Django templates would try it first for every attribute (tally.goal -> 0).
        return self.counts.get(key, 0)

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


# --- formatting ------------------------------------------------------------------------------------------


def _signed(value: Decimal) -> str:
    text = format_number(abs(value))
    if value > 0:
        return f"+{text}"
    if value < 0:
        return f"−{text}"
    return "±0"


def _signed_percent(value: Decimal) -> str:
    return f"{_signed(value.quantize(Decimal('0.1')))}%"


def format_value(indicator: IndicatorInfo, raw: Decimal | bool | str | None) -> str:
    if raw is None:
        return _("no data")
    if indicator.value_type == "boolean":
        return _("yes") if raw else _("no")
    if indicator.value_type == "text":
        return str(raw)
    if indicator.value_type == "percentage":
        return f"{format_number(raw)}%"
    return format_number(raw)


def compare(indicator: IndicatorInfo, baseline: Any, evaluation: Any) -> tuple[str, str, str]:
    """The change from baseline to evaluation as printed, whether it is better, worse or the same, and
    which way the figure moved (for "lower is better" indicators a fall is an improvement)."""
    if indicator.is_text:
        return "", NOT_COMPARED, ""
    if baseline is None or evaluation is None:
        return "—", MISSING, ""
    if indicator.value_type == "boolean":
        change = f"{_('yes') if baseline else _('no')} → {_('yes') if evaluation else _('no')}"
        difference = int(bool(evaluation)) - int(bool(baseline))
    else:
        difference = evaluation - baseline
        if indicator.value_type == "percentage":
            change = _("%(change)s pp") % {"change": _signed(difference)}  # percentage points
        elif indicator.value_type == "number" and baseline != 0:
            change = f"{_signed(difference)} ({_signed_percent(100 * difference / baseline)})"
        else:
            change = _signed(difference)
    trend = "up" if difference > 0 else "down" if difference < 0 else "flat"
    if indicator.direction == "neutral":
        return change, CONTEXT, trend
    if difference == 0:
        return change, UNCHANGED, trend
    better = difference > 0 if indicator.direction == "up" else difference < 0
    return change, IMPROVED if better else WORSENED, trend


# --- the book: the whole report's content ----------------------------------------------------------------


class Book:
    """The content of one report, built from its frozen data in the active language."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data
        self.language = (get_language() or "en")[:2]
        round_ = data["round"]
        self.round_label: str = round_["label"]
        self.ministerial_date = _date(round_["ministerial_date"])
        self.baseline = PeriodInfo(
            round_["baseline"]["id"],
            _localized_label(round_["baseline"]),
            _date(round_["baseline"]["starts_on"]),
            _date(round_["baseline"]["ends_on"]),
        )
        self.evaluation = PeriodInfo(
            round_["evaluation"]["id"],
            _localized_label(round_["evaluation"]),
            _date(round_["evaluation"]["starts_on"]),
            _date(round_["evaluation"]["ends_on"]),
        )
        self.is_alliance = data["scope"]["kind"] == "alliance"
        self.as_of = dt.datetime.fromisoformat(data["as_of"]) if data.get("as_of") else None
        regions = dict(Country.Region.choices)
        memberships = dict(Country.Membership.choices)
        self.goals = [
            GoalInfo(
                g["id"],
                g["code"],
                g["order"],
                g["policy_target"],
                _localized(g, "title"),
                _localized(g, "description"),
            )
            for g in data["goals"]
        ]
        self.goal_by_id = {goal.id: goal for goal in self.goals}
        self.countries = sorted(
            (
                CountryInfo(
                    c["id"],
                    c["code"],
                    _localized(c, "name"),
                    c["region"],
                    str(regions.get(c["region"], c["region"])),
                    str(memberships.get(c["membership"], c["membership"])),
                    _date(c["joined_on"]),
                    _date(c["left_on"]),
                )
                for c in data["countries"]
            ),
            key=lambda country: collation_key(country.name),
        )
        self.country_by_id = {country.id: country for country in self.countries}
        directions = {"up": _("higher is better"), "down": _("lower is better"), "neutral": _("context only")}
        self.indicators = [
            IndicatorInfo(
                i["id"],
                i["code"],
                i["goal_id"],
                _localized(i, "name"),
                _in_language(i["definition"], i.get("definition_nl")),
                i["value_type"],
                _in_language(i["unit"], i.get("unit_nl")),
                i["direction"],
                str(directions.get(i["direction"], i["direction"])),
                _in_language(i["source"], i.get("source_nl")),
                i["is_active"],
            )
            for i in data["indicators"]
        ]
        self.indicator_by_code = {indicator.code: indicator for indicator in self.indicators}
        self.indicators_by_goal: dict[int, list[IndicatorInfo]] = defaultdict(list)
        for indicator in self.indicators:
            self.indicators_by_goal[indicator.goal_id].append(indicator)
        self.values = self._read_values(data["values"])
        self.rules = rule_specs(data.get("rules", []))
        self.is_demo = (
            any(row[7] for row in data["values"])
            or any(c["is_demo"] for c in data["commitments"])
            or any(f["is_demo"] for f in data.get("findings", []))
        )

    # -- reading and checking the values ---

    def _read_values(self, rows: list[list[Any]]) -> dict[tuple[int, int, int], Any]:
        indicators = {indicator.id: indicator for indicator in self.indicators}
        values: dict[tuple[int, int, int], Any] = {}
        for country_id, indicator_id, period_id, number, boolean, text, *_rest in rows:
            indicator = indicators.get(indicator_id)
            if indicator is None or country_id not in self.country_by_id:
                continue
            if indicator.value_type == "boolean":
                value: Any = boolean
            elif indicator.value_type == "text":
                value = text or None
            else:
                value = self._checked_number(number, indicator, country_id, period_id)
            values[(country_id, indicator_id, period_id)] = value
        return values

    def _checked_number(self, number: str | None, indicator: IndicatorInfo, country_id: int, period_id: int):
        if number is None:
            return None
        try:
            value = Decimal(number)
        except InvalidOperation:
            value = Decimal("NaN")
        if not value.is_finite():
            period = self.baseline if period_id == self.baseline.id else self.evaluation
            raise ReportDataError(
                _(
                    "The approved value of %(code)s for %(country)s in %(period)s is not a number that can "
                    "be printed (%(value)s). Correct the value and request the report again."
                )
                % {
                    "code": indicator.code,
                    "country": self.country_by_id[country_id].name,
                    "period": period.label,
                    "value": number,
                }
            )
        return value

    def value(self, country: CountryInfo, indicator: IndicatorInfo, period: PeriodInfo) -> Any:
        return self.values.get((country.id, indicator.id, period.id))

    # -- comparisons ---

    def comparison(self, country: CountryInfo, indicator: IndicatorInfo) -> Comparison:
        baseline = self.value(country, indicator, self.baseline)
        evaluation = self.value(country, indicator, self.evaluation)
        change, assessment, trend = compare(indicator, baseline, evaluation)
        return Comparison(
            indicator,
            country,
            Figure(baseline, format_value(indicator, baseline)),
            Figure(evaluation, format_value(indicator, evaluation)),
            change,
            assessment,
            trend,
            tuple(self.source_numbers(("value", country.id, indicator.id))),
            tuple(v.message for v in self.violations(country) if indicator.code in v.indicators),
        )

    @cached_property
    def _comparisons(self) -> dict[tuple[int, int], Comparison]:
        return {
            (country.id, indicator.id): self.comparison(country, indicator)
            for country in self.countries
            for indicator in self.indicators
        }

    def comparisons_for(self, *, country: CountryInfo, goal: GoalInfo) -> list[Comparison]:
        return [self._comparisons[(country.id, i.id)] for i in self.indicators_by_goal[goal.id]]

    def tally(self, *, goal: GoalInfo, countries: list[CountryInfo] | None = None) -> GoalTally:
        counts: Counter[str] = Counter()
        for country in countries if countries is not None else self.countries:
            for indicator in self.indicators_by_goal[goal.id]:
                if indicator.is_text:
                    continue
                counts[self._comparisons[(country.id, indicator.id)].assessment] += 1
        return GoalTally(goal, dict(counts))

    def overall_tally(self, *, countries: list[CountryInfo] | None = None) -> GoalTally:
        counts: Counter[str] = Counter()
        for goal in self.goals:
            counts.update(self.tally(goal=goal, countries=countries).counts)
        return GoalTally(None, dict(counts))

    # -- consistency rules ---

    def _numbers(self, country: CountryInfo, period: PeriodInfo) -> dict[str, Decimal]:
        found = {}
        for indicator in self.indicators:
            value = self.value(country, indicator, period)
            if isinstance(value, Decimal):
                found[indicator.code] = value
        return found

    @cached_property
    def _violations(self) -> dict[int, list[Violation]]:
        """Every rule each country's figures break: the evaluation against the baseline, and the
        baseline's own figures against the plausible ranges."""
        ranges = [rule for rule in self.rules if rule.kind == "bounds"]
        result = {}
        for country in self.countries:
            base = self._numbers(country, self.baseline)
            latest = self._numbers(country, self.evaluation)
            found = [
                replace(v, message=f"{self.evaluation.label}: {v.message}") if v.kind == "bounds" else v
                for v in consistency_violations(rules=self.rules, before=base, after=latest)
            ]
            found += [
                replace(v, message=f"{self.baseline.label}: {v.message}")
                for v in consistency_violations(rules=ranges, before={}, after=base)
            ]
            result[country.id] = found
        return result

    def violations(self, country: CountryInfo) -> list[Violation]:
        """The consistency rules this country's figures break (flagged wherever the figures are shown)."""
        return self._violations.get(country.id, [])

    def violation_count(self, countries: list[CountryInfo] | None = None) -> int:
        return sum(len(self.violations(c)) for c in (countries if countries is not None else self.countries))

    # -- who reported ---

    @cached_property
    def reporting_country_ids(self) -> set[int]:
        """Countries with at least one approved value or commitment report for the evaluation period."""
        ids = {cid for (cid, _iid, pid) in self.values if pid == self.evaluation.id}
        commitment_country = {c["id"]: c["country_id"] for c in self.data["commitments"]}
        ids |= {commitment_country[row[0]] for row in self.data["progress"] if row[1] == self.evaluation.id}
        return ids

    @cached_property
    def countries_not_reporting(self) -> list[CountryInfo]:
        return [country for country in self.countries if country.id not in self.reporting_country_ids]

    @cached_property
    def countries_with_data(self) -> list[CountryInfo]:
        """Countries with any approved data in the round: they get a profile of their own."""
        ids = {cid for (cid, _iid, _pid) in self.values}
        commitment_country = {c["id"]: c["country_id"] for c in self.data["commitments"]}
        ids |= {commitment_country[row[0]] for row in self.data["progress"]}
        ids |= {r["country_id"] for r in self.data["recommendations"] if r["country_id"]}
        return [country for country in self.countries if country.id in ids]

    @cached_property
    def countries_without_data(self) -> list[CountryInfo]:
        with_data = {country.id for country in self.countries_with_data}
        return [country for country in self.countries if country.id not in with_data]

    def completeness(self, country: CountryInfo | None = None) -> Completeness:
        """Approved / expected for the evaluation period (``country=None``: all countries together)."""
        countries = [country] if country is not None else self.countries
        ids = {c.id for c in countries}
        expected = [i for i in self.indicators if i.is_active]
        commitments = [c for c in self.data["commitments"] if c["country_id"] in ids]
        reported = {row[0] for row in self.data["progress"] if row[1] == self.evaluation.id}
        return Completeness(
            country,
            len(expected) * len(countries),
            sum(1 for c in countries for i in expected if self.value(c, i, self.evaluation) is not None),
            sum(1 for c in countries for i in expected if self.value(c, i, self.baseline) is not None),
            len(commitments),
            sum(1 for c in commitments if c["id"] in reported),
        )

    @property
    def minimum_percent(self) -> int:
        return minimum_completeness_percent()

    @cached_property
    def round_completeness(self) -> Completeness:
        """The report's own completeness: its one country, or the whole alliance."""
        return self.completeness(self.countries[0] if not self.is_alliance and self.countries else None)

    @cached_property
    def data_warning(self) -> str:
        """Said on the first page when the round has too little approved data to evaluate ("" if enough)."""
        done = self.round_completeness
        if done.is_sufficient:
            return ""
        return _(
            "Too little approved data to evaluate this round: %(values)s of %(values_expected)s indicator "
            "values and %(commitments)s of %(commitments_expected)s commitment reports for the %(period)s "
            "period are approved (at least %(minimum)s%% of each is needed). Read the figures in this report "
            "as incomplete: what is missing is shown as “no data”, never as zero."
        ) % {
            "values": done.values_approved,
            "values_expected": done.values_expected,
            "commitments": done.commitments_approved,
            "commitments_expected": done.commitments_expected,
            "period": self.evaluation.label,
            "minimum": minimum_completeness_percent(),
        }

    @cached_property
    def region_reporting(self) -> list[dict[str, Any]]:
        rows: dict[str, dict[str, Any]] = {}
        for country in self.countries:
            row = rows.setdefault(
                country.region, {"region": country.region_label, "participating": 0, "reported": 0}
            )
            row["participating"] += 1
            row["reported"] += country.id in self.reporting_country_ids
        return [rows[key] for key in sorted(rows)]

    # -- the ICSE target ---

    def icse(self, country: CountryInfo) -> IcseRow:
        victims = self.indicator_by_code.get(ICSE_VICTIMS)
        growth = self.indicator_by_code.get(ICSE_GROWTH)
        base = self.value(country, victims, self.baseline) if victims else None
        latest = self.value(country, victims, self.evaluation) if victims else None
        reported = self.value(country, growth, self.evaluation) if growth else None
        computed = (
            (100 * (latest - base) / base) if base is not None and latest is not None and base > 0 else None
        )
        contradiction = next(
            (
                v.message
                for v in self.violations(country)
                if v.kind == "change" and v.indicator == ICSE_GROWTH
            ),
            "",
        )
        if contradiction:
            # The reported change and the counts disagree: no verdict on either figure.
            verdict, basis = "unknown", _("the reported change contradicts the victims counted")
        elif reported is not None:
            verdict = "met" if reported >= ICSE_TARGET_PERCENT else "not_met"
            basis = _("as reported (%(code)s)") % {"code": ICSE_GROWTH}
        elif computed is not None:
            verdict = "met" if computed >= ICSE_TARGET_PERCENT else "not_met"
            basis = _("computed from %(code)s") % {"code": ICSE_VICTIMS}
        else:
            verdict, basis = "unknown", _("data missing")
        return IcseRow(
            country,
            Figure(base, format_value(victims, base) if victims else _("no data")),
            Figure(latest, format_value(victims, latest) if victims else _("no data")),
            computed,
            reported,
            verdict,
            basis,
            contradiction,
        )

    @cached_property
    def icse_rows(self) -> list[IcseRow]:
        return [self.icse(country) for country in self.countries]

    @cached_property
    def icse_counts(self) -> dict[str, int]:
        counts = Counter(row.verdict for row in self.icse_rows)
        return {"met": counts["met"], "not_met": counts["not_met"], "unknown": counts["unknown"]}

    # -- the rapporteur's findings ---

    @cached_property
    def _findings(self) -> dict[tuple[int | None, int | None], str]:
        return {(f["country_id"], f["goal_id"]): f["text"] for f in self.data.get("findings", [])}

    @property
    def alliance_finding(self) -> str:
        return self.finding(None, None)

    def finding(self, country: CountryInfo | None, goal: GoalInfo | None) -> str:
        """The approved findings on a goal (None: all goals) for a country (None: the alliance)."""
        return self._findings.get((country.id if country else None, goal.id if goal else None), "")

    # -- sources and approvals ---

    @cached_property
    def _sources(self) -> tuple[list[Source], dict[tuple, list[int]]]:
        """Approved evidence as numbered sources: the same address keeps one number in the whole report.

        Numbered in reading order (country, then commitments, values, follow-ups), from the frozen data
        only, so every part of an alliance-wide report gives a source the same number.
        """
        commitment_country = {c["id"]: c["country_id"] for c in self.data["commitments"]}
        recommendation_country = {r["id"]: r["country_id"] for r in self.data["recommendations"]}
        country_order = {country.id: position for position, country in enumerate(self.countries)}
        cited: list[tuple[int, tuple, str, list[str]]] = []
        for row in self.data["progress"]:
            cited.append((commitment_country.get(row[0]), ("progress", row[0]), "commitment", row[6]))
        for row in self.data["values"]:
            cited.append((row[0], ("value", row[0], row[1]), "value", row[8]))
        for row in self.data["follow_ups"]:
            cited.append((recommendation_country.get(row[0]), ("follow_up", row[0]), "follow_up", row[6]))
        cited.sort(key=lambda item: country_order.get(item[0], -1))
        sources: list[Source] = []
        by_url: dict[str, int] = {}
        numbers: dict[tuple, list[int]] = defaultdict(list)
        for country_id, key, _kind, links in cited:
            for url in links or []:
                if url not in by_url:
                    country = self.country_by_id.get(country_id)
                    sources.append(Source(len(sources) + 1, url, country.name if country else ""))
                    by_url[url] = len(sources)
                if by_url[url] not in numbers[key]:
                    numbers[key].append(by_url[url])
        return sources, numbers

    @property
    def sources(self) -> list[Source]:
        return self._sources[0]

    def sources_for(self, countries: list[CountryInfo] | None) -> list[Source]:
        if countries is None:
            return self.sources
        names = {country.name for country in countries}
        return [source for source in self.sources if source.country in names]

    def source_numbers(self, key: tuple) -> list[int]:
        return sorted(self._sources[1].get(key, []))

    def approvals(self, countries: list[CountryInfo] | None = None) -> list[Approval]:
        """Who approved the data in the report, how many rows, and when (first and last approval)."""
        ids = {c.id for c in (countries if countries is not None else self.countries)}
        commitment_country = {c["id"]: c["country_id"] for c in self.data["commitments"]}
        recommendation_country = {r["id"]: r["country_id"] for r in self.data["recommendations"]}
        moments: dict[str, list[str]] = defaultdict(list)
        for row in self.data["values"]:
            if row[0] in ids and row[9]:
                moments[row[10] or _("unknown reviewer")].append(row[9])
        for row in self.data["progress"]:
            if commitment_country.get(row[0]) in ids and row[7]:
                moments[row[8] or _("unknown reviewer")].append(row[7])
        for row in self.data["follow_ups"]:
            if recommendation_country.get(row[0]) in ids and row[7]:
                moments[row[8] or _("unknown reviewer")].append(row[7])
        return sorted(
            (
                Approval(name, len(days), _datetime(min(days)), _datetime(max(days)))
                for name, days in moments.items()
            ),
            key=lambda approval: (-approval.count, approval.name),
        )

    # -- commitments and recommendations ---

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
            axis="maturity",
        )

    def icse_chart(self, countries: list[CountryInfo]) -> Chart:
        rows = [self.icse(country) for country in countries]
        return bar_chart(
            title=_("Victims identified through ICSE (%(code)s)") % {"code": ICSE_VICTIMS},
            categories=[row.country.code for row in rows],
            series=[
                Series(self.baseline.label, [row.victims_baseline.raw for row in rows], "baseline"),
                Series(self.evaluation.label, [row.victims_evaluation.raw for row in rows], "evaluation"),
            ],
            unit=_("victims"),
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
