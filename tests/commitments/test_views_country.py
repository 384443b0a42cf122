"""The country page: per goal, indicators across periods (direction-aware), commitments, recommendations."""

from __future__ import annotations

import pytest
from django.urls import reverse

from commitments.models import Country, Goal, Indicator
from commitments.services import (
    commitment_progress_save,
    follow_up_save,
    government_response_save,
    reviewable_transition,
)
from tests.commitments.views_support import give_value, signed_in
from tests.factories import CommitmentFactory, RecommendationFactory

pytestmark = pytest.mark.django_db


def approve(item, *, staff, reviewer):
    item = reviewable_transition(item=item, expected_version=item.version, action="submit", user=staff)
    return reviewable_transition(item=item, expected_version=item.version, action="approve", user=reviewer)


@pytest.fixture
def netherlands(nl, staff_nl, reviewer, indicator, baseline_period, progress_period):
    """Takedown time fell from 5 to 3 days (approved); victims identified: approved baseline, draft 2014."""
    for period, days in ((baseline_period, "5"), (progress_period, "3")):
        value = give_value(country=nl, indicator=indicator("RA-2"), period=period, user=staff_nl, number=days)
        approve(value, staff=staff_nl, reviewer=reviewer)
    value = give_value(
        country=nl, indicator=indicator("VI-2"), period=baseline_period, user=staff_nl, number="200"
    )
    approve(value, staff=staff_nl, reviewer=reviewer)
    give_value(country=nl, indicator=indicator("VI-2"), period=progress_period, user=staff_nl, number="1234")
    commitment = CommitmentFactory(
        title="Join INHOPE's ICCAM platform", goal=Goal.objects.get(code="REDUCE_AVAILABILITY")
    )
    approve(
        commitment_progress_save(
            commitment=commitment,
            period=progress_period,
            user=staff_nl,
            completion="complete",
            narrative="Connected in March.",
        ),
        staff=staff_nl,
        reviewer=reviewer,
    )
    recommendation = RecommendationFactory(number="7", text="Measure takedown times.", goal=commitment.goal)
    government_response_save(
        user=reviewer,
        recommendation=recommendation,
        response="adopted",
        reference="31015-158",
        responded_on=progress_period.ends_on,
    )
    follow_up_save(
        recommendation=recommendation, period=progress_period, user=staff_nl, follow_up="in_progress"
    )
    return nl


def country_url(country) -> str:
    return reverse("country_detail", args=[country.code])


def test_a_fall_in_takedown_time_is_progress(netherlands, staff_nl):
    response = signed_in(staff_nl).get(country_url(netherlands))
    section = next(s for s in response.context["overview"].goals if s.goal.code == "REDUCE_AVAILABILITY")
    line = next(line for line in section.indicators if line.indicator.code == "RA-2")
    assert (line.baseline.number_value, line.latest.number_value, line.trend) == (5, 3, "improved")
    assert "Progress" in response.content.decode()


def test_each_goal_has_a_chart_with_its_figures_as_a_table(netherlands, minister):
    html = signed_in(minister).get(country_url(netherlands)).content.decode()
    assert html.count('<svg xmlns="http://www.w3.org/2000/svg"') >= 2
    assert 'role="img" aria-label="RA-2 Median notice-and-takedown time' in html
    assert "Figures of the chart: RA-2" in html and '<th scope="row">2014 progress</th><td>3</td>' in html


def test_commitments_and_recommendations_with_their_response_and_follow_up(netherlands, staff_nl):
    html = signed_in(staff_nl).get(country_url(netherlands)).content.decode()
    assert (
        "Join INHOPE&#x27;s ICCAM platform" in html and "Complete" in html and "Connected in March." in html
    )
    assert "Recommendation 7" in html and "Adopted" in html and "31015-158" in html and "In progress" in html


class TestWhoSeesWhat:
    def test_staff_of_the_country_see_its_drafts_and_edit_links(self, netherlands, staff_nl):
        response = signed_in(staff_nl).get(country_url(netherlands))
        html = response.content.decode()
        assert "1.234" in html or "1,234" in html  # the draft 2014 figure
        assert "Enter data: 2014 progress" in html and "Edit commitment" in html

    def test_ministers_see_approved_figures_only_and_no_edit_controls(self, netherlands, minister):
        html = signed_in(minister).get(country_url(netherlands)).content.decode()
        assert "Approved data only." in html
        assert "1,234" not in html and "1.234" not in html  # the draft
        assert "200" in html  # the approved baseline
        assert "Not reported" not in html and "In progress" not in html  # the draft follow-up is hidden
        for control in (
            "Enter data",
            "Edit commitment",
            "Add a commitment",
            "Review:",
            '<form method="post" novalidate',
        ):
            assert control not in html

    def test_staff_of_another_country_see_approved_data_only(self, netherlands, staff_be):
        html = signed_in(staff_be).get(country_url(netherlands)).content.decode()
        assert "Approved data only." in html and "1,234" not in html and "Enter data" not in html


class TestQueryCounts:
    # 1 session, 2 user, 3 country, 4 user's groups, 5 user's country assignments, 6 periods, 7 goals,
    # 8 active indicators, 9 the country's values, 10 commitments, 11 their progress,
    # 12 recommendations with their response, 13 their follow-ups, 14 the latest evaluation round (its step),
    # 15 the government's latest submitted self-report (focal/: the two tracks, for those who may read it;
    # none submitted here, so no more), 16-19 the country's public items not yet withheld, of the four kinds
    # that carry a "withhold" link (values, commitments, progress, responses: the staff speak for NL).
    QUERIES = 19

    def grow(self, *, nl, staff, periods, number: int) -> None:
        goal = Goal.objects.get(code="PREVENTION")
        for extra in range(number):
            indicator = Indicator.objects.create(
                code=f"YY-{number}-{extra}",
                goal=goal,
                name_en=f"Extra {extra}",
                value_type="percentage",
                order=80,
            )
            commitment = CommitmentFactory(goal=goal)
            recommendation = RecommendationFactory(goal=goal)
            for period in periods:
                give_value(country=nl, indicator=indicator, period=period, user=staff, number=str(extra))
                commitment_progress_save(
                    commitment=commitment, period=period, user=staff, completion="limited"
                )
                follow_up_save(
                    recommendation=recommendation, period=period, user=staff, follow_up="in_progress"
                )
        Country.objects.create(
            code=f"Q{number % 10}",
            name_en="Testland",
            name_nl="Testland",
            region="Europe",
            membership="founding",
            joined_on=periods[0].starts_on,
        )

    def test_the_country_page(
        self, nl, staff_nl, baseline_period, progress_period, django_assert_num_queries
    ):
        periods = [baseline_period, progress_period]
        self.grow(nl=nl, staff=staff_nl, periods=periods, number=1)
        client = signed_in(staff_nl)
        with django_assert_num_queries(self.QUERIES):
            assert client.get(country_url(nl)).status_code == 200
        self.grow(nl=nl, staff=staff_nl, periods=periods, number=8)
        with django_assert_num_queries(self.QUERIES):
            assert client.get(country_url(nl)).status_code == 200


def test_the_country_list_links_every_member(staff_nl):
    response = signed_in(staff_nl).get(reverse("country_list"))
    assert response.status_code == 200
    assert 'href="/countries/NL/"' in response.content.decode()
