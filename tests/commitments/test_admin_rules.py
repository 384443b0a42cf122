"""The admin obeys the workflow: periods open and close through the service with a reason and a reviewer;
workflow rows (values, progress, follow-ups, and the reviewed texts of commitments, recommendations and
responses) are read-only there; a commitment keeps its country."""

from __future__ import annotations

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.exceptions import PermissionDenied, ValidationError

from commitments import services
from commitments.access import Role
from commitments.models import (
    Commitment,
    CommitmentProgress,
    Country,
    GovernmentResponse,
    IndicatorValue,
    Recommendation,
    RecommendationFollowUp,
    ReportingPeriod,
)
from tests.commitments.views_support import signed_in
from tests.conftest import make_user
from tests.factories import CommitmentFactory

pytestmark = pytest.mark.django_db

PERIODS = "/admin/commitments/reportingperiod/"


@pytest.fixture(autouse=True)
def no_second_factor(settings):
    settings.TWO_FACTOR_REQUIRED_FOR_REVIEWERS = False  # sign-in with a code is tested in tests/security


def period_form(period: ReportingPeriod, **changes) -> dict:
    return {
        "label": period.label,
        "kind": period.kind,
        "starts_on": period.starts_on.isoformat(),
        "ends_on": period.ends_on.isoformat(),
        "deadline": period.deadline.isoformat(),
        **changes,
    }


class TestPeriods:
    def test_the_change_form_cannot_open_or_close_a_period(self, administrator, progress_period):
        client = signed_in(administrator)
        url = f"{PERIODS}{progress_period.pk}/change/"
        assert 'name="is_open"' not in client.get(url).content.decode()
        response = client.post(url, period_form(progress_period, is_open=""))
        assert response.status_code == 302
        progress_period.refresh_from_db()
        assert progress_period.is_open  # the posted is_open was ignored

    def test_closing_asks_for_a_reason_then_goes_through_the_service(self, administrator, progress_period):
        client = signed_in(administrator)
        asked = client.post(PERIODS, {"action": "close_periods", ACTION_CHECKBOX_NAME: [progress_period.pk]})
        assert asked.status_code == 200 and 'name="reason"' in asked.content.decode()
        progress_period.refresh_from_db()
        assert progress_period.is_open  # nothing happens before a reason is given

        blank = client.post(
            PERIODS, {"action": "close_periods", ACTION_CHECKBOX_NAME: [progress_period.pk], "reason": " "}
        )
        assert blank.status_code == 200 and "This field is required." in blank.content.decode()

        done = client.post(
            PERIODS,
            {
                "action": "close_periods",
                ACTION_CHECKBOX_NAME: [progress_period.pk],
                "reason": "All reported.",
            },
            follow=True,
        )
        assert "1 periods closed." in done.content.decode()
        progress_period.refresh_from_db()
        latest = progress_period.history.first()
        assert not progress_period.is_open
        assert (latest.history_change_reason, latest.history_user) == ("closed: All reported.", administrator)

    def test_an_admin_user_who_is_not_a_reviewer_cannot_open_or_close(self, progress_period):
        clerk = make_user("clerk", Role.STAFF)  # given admin access, yet not a reviewer
        clerk.is_staff = True
        clerk.save()
        with pytest.raises(PermissionDenied, match="Only reviewers"):
            services.period_set_open(period=progress_period, is_open=False, user=clerk, reason="x")

    def test_the_service_refuses_a_change_without_a_reason(self, reviewer, progress_period):
        with pytest.raises(ValidationError, match="Give a reason"):
            services.period_set_open(period=progress_period, is_open=False, user=reviewer, reason="  ")
        progress_period.refresh_from_db()
        assert progress_period.is_open


class TestWorkflowRowsAreReadOnly:
    @pytest.mark.parametrize(
        "model",
        [
            IndicatorValue,
            CommitmentProgress,
            RecommendationFollowUp,
            Commitment,
            Recommendation,
            GovernmentResponse,
        ],
    )
    def test_nothing_is_added_changed_or_deleted_in_the_admin(
        self, model, administrator, nl, progress_period
    ):
        from django.contrib import admin

        model_admin = admin.site._registry[model]
        request = type("Request", (), {"user": administrator})()
        assert not model_admin.has_add_permission(request)
        assert not model_admin.has_change_permission(request)
        assert not model_admin.has_delete_permission(request)


class TestCommitments:
    def test_the_change_page_is_read_only(self, administrator):
        commitment = CommitmentFactory()
        client = signed_in(administrator)
        url = f"/admin/commitments/commitment/{commitment.pk}/change/"
        page = client.get(url)
        assert page.status_code == 200 and 'name="country"' not in page.content.decode()
        response = client.post(url, {"country": Country.objects.get(code="BE").pk, "description": "x"})
        assert response.status_code == 403
        assert Commitment.objects.get(pk=commitment.pk).country.code == "NL"

    def test_the_service_refuses_to_move_a_commitment_from_anywhere(self, reviewer):
        commitment = CommitmentFactory()
        with pytest.raises(ValidationError, match="cannot be changed"):
            services.commitment_save(
                user=reviewer, commitment=commitment, country=Country.objects.get(code="BE")
            )
        assert Commitment.objects.get(pk=commitment.pk).country.code == "NL"
