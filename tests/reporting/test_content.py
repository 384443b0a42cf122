"""What a report says: direction-aware changes, missing data kept missing, the ICSE target, the snapshot."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.utils import translation

from commitments.models import Status
from reporting import selectors
from reporting.content import Book, IndicatorInfo, ReportDataError, compare

from .conftest import give


def indicator(value_type="number", direction="up") -> IndicatorInfo:
    return IndicatorInfo(1, "X-1", 1, "Test", "", value_type, "", direction, "", "", True)


@pytest.mark.parametrize(
    ("value_type", "direction", "baseline", "evaluation", "change", "assessment"),
    [
        ("number", "up", Decimal(568), Decimal(612), "+44 (+7.7%)", "improved"),
        ("number", "down", Decimal(4), Decimal(3), "−1 (−25%)", "improved"),  # fewer days: better
        ("number", "down", Decimal(3), Decimal(4), "+1 (+33.3%)", "worsened"),
        ("number", "up", Decimal(0), Decimal(5), "+5", "improved"),  # no percentage of zero
        ("number", "neutral", Decimal(100), Decimal(200), "+100 (+100%)", "context"),  # never judged
        ("percentage", "up", Decimal("59.6"), Decimal("83.2"), "+23.6 pp", "improved"),
        ("maturity", "up", Decimal(2), Decimal(2), "±0", "unchanged"),
        ("boolean", "up", False, True, "no → yes", "improved"),
        ("boolean", "up", True, False, "yes → no", "worsened"),
        ("number", "up", None, Decimal(612), "—", "missing"),
        ("number", "up", Decimal(0), None, "—", "missing"),  # a zero baseline is a value; missing is not
        ("text", "up", "a", "b", "", "not_compared"),
    ],
)
def test_changes_are_judged_by_the_indicator_direction(
    value_type, direction, baseline, evaluation, change, assessment
):
    with translation.override("en"):
        assert compare(indicator(value_type, direction), baseline, evaluation)[:2] == (change, assessment)


@pytest.fixture
def book_of(evaluation_round):
    def build(country=None, language="en") -> Book:
        with translation.override(language):
            return Book(selectors.report_data(evaluation_round=evaluation_round, country=country))

    return build


def test_missing_values_are_printed_as_missing_never_as_zero(book_of, nl, netherlands_data):
    book = book_of(nl)
    country = book.countries[0]
    rows = {
        row.indicator.code: row
        for goal in book.goals
        for row in book.comparisons_for(country=country, goal=goal)
    }
    assert rows["VI-2"].baseline.text == "568" and rows["VI-2"].evaluation.text == "612"
    assert rows["VI-1"].baseline.missing and rows["VI-1"].baseline.text == "no data"
    assert rows["VS-2"].evaluation.missing  # a draft is not data yet
    tally = book.overall_tally(countries=[country])
    assert (tally.improved, tally.worsened) == (3, 0)  # VI-2 up, VI-6 up, RA-2 down (fewer days)


def test_the_icse_target_uses_the_reported_change_or_else_the_victims_counted(
    book_of, nl, be, baseline_period, progress_period
):
    give(nl, "VI-2", baseline_period, 100)
    give(nl, "VI-2", progress_period, 109)  # +9%: not met ...
    give(be, "VI-2", baseline_period, 100)
    give(be, "VI-2", progress_period, 108)  # +8% counted ...
    give(be, "VI-3", progress_period, 12)  # ... but Belgium reports +12% itself (consistent): that counts
    book = book_of()
    rows = {row.country.code: row for row in book.icse_rows}
    assert (rows["NL"].verdict, rows["NL"].computed_change) == ("not_met", Decimal(9))
    assert rows["BE"].verdict == "met" and rows["BE"].reported_change == Decimal(12)
    assert rows["DE"].verdict == "unknown"  # no data: the report cannot tell
    assert book.icse_counts == {"met": 1, "not_met": 1, "unknown": len(book.countries) - 2}


def test_the_snapshot_changes_with_approved_data_only(evaluation_round, nl, baseline_period, progress_period):
    def snapshot():
        return selectors.data_snapshot(selectors.report_data(evaluation_round=evaluation_round, country=nl))

    give(nl, "VI-2", baseline_period, 568)
    first = snapshot()
    assert snapshot() == first  # the same data, the same snapshot
    give(nl, "VS-2", progress_period, "50", status=Status.DRAFT)
    assert snapshot() == first  # drafts are not in the report
    give(nl, "VI-2", progress_period, 612)
    assert snapshot() != first


def test_data_the_report_cannot_print_is_refused_with_a_message_that_says_where(book_of, nl, baseline_period):
    value = give(nl, "VI-2", baseline_period, 1)
    with connection.cursor() as cursor:  # the ORM refuses NaN; an import script might not
        cursor.execute("UPDATE commitments_indicatorvalue SET number_value = 'NaN' WHERE id = %s", [value.pk])
    with pytest.raises(ReportDataError, match=r"VI-2 for Netherlands in the 2013 baseline period .*\(NaN\)"):
        book_of(nl)


def test_the_report_data_is_read_in_a_fixed_number_of_queries(
    evaluation_round, several_countries, django_assert_num_queries
):
    # round with its periods (1), goals (1), countries (1), values (1), indicators (1), commitments (1),
    # progress (1), recommendations with their responses (1), consistency rules (1), approved findings (1),
    # latest change of each kind of data (4); the follow-ups query is skipped: no recommendations
    with django_assert_num_queries(14):
        data = selectors.report_data(evaluation_round=evaluation_round)
    assert len(data["countries"]) > 40 and len(data["values"]) == 8 * 9


def test_commitments_made_after_the_evaluation_period_belong_to_the_next_round(
    evaluation_round, nl, progress_period
):
    import datetime as dt

    from django.utils import timezone

    from commitments.models import CommitmentProgress
    from tests.factories import CommitmentFactory

    kept = CommitmentFactory(country=nl, committed_on=dt.date(2013, 4, 15))
    # Decided at the ministers' meeting of September 2014: the next round's, not this round's.
    later = CommitmentFactory(country=nl, committed_on=dt.date(2014, 9, 30))
    for commitment in (kept, later):
        CommitmentProgress.objects.create(
            commitment=commitment,
            period=progress_period,
            completion="limited",
            status=Status.APPROVED,
            submitted_at=timezone.now(),
            approved_at=timezone.now(),
        )
    data = selectors.report_data(evaluation_round=evaluation_round, country=nl)
    assert [item["id"] for item in data["commitments"]] == [kept.pk]
    assert [row[0] for row in data["progress"]] == [kept.pk]
