"""The workflow in the browser pages: submit, return with a reason, resubmit, approve, reopen, history."""

from __future__ import annotations

import pytest
from django.urls import reverse

from commitments.models import CommitmentProgress, IndicatorValue, Status
from commitments.services import commitment_progress_save, period_set_open, reviewable_transition
from tests.commitments.views_support import bulk_post, entry_post, give_value, signed_in
from tests.factories import CommitmentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def drafts(staff_nl, nl, indicator, progress_period):
    """Two values and a commitment update of the Netherlands, entered by its staff."""
    takedown = give_value(
        country=nl, indicator=indicator("RA-2"), period=progress_period, user=staff_nl, number="3"
    )
    victims = give_value(
        country=nl, indicator=indicator("VI-2"), period=progress_period, user=staff_nl, number="240"
    )
    empty = give_value(
        country=nl, indicator=indicator("VI-5"), period=progress_period, user=staff_nl, note="pending"
    )
    progress = commitment_progress_save(
        commitment=CommitmentFactory(), period=progress_period, user=staff_nl, completion="substantial"
    )
    return {"takedown": takedown, "victims": victims, "empty": empty, "progress": progress}


def review_url(country, period) -> str:
    return reverse("review", args=[country.code, period.pk])


def submit(client, country, period):
    """Submit for review from the data-entry page, as the browser does (with the items it shows)."""
    return bulk_post(
        client,
        page_url=reverse("data_entry", args=[country.code, period.pk]),
        action_url=reverse("submit_for_review", args=[country.code, period.pk]),
    )


def test_staff_submit_every_draft_that_has_a_value(drafts, staff_nl, nl, progress_period):
    response = submit(signed_in(staff_nl), nl, progress_period)
    html = response.content.decode()
    assert "3 items submitted for review." in html
    assert "1 value without a figure stays a draft." in html
    statuses = {item.pk: item.status for item in IndicatorValue.objects.all()}
    assert statuses == {
        drafts["takedown"].pk: Status.SUBMITTED,
        drafts["victims"].pk: Status.SUBMITTED,
        drafts["empty"].pk: Status.DRAFT,
    }
    assert CommitmentProgress.objects.get().status == Status.SUBMITTED


def test_staff_of_another_country_cannot_submit(drafts, staff_be, nl, progress_period):
    response = signed_in(staff_be).post(reverse("submit_for_review", args=[nl.code, progress_period.pk]))
    assert response.status_code == 403
    assert not IndicatorValue.objects.filter(status=Status.SUBMITTED).exists()


def test_only_reviewers_open_the_review_page(drafts, staff_nl, minister, nl, progress_period):
    assert signed_in(staff_nl).get(review_url(nl, progress_period)).status_code == 403
    assert signed_in(minister).get(review_url(nl, progress_period)).status_code == 403


