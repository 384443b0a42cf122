"""Four eyes: whoever changed an item's content or submitted it may not also approve or return it.

In the service, the browser's review page (one item, and "approve all"), and the API. A deployment with
a single reviewer may turn it off (FOUR_EYES_REQUIRED); each approval's history then says so.
"""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from commitments.access import Role
from commitments.models import IndicatorValue, Status
from commitments.services import FourEyesRefused, reviewable_transition
from tests.commitments.views_support import bulk_post, give_value, seen_on, signed_in
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def second_reviewer(db):
    return make_user("otto-reviewer", Role.REVIEWER)


def entered(*, by, indicator, nl, period, code="RA-2", number="3") -> IndicatorValue:
    return give_value(country=nl, indicator=indicator(code), period=period, user=by, number=number)


def submitted(item, by) -> IndicatorValue:
    return reviewable_transition(item=item, expected_version=item.version, action="submit", user=by)


class TestTheService:
    def test_the_reviewer_who_entered_a_figure_cannot_approve_it(
        self, reviewer, second_reviewer, indicator, nl, progress_period
    ):
        item = submitted(entered(by=reviewer, indicator=indicator, nl=nl, period=progress_period), reviewer)
        with pytest.raises(FourEyesRefused, match="another reviewer must approve it"):
            reviewable_transition(item=item, expected_version=item.version, action="approve", user=reviewer)
        assert IndicatorValue.objects.get(pk=item.pk).status == Status.SUBMITTED
        approved = reviewable_transition(
            item=item, expected_version=item.version, action="approve", user=second_reviewer
        )
        assert approved.status == Status.APPROVED and approved.approved_by == second_reviewer

    def test_the_reviewer_who_submitted_someone_elses_figure_cannot_approve_or_return_it(
        self, staff_nl, reviewer, indicator, nl, progress_period
    ):
        item = submitted(entered(by=staff_nl, indicator=indicator, nl=nl, period=progress_period), reviewer)
        assert (item.edited_by, item.submitted_by) == (staff_nl, reviewer)
        with pytest.raises(FourEyesRefused):
            reviewable_transition(item=item, expected_version=item.version, action="approve", user=reviewer)
        with pytest.raises(FourEyesRefused, match="return it"):
            reviewable_transition(
                item=item, expected_version=item.version, action="return", user=reviewer, reason="Source?"
            )

    def test_the_last_person_to_change_the_content_counts_not_the_first(
        self, staff_nl, reviewer, second_reviewer, indicator, nl, progress_period
    ):
        item = entered(by=staff_nl, indicator=indicator, nl=nl, period=progress_period)
        item = give_value(
            country=nl,
            indicator=indicator("RA-2"),
            period=progress_period,
            user=reviewer,
            number="4",
            expected_version=item.version,
        )
        item = submitted(item, staff_nl)
        with pytest.raises(FourEyesRefused):
            reviewable_transition(item=item, expected_version=item.version, action="approve", user=reviewer)
        reviewable_transition(
            item=item, expected_version=item.version, action="approve", user=second_reviewer
        )

    def test_turned_off_the_approval_goes_through_and_its_history_says_four_eyes_were_off(
        self, settings, reviewer, indicator, nl, progress_period
    ):
        settings.FOUR_EYES_REQUIRED = False
        item = submitted(entered(by=reviewer, indicator=indicator, nl=nl, period=progress_period), reviewer)
        approved = reviewable_transition(
            item=item, expected_version=item.version, action="approve", user=reviewer
        )
        assert approved.status == Status.APPROVED
        latest = approved.history.latest()
        assert (latest.history_change_reason, latest.history_user) == ("approve (four eyes off)", reviewer)

    def test_turned_off_a_return_records_it_too_and_keeps_the_reason(
        self, settings, reviewer, indicator, nl, progress_period
    ):
        settings.FOUR_EYES_REQUIRED = False
        item = submitted(entered(by=reviewer, indicator=indicator, nl=nl, period=progress_period), reviewer)
        returned = reviewable_transition(
            item=item, expected_version=item.version, action="return", user=reviewer, reason="Source?"
        )
        assert returned.history.latest().history_change_reason == "return (four eyes off): Source?"

    def test_with_four_eyes_on_the_history_says_nothing_extra(
        self, staff_nl, reviewer, indicator, nl, progress_period
    ):
        item = submitted(entered(by=staff_nl, indicator=indicator, nl=nl, period=progress_period), staff_nl)
        approved = reviewable_transition(
            item=item, expected_version=item.version, action="approve", user=reviewer
        )
        assert approved.history.latest().history_change_reason == "approve"


