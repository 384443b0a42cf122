"""Consistency rules between indicators, and the values that break them."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from ..models import ConsistencyRule, Country, IndicatorValue, ReportingPeriod
from .workspace import period_before, periods_in_order


@dataclass(frozen=True)
class RuleSpec:
    """A consistency rule as plain data (from the database, or from a report's frozen data)."""

    code: str
    kind: str
    indicator: str  # indicator code
    related: str | None
    low: Decimal | None
    high: Decimal | None
    tolerance: Decimal | None
    description: str


@dataclass(frozen=True)
class Violation:
    """A figure that breaks a rule: which rule, which indicators, and what is wrong, in words."""

    rule: str
    kind: str
    indicator: str
    related: str | None
    message: str

    @property
    def indicators(self) -> set[str]:
        return {self.indicator, *([self.related] if self.related else [])}


def _decimal_or_none(value) -> Decimal | None:
    return None if value in (None, "") else Decimal(str(value))


def rule_specs(rules: list) -> list[RuleSpec]:
    """Rules (model instances or report data dicts) as ``RuleSpec`` in the active language."""
    from django.utils.translation import get_language

    dutch = (get_language() or "en")[:2] == "nl"
    specs = []
    for rule in rules:
        item = rule if isinstance(rule, dict) else rule_data(rule)
        specs.append(
            RuleSpec(
                item["code"],
                item["kind"],
                item["indicator"],
                item["related"],
                _decimal_or_none(item["low"]),
                _decimal_or_none(item["high"]),
                _decimal_or_none(item["tolerance"]),
                (item["description_nl"] if dutch and item["description_nl"] else item["description_en"]),
            )
        )
    return specs


def rule_data(rule: ConsistencyRule) -> dict:
    """A rule as JSON-ready data (the report freezes its rules with its data)."""
    return {
        "code": rule.code,
        "kind": rule.kind,
        "indicator": rule.indicator.code,
        "related": rule.related_indicator.code if rule.related_indicator_id else None,
        "low": None if rule.low is None else str(rule.low),
        "high": None if rule.high is None else str(rule.high),
        "tolerance": None if rule.tolerance is None else str(rule.tolerance),
        "description_en": rule.description_en,
        "description_nl": rule.description_nl,
    }


def active_rules() -> list[ConsistencyRule]:
    """The rules in force (one query)."""
    return list(
        ConsistencyRule.objects.filter(is_active=True)
        .select_related("indicator", "related_indicator")
        .order_by("code")
    )


def _number_text(value: Decimal) -> str:
    """A figure as people read it in the active language (the charts' format: at most one decimal)."""
    from django.utils.formats import number_format

    value = Decimal(str(value))
    places = 0 if value == value.to_integral_value() else 1
    return number_format(value, decimal_pos=places, use_l10n=True, force_grouping=True)


def _signed_percent_text(value: Decimal) -> str:
    value = value.quantize(Decimal("0.1"))
    sign = "+" if value > 0 else "−" if value < 0 else "±"
    return f"{sign}{_number_text(abs(value))}%"


def consistency_violations(
    *, rules: list[RuleSpec], before: dict[str, Decimal | None], after: dict[str, Decimal | None]
) -> list[Violation]:
    """Every rule the figures break: ``after`` holds the values (by indicator code) of the period checked,
    ``before`` those of the period it is compared with (empty: only ranges are checked).

    The one place the rules are evaluated: the report, the review page and the tests all call this.
    A rule that lacks a figure it needs is not broken (missing data is reported as missing elsewhere).
    """
    from django.utils.translation import gettext as _

    found: list[Violation] = []
    for rule in rules:
        value = after.get(rule.indicator)
        if rule.kind == ConsistencyRule.Kind.CHANGE:
            first, second = before.get(rule.related or ""), after.get(rule.related or "")
            if value is None or first is None or second is None or first <= 0:
                continue
            computed = 100 * (second - first) / first
            opposite = (value > 0 > computed) or (value < 0 < computed)
            if opposite or abs(value - computed) > (rule.tolerance or 0):
                message = _(
                    "%(code)s reports %(reported)s, but %(related)s went from %(first)s to %(second)s "
                    "(%(computed)s): the two contradict each other."
                ) % {
                    "code": rule.indicator,
                    "reported": _signed_percent_text(value),
                    "related": rule.related,
                    "first": _number_text(first),
                    "second": _number_text(second),
                    "computed": _signed_percent_text(computed),
                }
                found.append(Violation(rule.code, rule.kind, rule.indicator, rule.related, message))
        elif rule.kind == ConsistencyRule.Kind.BOUNDS:
            if value is None:
                continue
            if (rule.low is not None and value < rule.low) or (rule.high is not None and value > rule.high):
                message = _("%(code)s is %(value)s, outside the plausible range %(low)s to %(high)s.") % {
                    "code": rule.indicator,
                    "value": _number_text(value),
                    "low": _number_text(rule.low) if rule.low is not None else "−∞",
                    "high": _number_text(rule.high) if rule.high is not None else "∞",
                }
                found.append(Violation(rule.code, rule.kind, rule.indicator, None, message))
        elif rule.kind == ConsistencyRule.Kind.JUMP:
            first = before.get(rule.indicator)
            if value is None or first is None or first <= 0:
                continue
            change = 100 * (value - first) / first
            if abs(change) > (rule.tolerance or 0):
                message = _(
                    "%(code)s went from %(first)s to %(second)s (%(change)s): a larger change than the "
                    "%(limit)s%% that is plausible."
                ) % {
                    "code": rule.indicator,
                    "first": _number_text(first),
                    "second": _number_text(value),
                    "change": _signed_percent_text(change),
                    "limit": _number_text(rule.tolerance or 0),
                }
                found.append(Violation(rule.code, rule.kind, rule.indicator, None, message))
    return found


def consistency_check(*, country: Country, period: ReportingPeriod) -> list[Violation]:
    """The rules a country's figures for ``period`` break (what the review page shows beside them).

    The period's values count whatever their state (a reviewer checks them before approving); the
    period before it counts with approved values only. Queries: rules (1), periods (1), values (2).
    """
    rules = rule_specs(active_rules())
    previous = period_before(period=period, periods=periods_in_order())

    def numbers(queryset) -> dict[str, Decimal | None]:
        return dict(
            queryset.filter(number_value__isnull=False).values_list("indicator__code", "number_value")
        )

    after = numbers(IndicatorValue.objects.filter(country=country, period=period))
    before = (
        numbers(IndicatorValue.objects.approved().filter(country=country, period=previous))
        if previous
        else {}
    )
    return consistency_violations(rules=rules, before=before, after=after)
