"""The services every interface writes through: permissions, validation, workflow, conflicts, history."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from commitments.models import IndicatorValue, Status
from commitments.services import (
    EditConflict,
    WorkflowError,
    commitment_progress_save,
    follow_up_save,
    indicator_value_save,
    period_set_open,
    reviewable_transition,
)
from tests.factories import CommitmentFactory, RecommendationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def takedown_value(indicator, nl, progress_period, staff_nl):
    return indicator_value_save(
        country=nl,
        indicator=indicator("RA-2"),
        period=progress_period,
        user=staff_nl,
        number_value=Decimal(3),
        note="INHOPE figures",
    )


def test_staff_enter_a_draft_for_their_country(takedown_value, staff_nl):
    assert takedown_value.status == Status.DRAFT
    assert takedown_value.version == 1
    assert takedown_value.created_by == takedown_value.updated_by == staff_nl


def test_staff_cannot_enter_values_for_another_country(indicator, be, progress_period, staff_nl):
    with pytest.raises(PermissionDenied, match="not assigned to Belgium"):
        indicator_value_save(
            country=be,
            indicator=indicator("RA-2"),
            period=progress_period,
            user=staff_nl,
            number_value=Decimal(3),
        )
    assert not IndicatorValue.objects.filter(country=be).exists()


def test_ministers_cannot_enter_anything(indicator, nl, progress_period, minister):
    with pytest.raises(PermissionDenied):
        indicator_value_save(
            country=nl,
            indicator=indicator("RA-2"),
            period=progress_period,
            user=minister,
            number_value=Decimal(3),
        )


def test_an_invalid_value_is_refused_and_nothing_is_written(indicator, nl, progress_period, staff_nl):
    with pytest.raises(ValidationError) as error:
        indicator_value_save(
            country=nl,
            indicator=indicator("RA-3"),
            period=progress_period,
            user=staff_nl,
            number_value=Decimal(140),
        )
    assert "outside the allowed range" in error.value.message_dict["number_value"][0]
    assert not IndicatorValue.objects.exists()


def test_a_retired_indicator_takes_no_new_values(indicator, nl, progress_period, staff_nl):
    retired = indicator("PR-6")
    retired.is_active = False
    retired.save()
    with pytest.raises(ValidationError, match="retired"):
        indicator_value_save(
            country=nl, indicator=retired, period=progress_period, user=staff_nl, number_value=Decimal(1)
        )


def test_a_closed_period_is_read_only(takedown_value, staff_nl, reviewer, progress_period, indicator, nl):
    period_set_open(period=progress_period, is_open=False, user=reviewer, reason="All countries reported.")
    with pytest.raises(ValidationError, match="closed"):
        indicator_value_save(
            country=nl,
            indicator=indicator("RA-2"),
            period=progress_period,
            user=staff_nl,
            number_value=Decimal(4),
            expected_version=1,
        )
    with pytest.raises(ValidationError, match="closed"):
        reviewable_transition(
            item=takedown_value, expected_version=takedown_value.version, action="submit", user=staff_nl
        )


def test_only_reviewers_open_and_close_periods(progress_period, staff_nl):
    with pytest.raises(PermissionDenied):
        period_set_open(period=progress_period, is_open=False, user=staff_nl, reason="Done.")


class TestConcurrentEdits:
    def test_a_save_from_stale_data_is_refused_showing_what_changed(
        self, takedown_value, staff_nl, reviewer, indicator, nl, progress_period
    ):
        # The reviewer saves first, from version 1 ...
        indicator_value_save(
            country=nl,
            indicator=indicator("RA-2"),
            period=progress_period,
            user=reviewer,
            number_value=Decimal("2.5"),
            note="INHOPE figures",
            expected_version=1,
        )
        # ... then staff save what they typed on the page they loaded at version 1.
        with pytest.raises(EditConflict) as conflict:
            indicator_value_save(
                country=nl,
                indicator=indicator("RA-2"),
                period=progress_period,
                user=staff_nl,
                number_value=Decimal(4),
                note="INHOPE figures",
                expected_version=1,
            )
        assert conflict.value.changes["number_value"] == (Decimal("3.0000"), Decimal("2.5000"))
        assert "while you were editing" in str(conflict.value)
        assert IndicatorValue.objects.get().number_value == Decimal("2.5")

    def test_saving_the_current_version_succeeds(
        self, takedown_value, staff_nl, indicator, nl, progress_period
    ):
        saved = indicator_value_save(
            country=nl,
            indicator=indicator("RA-2"),
            period=progress_period,
            user=staff_nl,
            number_value=Decimal(2),
            expected_version=1,
        )
        assert (saved.number_value, saved.version) == (Decimal(2), 2)


class TestWorkflow:
    def test_the_whole_cycle_is_in_the_history(self, takedown_value, staff_nl, reviewer):
        item = reviewable_transition(
            item=takedown_value, expected_version=takedown_value.version, action="submit", user=staff_nl
        )
        item = reviewable_transition(
            item=item,
            expected_version=item.version,
            action="return",
            user=reviewer,
            reason="Source is 2012, not 2013",
        )
        assert (item.status, item.review_reason) == (Status.RETURNED, "Source is 2012, not 2013")
        item = reviewable_transition(item=item, expected_version=item.version, action="submit", user=staff_nl)
        item = reviewable_transition(
            item=item, expected_version=item.version, action="approve", user=reviewer
        )
        assert item.status == Status.APPROVED and item.approved_by == reviewer
        reasons = list(
            item.history.order_by("history_date").values_list("history_change_reason", "history_user")
        )
        assert reasons[1:] == [
            ("submit", staff_nl.pk),
            ("return: Source is 2012, not 2013", reviewer.pk),
            ("submit", staff_nl.pk),
            ("approve", reviewer.pk),
        ]

    def test_returning_needs_a_reason(self, takedown_value, staff_nl, reviewer):
        item = reviewable_transition(
            item=takedown_value, expected_version=takedown_value.version, action="submit", user=staff_nl
        )
        with pytest.raises(ValidationError, match="Give a reason"):
            reviewable_transition(
                item=item, expected_version=item.version, action="return", user=reviewer, reason="  "
            )

    def test_staff_cannot_approve(self, takedown_value, staff_nl):
        item = reviewable_transition(
            item=takedown_value, expected_version=takedown_value.version, action="submit", user=staff_nl
        )
        with pytest.raises(PermissionDenied):
            reviewable_transition(item=item, expected_version=item.version, action="approve", user=staff_nl)

    def test_a_draft_cannot_be_approved_directly(self, takedown_value, reviewer):
        with pytest.raises(WorkflowError, match="Cannot approve an item that is draft"):
            reviewable_transition(
                item=takedown_value, expected_version=takedown_value.version, action="approve", user=reviewer
            )

    def test_approved_data_is_locked_until_reopened(
        self, takedown_value, staff_nl, reviewer, indicator, nl, progress_period
    ):
        item = reviewable_transition(
            item=takedown_value, expected_version=takedown_value.version, action="submit", user=staff_nl
        )
        item = reviewable_transition(
            item=item, expected_version=item.version, action="approve", user=reviewer
        )
        with pytest.raises(ValidationError, match="locked"):
            indicator_value_save(
                country=nl,
                indicator=indicator("RA-2"),
                period=progress_period,
                user=staff_nl,
                number_value=Decimal(1),
                expected_version=item.version,
            )
        item = reviewable_transition(
            item=item, expected_version=item.version, action="reopen", user=reviewer, reason="New INHOPE data"
        )
        saved = indicator_value_save(
            country=nl,
            indicator=indicator("RA-2"),
            period=progress_period,
            user=staff_nl,
            number_value=Decimal(1),
            expected_version=item.version,
        )
        assert saved.number_value == 1

    def test_an_empty_value_cannot_be_submitted(self, indicator, nl, progress_period, staff_nl):
        item = indicator_value_save(
            country=nl,
            indicator=indicator("RA-2"),
            period=progress_period,
            user=staff_nl,
            note="figure follows",
        )
        with pytest.raises(ValidationError, match="Enter a value"):
            reviewable_transition(item=item, expected_version=item.version, action="submit", user=staff_nl)


def test_commitment_progress_goes_through_the_same_workflow(progress_period, staff_nl, reviewer):
    progress = commitment_progress_save(
        commitment=CommitmentFactory(),
        period=progress_period,
        user=staff_nl,
        completion="substantial",
        narrative="Team doubled.",
    )
    progress = reviewable_transition(
        item=progress, expected_version=progress.version, action="submit", user=staff_nl
    )
    assert (
        reviewable_transition(
            item=progress, expected_version=progress.version, action="approve", user=reviewer
        ).status
        == Status.APPROVED
    )


def test_alliance_wide_follow_up_is_for_reviewers(progress_period, staff_nl, reviewer):
    recommendation = RecommendationFactory(country=None)
    with pytest.raises(PermissionDenied):
        follow_up_save(
            recommendation=recommendation, period=progress_period, user=staff_nl, follow_up="in_progress"
        )
    follow_up_save(
        recommendation=recommendation, period=progress_period, user=reviewer, follow_up="in_progress"
    )


def test_staff_cannot_move_another_countrys_commitment_to_their_own(staff_nl, be):
    from commitments.services import commitment_save

    commitment = CommitmentFactory(country=be)
    with pytest.raises(PermissionDenied):
        commitment_save(
            user=staff_nl, commitment=commitment, country=commitment.country.__class__.objects.get(code="NL")
        )
