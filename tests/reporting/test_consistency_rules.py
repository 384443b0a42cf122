"""Consistency rules as data: one function evaluates them; the report flags every figure that breaks one,
and the ICSE verdict does not take a reported change the counts contradict."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.utils import translation

from commitments.models import ConsistencyRule, Country, Indicator
from commitments.selectors import RuleSpec, consistency_check, consistency_violations, rule_specs
from reporting import selectors
from reporting.content import Book

from .conftest import give
from .test_honest_numbers import build, squash


@pytest.fixture
def croatia(db) -> Country:
    return Country.objects.get(code="HR")


@pytest.fixture
def croatia_contradicts(croatia, baseline_period, progress_period):
    """Croatia: victims identified 69 -> 66 (-4.3%), yet a reported change of +15.2% ("met")."""
    give(croatia, "VI-2", baseline_period, 69)
    give(croatia, "VI-2", progress_period, 66)
    give(croatia, "VI-3", progress_period, "15.2")
    return croatia


def spec(kind, indicator, related=None, low=None, high=None, tolerance=None) -> RuleSpec:
    as_decimal = lambda value: None if value is None else Decimal(str(value))  # noqa: E731
    return RuleSpec(
        f"test-{kind}", kind, indicator, related, as_decimal(low), as_decimal(high), as_decimal(tolerance), ""
    )


@pytest.mark.parametrize(
    ("rule", "before", "after", "broken"),
    [
        (spec("change", "VI-3", "VI-2", tolerance=5), {"VI-2": 69}, {"VI-2": 66, "VI-3": "15.2"}, True),
        (spec("change", "VI-3", "VI-2", tolerance=5), {"VI-2": 100}, {"VI-2": 112, "VI-3": 12}, False),
        (spec("change", "VI-3", "VI-2", tolerance=5), {"VI-2": 100}, {"VI-2": 101, "VI-3": -2}, True),  # sign
        (spec("change", "VI-3", "VI-2", tolerance=5), {"VI-2": 100}, {"VI-2": 120, "VI-3": 12}, True),  # 8 pp
        (spec("change", "VI-3", "VI-2", tolerance=5), {}, {"VI-2": 66, "VI-3": 15}, False),  # cannot check
        (spec("change", "VI-3", "VI-2", tolerance=5), {"VI-2": 0}, {"VI-2": 6, "VI-3": 15}, False),  # from 0
        (spec("bounds", "RA-2", low=0, high=365), {}, {"RA-2": 400}, True),
        (spec("bounds", "RA-2", low=0, high=365), {}, {"RA-2": 365}, False),
        (spec("bounds", "RA-2", low=0, high=365), {}, {}, False),  # missing is not a breach
        (spec("jump", "SU-2", tolerance=200), {"SU-2": 10}, {"SU-2": 31}, True),
        (spec("jump", "SU-2", tolerance=200), {"SU-2": 10}, {"SU-2": 30}, False),
        (spec("jump", "SU-2", tolerance=200), {"SU-2": 10}, {"SU-2": 1}, False),  # -90%
    ],
)
def test_one_function_evaluates_every_kind_of_rule(rule, before, after, broken):
    as_numbers = lambda values: {k: Decimal(str(v)) for k, v in values.items()}  # noqa: E731
    with translation.override("en"):
        found = consistency_violations(rules=[rule], before=as_numbers(before), after=as_numbers(after))
    assert bool(found) == broken


def test_the_rules_are_seeded_and_stored_as_data(db):
    rule = ConsistencyRule.objects.get(code="icse-change-agrees")
    assert (rule.kind, rule.indicator.code, rule.related_indicator.code, rule.tolerance) == (
        "change",
        "VI-3",
        "VI-2",
        Decimal(5),
    )
    assert rule.description_nl and rule.history.exists()  # editable, with history
    with translation.override("nl"):
        assert rule_specs([rule])[0].description == rule.description_nl


def test_a_rule_without_what_its_kind_needs_is_refused(db):
    from django.core.exceptions import ValidationError

    rule = ConsistencyRule(
        code="broken", kind="change", indicator=Indicator.objects.get(code="VI-3"), description_en="x"
    )
    with pytest.raises(ValidationError, match="names the indicator it is computed from"):
        rule.full_clean()


def test_the_report_flags_the_contradiction_and_the_icse_verdict_cannot_tell(
    reviewer, evaluation_round, report_media, croatia_contradicts
):
    with translation.override("en"):
        book = Book(selectors.report_data(evaluation_round=evaluation_round, country=croatia_contradicts))
    row = book.icse(book.countries[0])
    assert row.reported_change == Decimal("15.2") and row.verdict == "unknown"
    assert row.verdict_label == "cannot tell" and "contradict" in row.contradiction

    report, text = build(reviewer=reviewer, evaluation_round=evaluation_round, country=croatia_contradicts)
    flat = squash(text)
    message = "VI-3 reports +15.2%, but VI-2 went from 69 to 66 (−4.3%): the two contradict each other."
    assert f"Inconsistent: {message}" in flat  # beside the figures, in the indicator table and ICSE table
    assert flat.count(f"Inconsistent: {message}") >= 3  # VI-2's row, VI-3's row, the ICSE table
    assert "1 figures break" not in flat and "One figure breaks a consistency rule" in flat
    assert re.search(r"Croatia\s+69\s+66\s+−4\.3%\s+\+15\.2%\s+cannot tell", text)
    assert not re.search(r"Croatia\s+69\s+66\s+−4\.3%\s+\+15\.2%\s+met", text)


def test_an_administrator_retiring_a_rule_changes_what_is_flagged(
    evaluation_round, croatia_contradicts, progress_period
):
    ConsistencyRule.objects.filter(code="icse-change-agrees").update(is_active=False)
    with translation.override("en"):
        book = Book(selectors.report_data(evaluation_round=evaluation_round, country=croatia_contradicts))
    assert book.violations(book.countries[0]) == []
    assert book.icse(book.countries[0]).verdict == "met"  # as reported, now that no rule objects


def test_the_review_page_selector_checks_a_period_with_the_same_rules(
    croatia_contradicts, progress_period, django_assert_num_queries
):
    # rules with their indicators (1), periods (1), the period's values (1), the period before's (1)
    with translation.override("en"), django_assert_num_queries(4):
        found = consistency_check(country=croatia_contradicts, period=progress_period)
    assert [violation.rule for violation in found] == ["icse-change-agrees"]
