"""The review page that decides: context beside each item, and one form for a whole country and period."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import override_settings
from django.urls import reverse

from commitments.models import Country, Indicator, IndicatorValue, Status
from commitments.selectors import review_context
from commitments.services import reviewable_transition
from tests.commitments.views_support import give_value, signed_in

pytestmark = pytest.mark.django_db


def submitted(value, user):
    return reviewable_transition(item=value, expected_version=value.version, action="submit", user=user)


def approved(value, *, staff, reviewer):
    value = submitted(value, staff)
    return reviewable_transition(item=value, expected_version=value.version, action="approve", user=reviewer)


@pytest.fixture
def waiting(nl, staff_nl, reviewer, administrator, indicator, baseline_period, progress_period):
    """The Netherlands, 2014: four values waiting for review against an approved 2013 baseline.

    VI-2 went from 200 to 240 (+20 %), but VI-3 reports +50 %: the reports' rule "icse-change-agrees"
    is broken. RA-2 was returned once and changed since (4 -> 3).
    """
    for code, number in (("VI-2", "200"), ("RA-2", "5")):
        approved(
            give_value(
                country=nl, indicator=indicator(code), period=baseline_period, user=staff_nl, number=number
            ),
            staff=staff_nl,
            reviewer=reviewer,
        )
    values = {}
    for code, number in (("VI-2", "240"), ("VI-3", "50"), ("RA-2", "4"), ("PR-1", "3")):
        values[code] = give_value(
            country=nl, indicator=indicator(code), period=progress_period, user=staff_nl, number=number
        )
    ra2 = submitted(values["RA-2"], staff_nl)
    ra2 = reviewable_transition(
        item=ra2,
        expected_version=ra2.version,
        action="return",
        user=administrator,
        reason="Median, not mean.",
    )
    values["RA-2"] = give_value(
        country=nl,
        indicator=indicator("RA-2"),
        period=progress_period,
        user=staff_nl,
        number="3",
        expected_version=ra2.version,
    )
    return {code: submitted(value, staff_nl) for code, value in values.items()}


def row_of(context, code):
    return next(row for row in context.all_rows if row.code == code)


class TestTheContext:
    def test_previous_value_change_and_per_cent(self, waiting, nl, progress_period, reviewer):
        context = review_context(country=nl, period=progress_period, user=reviewer)
        vi2 = row_of(context, "VI-2")
        assert context.previous_period.label == "2013 baseline" and context.baseline_period is None
        assert (vi2.previous, vi2.shown, vi2.change, vi2.change_percent) == ("200", "240", "+40", "+20 %")
        assert vi2.trend == "improved"
        assert context.waiting_count == 4

    def test_the_reports_rules_flag_the_figures_that_break_them(self, waiting, nl, progress_period, reviewer):
        context = review_context(country=nl, period=progress_period, user=reviewer)
        vi3 = row_of(context, "VI-3")
        assert [v.rule for v in vi3.violations] == ["icse-change-agrees"]
        assert "contradict" in vi3.violations[0].message
        assert row_of(context, "PR-1").violations == []
        assert row_of(context, "VI-3").bounds == "−100–300 %" or row_of(context, "VI-3").bounds
        assert row_of(context, "PR-1").bounds == "0–4"

    def test_what_changed_since_it_was_returned(self, waiting, nl, progress_period, reviewer):
        ra2 = row_of(review_context(country=nl, period=progress_period, user=reviewer), "RA-2")
        assert ra2.returned_before
        assert [(d.label, d.before, d.after) for d in ra2.changes_since_return] == [("Value", "4", "3")]
        steps = [entry.step for entry in ra2.thread]
        assert steps == ["submit", "return", "submit"]
        assert ra2.thread[1].text == "Median, not mean."

    def test_four_eyes_items_are_marked_with_the_reason(
        self, waiting, nl, progress_period, staff_nl, reviewer
    ):
        value = IndicatorValue.objects.get(country=nl, period=progress_period, indicator__code="PR-1")
        # A reviewer who edited the figure (reviewers may edit every country) may not judge it.
        IndicatorValue.objects.filter(pk=value.pk).update(edited_by=reviewer)
        context = review_context(country=nl, period=progress_period, user=reviewer)
        assert "You changed it yourself" in row_of(context, "PR-1").not_yours
        assert context.not_yours_count == 1 and context.decidable_count == 3


def decide_post(client, url, **fields):
    page = client.get(url)
    seen = re.findall(r'name="seen" value="([^"]+)"', page.content.decode())
    return client.post(url, {"action": "decide", "seen": seen, **fields})


class TestDecidingAtOnce:
    def url(self, period):
        return reverse("review", args=["NL", period.pk])

    def test_approve_all_but_one_returned_and_one_left_for_later(self, waiting, reviewer, progress_period):
        client = signed_in(reviewer)
        vi3, pr1 = waiting["VI-3"], waiting["PR-1"]
        response = decide_post(
            client,
            self.url(progress_period),
            default="approve",
            **{f"decision-value-{vi3.pk}": "return", f"reason-value-{vi3.pk}": "Recompute the change."},
            **{f"decision-value-{pr1.pk}": "later"},
        )
        assert response.status_code == 302
        statuses = dict(
            IndicatorValue.objects.filter(period=progress_period).values_list("indicator__code", "status")
        )
        assert statuses == {
            "VI-2": Status.APPROVED,
            "VI-3": Status.RETURNED,
            "RA-2": Status.APPROVED,
            "PR-1": Status.SUBMITTED,
        }
        assert IndicatorValue.objects.get(pk=vi3.pk).review_reason == "Recompute the change."
        page = client.get(self.url(progress_period))
        assert "2 items approved, 1 returned." in page.content.decode()

    def test_return_all_uses_the_general_reason_and_an_exception_approves(
        self, waiting, reviewer, progress_period
    ):
        vi2 = waiting["VI-2"]
        decide_post(
            signed_in(reviewer),
            self.url(progress_period),
            default="return",
            reason="Sources missing.",
            **{f"decision-value-{vi2.pk}": "approve"},
        )
        rows = IndicatorValue.objects.filter(period=progress_period)
        assert {v.indicator.code: v.status for v in rows.select_related("indicator")}[
            "VI-2"
        ] == Status.APPROVED
        returned = rows.filter(status=Status.RETURNED)
        assert returned.count() == 3 and set(returned.values_list("review_reason", flat=True)) == {
            "Sources missing."
        }

    def test_a_return_without_a_reason_changes_nothing_and_keeps_the_choices(
        self, waiting, reviewer, progress_period
    ):
        vi3 = waiting["VI-3"]
        response = decide_post(
            signed_in(reviewer),
            self.url(progress_period),
            **{f"decision-value-{vi3.pk}": "return", f"reason-value-{vi3.pk}": ""},
        )
        assert response.status_code == 400
        html = response.content.decode()
        assert "Nothing was changed" in html and '<option value="return" selected>' in html
        assert not IndicatorValue.objects.filter(period=progress_period, status=Status.APPROVED).exists()

    def test_an_item_changed_since_the_page_was_loaded_stops_the_batch(
        self, waiting, reviewer, staff_nl, progress_period
    ):
        client = signed_in(reviewer)
        page = client.get(self.url(progress_period))
        seen = re.findall(r'name="seen" value="([^"]+)"', page.content.decode())
        # Someone returns VI-2 and staff change it and submit again, while the reviewer reads.
        vi2 = waiting["VI-2"]
        IndicatorValue.objects.filter(pk=vi2.pk).update(version=vi2.version + 3)
        response = client.post(
            self.url(progress_period), {"action": "decide", "seen": seen, "default": "approve"}
        )
        assert response.status_code == 409
        assert not IndicatorValue.objects.filter(period=progress_period, status=Status.APPROVED).exists()

    def test_an_author_cannot_approve_their_own_item_even_by_crafting_the_form(
        self, waiting, administrator, progress_period
    ):
        # The administrator returned RA-2 earlier; now they also edited PR-1: theirs to leave alone.
        pr1 = waiting["PR-1"]
        IndicatorValue.objects.filter(pk=pr1.pk).update(edited_by=administrator)
        client = signed_in(administrator)
        page = client.get(self.url(progress_period)).content.decode()
        assert "Not yours to judge" in page and f'name="decision-value-{pr1.pk}"' not in page
        # Following the default leaves it alone ...
        decide_post(client, self.url(progress_period), default="approve")
        assert IndicatorValue.objects.get(pk=pr1.pk).status == Status.SUBMITTED
        # ... and naming it explicitly is refused (four eyes), with nothing else changed.
        others = IndicatorValue.objects.filter(period=progress_period, status=Status.APPROVED).count()
        response = signed_in(administrator).post(
            self.url(progress_period),
            {
                "action": "decide",
                "seen": [f"value-{pr1.pk}:{pr1.version}"],
                f"decision-value-{pr1.pk}": "approve",
            },
        )
        assert response.status_code == 403
        assert IndicatorValue.objects.filter(period=progress_period, status=Status.APPROVED).count() == others

    def test_reopening_an_approved_item_needs_a_reason(self, waiting, reviewer, progress_period):
        client = signed_in(reviewer)
        decide_post(client, self.url(progress_period), default="approve")
        vi2 = IndicatorValue.objects.get(pk=waiting["VI-2"].pk)
        assert vi2.status == Status.APPROVED
        response = decide_post(client, self.url(progress_period), **{f"decision-value-{vi2.pk}": "reopen"})
        assert response.status_code == 400
        response = decide_post(
            client,
            self.url(progress_period),
            **{f"decision-value-{vi2.pk}": "reopen", f"reason-value-{vi2.pk}": "A new source came in."},
        )
        assert response.status_code == 302
        assert IndicatorValue.objects.get(pk=vi2.pk).status == Status.RETURNED

    @override_settings(FOUR_EYES_REQUIRED=True)
    def test_staff_and_ministers_may_not_decide(self, waiting, staff_nl, minister, progress_period):
        for user in (staff_nl, minister):
            response = signed_in(user).post(
                self.url(progress_period), {"action": "decide", "default": "approve"}
            )
            assert response.status_code == 403


class TestQueryCounts:
    # 1 session, 2 user, 3 groups, 4 country, 5 period, 6 periods, 7-9 the period's items (values,
    # progress, follow-ups), 10 approved earlier values, 11-12 previous progress and follow-ups, 13 rules,
    # 14 history of the values, 15 messages.
    QUERIES = 15

    def test_the_review_page(
        self, waiting, reviewer, progress_period, indicator, staff_nl, django_assert_num_queries
    ):
        client = signed_in(reviewer)
        url = reverse("review", args=["NL", progress_period.pk])
        with django_assert_num_queries(self.QUERIES):
            assert client.get(url).status_code == 200
        nl = Country.objects.get(code="NL")
        for code in ("VI-5", "VS-2", "VS-4", "PR-2"):
            value = give_value(
                country=nl, indicator=indicator(code), period=progress_period, user=staff_nl, number="7"
            )
            submitted(value, staff_nl)
        for number in range(3):
            Country.objects.create(
                code=f"Q{number}",
                name_en=f"Queryland {number}",
                name_nl=f"Queryland {number}",
                region="Asia",
                membership="founding",
                joined_on=dt.date(2012, 12, 5),
            )
        Indicator.objects.create(
            code="ZZ-Q", goal=indicator("VI-2").goal, name_en="Extra", value_type="number"
        )
        with django_assert_num_queries(self.QUERIES):
            assert client.get(url).status_code == 200
