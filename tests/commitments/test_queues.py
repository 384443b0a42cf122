"""Work queues first: each role's home starts with its own queue, paged and filterable."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from commitments.models import Country, CountryAssignment, IndicatorValue, ReportingPeriod
from commitments.selectors import QueueFilters, review_queue, staff_queue
from commitments.services import reviewable_transition
from tests.commitments.views_support import give_value, signed_in

pytestmark = pytest.mark.django_db

LETTERS = "ABCDEFGHIJLMNOPQRSTUV"  # X + letter: user-assigned codes, never XK (Kosovo)
CODES = ["VI-2", "VI-5", "VS-2", "VS-4", "RA-2", "PR-2"]


def submit(value, user):
    return reviewable_transition(item=value, expected_version=value.version, action="submit", user=user)


def give_and_submit(*, country, codes, period, user, indicator, days_ago=0, number="5"):
    items = []
    for code in codes:
        value = submit(
            give_value(country=country, indicator=indicator(code), period=period, user=user, number=number),
            user,
        )
        if days_ago:
            IndicatorValue.objects.filter(pk=value.pk).update(
                submitted_at=timezone.now() - dt.timedelta(days=days_ago)
            )
        items.append(value)
    return items


@pytest.fixture
def waiting(nl, be, staff_nl, staff_be, indicator, progress_period, baseline_period):
    """Belgium 2014: 2 items waiting 10 days; the Netherlands 2014: 3 items waiting 2 days; NL 2013: 1."""
    give_and_submit(
        country=be, codes=CODES[:2], period=progress_period, user=staff_be, indicator=indicator, days_ago=10
    )
    give_and_submit(
        country=nl, codes=CODES[:3], period=progress_period, user=staff_nl, indicator=indicator, days_ago=2
    )
    give_and_submit(country=nl, codes=CODES[:1], period=baseline_period, user=staff_nl, indicator=indicator)


class TestTheReviewQueue:
    def test_one_line_per_country_and_period_the_longest_waiting_first(self, waiting, reviewer):
        queue = review_queue(user=reviewer)
        lines = [(w.country.code, w.period.label, w.count, w.age) for w in queue.page]
        assert lines == [
            ("BE", "2014 progress", 2, 10),
            ("NL", "2014 progress", 3, 2),
            ("NL", "2013 baseline", 1, 0),
        ]
        assert queue.total_items == 6 and queue.total_groups == 3

    def test_filtered_by_country_and_period(self, waiting, reviewer, progress_period):
        queue = review_queue(user=reviewer, filters=QueueFilters(country="NL", period=progress_period.pk))
        assert [(w.country.code, w.count) for w in queue.page] == [("NL", 3)]

    def test_counts_what_the_reviewer_may_not_judge(
        self, waiting, administrator, nl, indicator, progress_period
    ):
        give_and_submit(
            country=nl,
            codes=["PR-1"],
            period=progress_period,
            user=administrator,
            indicator=indicator,
            number="3",
        )
        queue = review_queue(user=administrator)
        nl_2014 = next(w for w in queue.page if w.country.code == "NL" and w.period == progress_period)
        assert (nl_2014.count, nl_2014.own) == (4, 1)

    def test_staff_have_no_review_queue(self, waiting, staff_nl):
        assert review_queue(user=staff_nl).total_items == 0

    def test_long_queues_are_paged(self, reviewer, staff_nl, indicator, progress_period):
        for number in range(17):
            country = Country.objects.create(
                code=f"X{LETTERS[number]}",
                name_en=f"Queueland {number:02}",
                name_nl=f"Queueland {number:02}",
                region="Asia",
                membership="founding",
                joined_on=dt.date(2012, 12, 5),
            )
            give_and_submit(
                country=country, codes=["VI-2"], period=progress_period, user=reviewer, indicator=indicator
            )
        first, second = review_queue(user=reviewer, page=1), review_queue(user=reviewer, page="2")
        assert len(first.page) == 15 and len(second.page) == 2
        assert review_queue(user=reviewer, page="999").page.number == 2  # out of range: the last page


class TestTheStaffQueue:
    @pytest.fixture
    def returned(self, nl, staff_nl, reviewer, indicator, progress_period):
        items = []
        for code in CODES:
            value = submit(
                give_value(
                    country=nl, indicator=indicator(code), period=progress_period, user=staff_nl, number="5"
                ),
                staff_nl,
            )
            items.append(
                reviewable_transition(
                    item=value,
                    expected_version=value.version,
                    action="return",
                    user=reviewer,
                    reason=f"Check {code}.",
                )
            )
        return items

    def test_returned_to_you_newest_first_and_paged(self, returned, staff_nl):
        queue = staff_queue(user=staff_nl)
        assert queue.returned_total == 6
        assert [line.title.split()[0] for line in queue.returned] == list(reversed(CODES))
        assert staff_queue(user=staff_nl, page=1).returned.paginator.num_pages == 1

    def test_staff_of_another_country_see_none_of_it(self, returned, staff_be):
        assert staff_queue(user=staff_be).returned_total == 0

    def test_due_soon_lists_what_is_still_to_submit(self, returned, staff_nl, progress_period):
        today = progress_period.deadline - dt.timedelta(days=10)
        queue = staff_queue(user=staff_nl, today=today)
        due = [d for d in queue.due_soon if d.period == progress_period]
        assert [(d.country.code, d.days_left, d.returned, d.submitted) for d in due] == [("NL", 10, 6, 0)]
        assert due[0].missing == due[0].expected
        # The 2013 baseline is still open and long past its deadline: it comes first, as overdue.
        assert queue.due_soon[0].overdue and queue.due_soon[0].period.label == "2013 baseline"
        far = staff_queue(user=staff_nl, today=progress_period.deadline - dt.timedelta(days=90))
        assert all(d.period != progress_period for d in far.due_soon)


class TestTheHomePage:
    def test_a_reviewers_home_starts_with_the_queue(self, waiting, reviewer):
        html = signed_in(reviewer).get(reverse("home")).content.decode()
        assert html.index("Waiting for your review") < html.index("Deadlines")
        assert "Belgium · 2014 progress" in html and "10 days" in html

    def test_a_wait_of_years_reads_as_its_date_not_thousands_of_days(
        self, be, staff_be, indicator, progress_period, reviewer
    ):
        # The demo's 2014 submissions waited 4549 days on the home page of a run in 2026.
        items = give_and_submit(
            country=be, codes=CODES[:1], period=progress_period, user=staff_be, indicator=indicator
        )
        since = timezone.make_aware(dt.datetime(2014, 9, 16, 12, 0))
        IndicatorValue.objects.filter(pk=items[0].pk).update(submitted_at=since)
        html = signed_in(reviewer).get(reverse("home")).content.decode()
        assert '<time datetime="2014-09-16">16 September 2014</time>' in html
        assert " days</span>" not in html

    def test_a_focal_points_home_links_no_page_it_may_not_open(self, focal_nl, progress_period, staff_nl):
        # The deadlines' "Who has reported" link led focal points to a 403.
        html = signed_in(focal_nl).get(reverse("home")).content.decode()
        assert reverse("completeness_period", args=[progress_period.pk]) not in html
        html = signed_in(staff_nl).get(reverse("home")).content.decode()
        assert reverse("completeness_period", args=[progress_period.pk]) in html

    def test_a_staff_home_starts_with_returned_and_due_soon(self, waiting, staff_nl):
        html = signed_in(staff_nl).get(reverse("home")).content.decode()
        assert html.index("Returned to you") < html.index("Due soon") < html.index("Deadlines")
        assert "Waiting for your review" not in html

    def test_the_queue_filter_and_page_come_from_the_address(self, waiting, reviewer, progress_period):
        response = signed_in(reviewer).get(
            reverse("home"), {"r-country": "be", "r-period": progress_period.pk}
        )
        assert [w.country.code for w in response.context["queue"].page] == ["BE"]
        response = signed_in(reviewer).get(reverse("home"), {"r-country": "<script>", "r-page": "x"})
        assert response.status_code == 200 and response.context["queue"].total_groups == 3


class TestQueryCounts:
    # Reviewer: 1 session, 2 user, 3 groups, 4-6 submitted items grouped (3 kinds), 7 their countries,
    # 8 their periods, then the home page's other panels (deadlines, texts, drafts): 9 open periods,
    # 10 countries, 11-16 returned and grouped drafts per kind (attention_for), 17-19 texts.
    def _grow(self, reviewer, indicator, period):
        for number in range(4):
            country = Country.objects.create(
                code=f"W{chr(70 + number)}",
                name_en=f"Growland {number}",
                name_nl=f"Growland {number}",
                region="Asia",
                membership="founding",
                joined_on=dt.date(2012, 12, 5),
            )
            give_and_submit(
                country=country, codes=CODES[:2], period=period, user=reviewer, indicator=indicator
            )
            CountryAssignment.objects.create(
                user=type(reviewer).objects.get(username="anna-nl"), country=country
            )

    def test_the_reviewers_home(
        self, waiting, reviewer, indicator, progress_period, django_assert_max_num_queries
    ):
        client = signed_in(reviewer)
        with django_assert_max_num_queries(25) as before:
            client.get(reverse("home"))
        self._grow(reviewer, indicator, progress_period)
        ReportingPeriod.objects.update(is_open=True)
        with django_assert_max_num_queries(25) as after:
            client.get(reverse("home"))
        assert len(after.captured_queries) == len(before.captured_queries)

    def test_the_staff_home(
        self, waiting, staff_nl, reviewer, indicator, progress_period, django_assert_max_num_queries
    ):
        client = signed_in(staff_nl)
        with django_assert_max_num_queries(30) as before:
            client.get(reverse("home"))
        self._grow(reviewer, indicator, progress_period)
        with django_assert_max_num_queries(30) as after:
            client.get(reverse("home"))
        assert len(after.captured_queries) == len(before.captured_queries)
