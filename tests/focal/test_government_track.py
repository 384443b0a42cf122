"""The government's track on the staff's own pages: beside each item of the data entry page, and in each
cell of the completeness matrix, whether the government reported and whether it differs from the
rapporteur's figure (focal.selectors' divergence, not a second one). Queries pinned."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from commitments import services as commitment_services
from commitments.models import Country
from focal.models import SelfReportProgress, SelfReportValue, SelfStatus
from tests.commitments.views_support import give_value, signed_in
from tests.factories import CommitmentFactory

pytestmark = pytest.mark.django_db


def submitted_value(country, indicator, period, number) -> SelfReportValue:
    return SelfReportValue.objects.create(
        country=country,
        indicator=indicator,
        period=period,
        number_value=Decimal(number),
        status=SelfStatus.SUBMITTED,
        submitted_at=timezone.now(),
    )


@pytest.fixture
def tracks(nl, be, staff_nl, indicator, progress_period):
    """The Netherlands: the government agrees on VI-2 (40), differs on VI-5 (9 against the rapporteur's 6),
    rates a commitment substantial where the rapporteur says limited, and has not reported VI-3.
    Belgium's government reported VI-2 too (staff of the Netherlands never see it)."""
    give_value(country=nl, indicator=indicator("VI-2"), period=progress_period, user=staff_nl, number="40")
    give_value(country=nl, indicator=indicator("VI-5"), period=progress_period, user=staff_nl, number="6")
    submitted_value(nl, indicator("VI-2"), progress_period, 40)
    submitted_value(nl, indicator("VI-5"), progress_period, 9)
    submitted_value(be, indicator("VI-2"), progress_period, 11)
    commitment = CommitmentFactory(country=nl, goal=indicator("VI-2").goal, title="Train the districts")
    commitment_services.commitment_progress_save(
        commitment=commitment, period=progress_period, user=staff_nl, completion="limited"
    )
    SelfReportProgress.objects.create(
        country=nl,
        commitment=commitment,
        period=progress_period,
        completion="substantial",
        status=SelfStatus.SUBMITTED,
        submitted_at=timezone.now(),
    )
    return commitment


def entry_url(period) -> str:
    return reverse("data_entry", args=["NL", period.pk])


def matrix_url(period) -> str:
    return reverse("completeness_period", args=[period.pk])


def row_of(html: str, code: str) -> str:
    start = html.index(f'id="indicator-{code}"')
    return html[start : html.index('class="entry-row', start + 1)]


class TestDataEntry:
    def test_each_item_says_what_the_government_reported_and_flags_where_it_differs(
        self, tracks, staff_nl, progress_period
    ):
        html = signed_in(staff_nl).get(entry_url(progress_period)).content.decode()

        assert "14 figures" not in html
        assert "3 figures submitted, 2 differing from the rapporteur" in html
        same = row_of(html, "VI-2")
        assert "Government:</span> 40" in same and "the same as the rapporteur" in same
        assert "Differs" not in same
        differs = row_of(html, "VI-5")
        assert "Government:</span> 9" in differs
        assert "The rapporteur has 6 FTE where the government reports 9 FTE." in differs
        assert "Government: not reported" in row_of(html, "VI-3")
        assert "Differs" not in html[: html.index('id="indicator-VI-5"')]  # (VI-2 above it agrees)
        commitments = html[html.index('id="commitments"') :]
        assert "The rapporteur rates limited where the government reports substantial." in commitments
        assert reverse("focal_review", args=["NL", progress_period.pk]) in html

    def test_without_a_self_report_the_page_says_so_once(self, staff_nl, baseline_period):
        html = signed_in(staff_nl).get(entry_url(baseline_period)).content.decode()

        assert "The government has submitted no self-report for this period." in html
        assert "Government: not reported" not in html

    def test_the_rapporteurs_drafts_are_compared_where_the_reader_may_read_them(
        self, tracks, reviewer, progress_period
    ):
        # VI-5's 6 is a draft: a reviewer (who edits every country) compares with it too.
        html = signed_in(reviewer).get(entry_url(progress_period)).content.decode()
        assert "The rapporteur has 6 FTE where the government reports 9 FTE." in html

    # The data entry page's queries (tests/commitments/test_views_data_entry.py) but the follow-ups (no
    # recommendations here): 1-12; then the government's track: 13 rapporteur's values, 14 rapporteur's
    # progress, 15 submitted government values with their indicators, 16 submitted government progress
    # with its commitments.
    QUERIES = 16

    def test_queries_do_not_grow_with_the_governments_answers(
        self, tracks, staff_nl, nl, indicator, progress_period, django_assert_num_queries
    ):
        client = signed_in(staff_nl)
        with django_assert_num_queries(self.QUERIES):
            assert client.get(entry_url(progress_period)).status_code == 200
        for code in ("VI-1", "VI-3", "VS-1", "VS-2", "PR-1"):
            submitted_value(nl, indicator(code), progress_period, 3)
        with django_assert_num_queries(self.QUERIES):
            assert client.get(entry_url(progress_period)).status_code == 200


class TestCompletenessMatrix:
    def test_a_cell_counts_the_governments_figures_and_those_that_differ(
        self, tracks, staff_nl, progress_period
    ):
        matrix = signed_in(staff_nl).get(matrix_url(progress_period)).context["matrix"]

        cells = {(row.country.code, cell.goal.code): cell for row in matrix.rows for cell in row.cells}
        victim_id = cells[("NL", "VICTIM_ID")].government
        assert (victim_id.reported, victim_id.differ) == (3, 2)  # VI-2 same; VI-5 and the rating differ
        assert cells[("NL", "PREVENTION")].government is None
        # Belgium's self-report is for the secretariat and Belgium: not for staff of the Netherlands.
        assert cells[("BE", "VICTIM_ID")].government is None

    def test_the_cell_shows_it(self, tracks, staff_nl, reviewer, progress_period):
        html = signed_in(staff_nl).get(matrix_url(progress_period)).content.decode()
        assert html.count("government: 3 figures, 2 differ") == 1
        assert "government: 1 figure" not in html  # Belgium's

        html = signed_in(reviewer).get(matrix_url(progress_period)).content.decode()
        assert "government: 3 figures, 2 differ" in html
        # Belgium's figure has no rapporteur's figure beside it yet: reported, not contradicted.
        assert "government: 1 figure" in html and "government: 1 figure," not in html

    # The matrix's 11 queries (tests/commitments/test_views_completeness.py) and the government's track
    # of the countries the reader edits: 12 rapporteur's values, 13 rapporteur's progress, 14 submitted
    # government values with their indicators, 15 submitted government progress with its commitments.
    QUERIES = 15

    def test_queries_do_not_grow_with_countries_and_answers(
        self, tracks, reviewer, indicator, progress_period, django_assert_num_queries
    ):
        client = signed_in(reviewer)
        with django_assert_num_queries(self.QUERIES):
            assert client.get(matrix_url(progress_period)).status_code == 200
        for number in range(4):
            country = Country.objects.create(
                code=f"Z{number}",
                name_en=f"Testland {number}",
                name_nl=f"Testland {number}",
                region="Asia",
                membership="founding",
                joined_on=dt.date(2012, 12, 5),
            )
            submitted_value(country, indicator("VI-2"), progress_period, number)
        with django_assert_num_queries(self.QUERIES):
            assert client.get(matrix_url(progress_period)).status_code == 200