class TestTheReviewCycle:
    @pytest.fixture
    def submitted(self, drafts, staff_nl, nl, progress_period):
        submit(signed_in(staff_nl), nl, progress_period)
        return {name: type(item).objects.get(pk=item.pk) for name, item in drafts.items()}

    def post_review(self, client, country, period, item, action, reason="", follow=False):
        key = f"value-{item.pk}" if isinstance(item, IndicatorValue) else f"progress-{item.pk}"
        return client.post(
            review_url(country, period),
            {"item": key, "action": action, f"{key}-reason": reason, f"{key}-expected_version": item.version},
            follow=follow,
        )

    def test_returning_without_a_reason_is_refused_at_the_reason_field(
        self, submitted, reviewer, nl, progress_period
    ):
        response = self.post_review(signed_in(reviewer), nl, progress_period, submitted["takedown"], "return")
        assert response.status_code == 400
        html = response.content.decode()
        key = f"value-{submitted['takedown'].pk}"
        assert f'id="error-{key}"' in html
        assert "Give a reason: the staff who entered it will see it." in html
        assert IndicatorValue.objects.get(pk=submitted["takedown"].pk).status == Status.SUBMITTED

    def test_return_fix_resubmit_approve(self, submitted, staff_nl, reviewer, nl, progress_period):
        rita, anna = signed_in(reviewer), signed_in(staff_nl)
        takedown = submitted["takedown"]
        response = self.post_review(
            rita, nl, progress_period, takedown, "return", "Use the INHOPE median, not the mean."
        )
        assert response.status_code == 302

        # Staff see the reason at the field, fix the figure and resubmit.
        page = anna.get(reverse("data_entry", args=[nl.code, progress_period.pk]))
        html = page.content.decode()
        assert "Use the INHOPE median, not the mean." in html
        assert (
            anna.post(page.request["PATH_INFO"], entry_post(page, **{"RA-2-value": "2"})).status_code == 302
        )
        takedown.refresh_from_db()
        assert takedown.number_value == 2 and takedown.status == Status.RETURNED
        assert "1 item submitted for review." in submit(anna, nl, progress_period).content.decode()

        # The reviewer approves everything waiting.
        response = bulk_post(rita, page_url=review_url(nl, progress_period), action="approve_all")
        assert "3 items approved." in response.content.decode()
        assert set(
            IndicatorValue.objects.exclude(pk=submitted["empty"].pk).values_list("status", flat=True)
        ) == {Status.APPROVED}

        # Every step is in the value's history: who, when and why.
        history = rita.get(reverse("item_history", args=["value", takedown.pk])).content.decode()
        assert "return: Use the INHOPE median, not the mean." in history
        assert history.count("submit") >= 2 and "approve" in history
        assert "anna-nl" in history and "rita-reviewer" in history

    def test_a_reviewer_cannot_approve_what_changed_since_they_looked(
        self, submitted, staff_nl, reviewer, nl, progress_period
    ):
        takedown = submitted["takedown"]
        stale_version = takedown.version
        returned = reviewable_transition(
            item=takedown,
            expected_version=takedown.version,
            action="return",
            user=reviewer,
            reason="Check the source.",
        )
        fixed = give_value(
            country=nl,
            indicator=takedown.indicator,
            period=progress_period,
            user=staff_nl,
            number="8",
            expected_version=returned.version,
        )
        reviewable_transition(item=fixed, expected_version=fixed.version, action="submit", user=staff_nl)
        takedown.version = stale_version
        response = self.post_review(
            signed_in(reviewer), nl, progress_period, takedown, "approve", follow=True
        )
        assert "saved this item while you were editing it" in response.content.decode()
        assert "Value: 3 → 8" in response.content.decode()
        assert IndicatorValue.objects.get(pk=takedown.pk).status == Status.SUBMITTED

    def test_approved_data_is_reopened_with_a_reason(
        self, submitted, reviewer, staff_nl, nl, progress_period
    ):
        rita = signed_in(reviewer)
        bulk_post(rita, page_url=review_url(nl, progress_period), action="approve_all")
        victims = IndicatorValue.objects.get(pk=submitted["victims"].pk)
        assert victims.status == Status.APPROVED
        html = (
            signed_in(staff_nl)
            .get(reverse("data_entry", args=[nl.code, progress_period.pk]))
            .content.decode()
        )
        assert 'name="VI-2-value"' not in html  # locked
        response = self.post_review(
            rita, nl, progress_period, victims, "reopen", "ICSE corrected its 2014 count."
        )
        assert response.status_code == 302
        victims.refresh_from_db()
        assert victims.status == Status.RETURNED and victims.review_reason == "ICSE corrected its 2014 count."
        html = (
            signed_in(staff_nl)
            .get(reverse("data_entry", args=[nl.code, progress_period.pk]))
            .content.decode()
        )
        assert 'name="VI-2-value"' in html and "ICSE corrected its 2014 count." in html

    def test_nothing_moves_in_a_closed_period(self, submitted, reviewer, nl, progress_period):
        period_set_open(
            period=progress_period, is_open=False, user=reviewer, reason="All countries reported."
        )
        response = self.post_review(signed_in(reviewer), nl, progress_period, submitted["victims"], "approve")
        assert response.status_code == 400
        assert "is closed" in response.content.decode()
        assert IndicatorValue.objects.get(pk=submitted["victims"].pk).status == Status.SUBMITTED


class TestHistoryPage:
    def test_staff_of_another_country_cannot_read_it(self, drafts, staff_be):
        response = signed_in(staff_be).get(reverse("item_history", args=["value", drafts["takedown"].pk]))
        assert response.status_code == 403

    def test_lists_each_version(self, drafts, staff_nl):
        response = signed_in(staff_nl).get(reverse("item_history", args=["progress", drafts["progress"].pk]))
        assert response.status_code == 200
        assert len(response.context["rows"]) == 1
        assert "Substantial" in response.content.decode()


class TestPeriods:
    def test_reviewers_close_and_reopen_a_period_with_a_reason(self, reviewer, progress_period):
        client = signed_in(reviewer)
        response = client.post(
            reverse("period_toggle", args=[progress_period.pk]),
            {"open": "0", "reason": "Deadline passed"},
            follow=True,
        )
        assert "2014 progress is closed" in response.content.decode()
        progress_period.refresh_from_db()
        assert not progress_period.is_open
        assert progress_period.history.first().history_change_reason == "closed: Deadline passed"
        # Without a reason nothing happens, and the page says why.
        refused = client.post(reverse("period_toggle", args=[progress_period.pk]), {"open": "1"}, follow=True)
        assert "Give a reason for opening or closing the period" in refused.content.decode()
        progress_period.refresh_from_db()
        assert not progress_period.is_open
        client.post(
            reverse("period_toggle", args=[progress_period.pk]), {"open": "1", "reason": "Late data."}
        )
        progress_period.refresh_from_db()
        assert progress_period.is_open

    def test_staff_cannot_close_a_period(self, staff_nl, progress_period):
        response = signed_in(staff_nl).post(
            reverse("period_toggle", args=[progress_period.pk]), {"open": "0"}
        )
        assert response.status_code == 403
        progress_period.refresh_from_db()
        assert progress_period.is_open
