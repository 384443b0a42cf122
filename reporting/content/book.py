"""The book: the whole content of one report, computed once from its frozen data (see __init__)."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import replace
from decimal import Decimal, InvalidOperation
from functools import cached_property
from typing import Any

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from commitments.models import (
    Country,
    collation_key,
)
from commitments.selectors import Violation, consistency_violations, rule_specs

from .chapters import ChaptersMixin
from .commitments import CommitmentsMixin
from .evidence import EvidenceMixin
from .facts import (
    Comparison,
    Completeness,
    CountryInfo,
    Figure,
    GoalInfo,
    GoalTally,
    IndicatorInfo,
    PeriodInfo,
    ReportDataError,
    _date,
    _in_language,
    _localized,
    _localized_label,
    minimum_completeness_percent,
)
from .formatting import (
    compare,
    format_value,
)
from .icse import IcseMixin

# --- the book: the whole report's content ----------------------------------------------------------------


class Book(IcseMixin, EvidenceMixin, CommitmentsMixin, ChaptersMixin):
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
        # As a reader looks for them: by the indicator they check, in goal and indicator order (the
        # indicator they relate it to next), then by what they say in the reader's language; never by
        # their English codes.
        position = {indicator.code: number for number, indicator in enumerate(self.indicators)}
        self.rules = sorted(
            rule_specs(data.get("rules", [])),
            key=lambda rule: (
                position.get(rule.indicator, len(position)),
                position.get(rule.related, -1) if rule.related else -1,
                collation_key(rule.description),
            ),
        )
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
                    "The approved value of %(code)s for %(country)s in the %(period)s period is not a number "
                    "that can be printed (%(value)s). Correct the value and request the report again."
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