class TestTheReviewPage:
    def url(self, nl, period) -> str:
        return reverse("review", args=[nl.code, period.pk])

    def test_approving_ones_own_item_is_refused_with_a_clear_message(
        self, reviewer, indicator, nl, progress_period
    ):
        item = submitted(entered(by=reviewer, indicator=indicator, nl=nl, period=progress_period), reviewer)
        key = f"value-{item.pk}"
        response = signed_in(reviewer).post(
            self.url(nl, progress_period),
            {"item": key, "action": "approve", f"{key}-expected_version": item.version},
        )
        assert response.status_code == 403
        assert "another reviewer must approve it (four eyes)" in response.content.decode()
        assert IndicatorValue.objects.get(pk=item.pk).status == Status.SUBMITTED

    def test_approve_all_leaves_ones_own_items_for_another_reviewer(
        self, staff_nl, reviewer, indicator, nl, progress_period
    ):
        own = submitted(entered(by=reviewer, indicator=indicator, nl=nl, period=progress_period), reviewer)
        theirs = submitted(
            entered(by=staff_nl, indicator=indicator, nl=nl, period=progress_period, code="VI-2", number="9"),
            staff_nl,
        )
        response = bulk_post(
            signed_in(reviewer), page_url=self.url(nl, progress_period), action="approve_all"
        )
        html = response.content.decode()
        assert "1 item approved." in html
        assert "1 item you changed or submitted yourself was left for another reviewer." in html
        assert IndicatorValue.objects.get(pk=own.pk).status == Status.SUBMITTED
        assert IndicatorValue.objects.get(pk=theirs.pk).status == Status.APPROVED

    def test_approve_all_takes_only_what_the_page_showed_at_the_version_shown(
        self, staff_nl, reviewer, indicator, nl, progress_period
    ):
        shown = submitted(entered(by=staff_nl, indicator=indicator, nl=nl, period=progress_period), staff_nl)
        client = signed_in(reviewer)
        page = client.get(self.url(nl, progress_period))
        later = submitted(
            entered(by=staff_nl, indicator=indicator, nl=nl, period=progress_period, code="VI-2", number="9"),
            staff_nl,
        )
        response = client.post(
            self.url(nl, progress_period), {"action": "approve_all", "seen": seen_on(page)}, follow=True
        )
        assert "1 item was not on the page you sent" in response.content.decode()
        assert IndicatorValue.objects.get(pk=shown.pk).status == Status.APPROVED
        assert IndicatorValue.objects.get(pk=later.pk).status == Status.SUBMITTED


class TestTheApi:
    def test_approving_ones_own_item_is_a_403_saying_four_eyes(
        self, reviewer, indicator, nl, progress_period
    ):
        item = submitted(entered(by=reviewer, indicator=indicator, nl=nl, period=progress_period), reviewer)
        response = signed_in(reviewer).post(
            f"/api/v1/values/{item.pk}/transition/",
            json.dumps({"action": "approve", "version": item.version}),
            content_type="application/json",
        )
        assert (response.status_code, response.json()["code"]) == (403, "four_eyes")
        assert "another reviewer must approve it" in response.json()["message"]
        assert IndicatorValue.objects.get(pk=item.pk).status == Status.SUBMITTED
