"""Commitments, their per-period progress, recommendations, responses and follow-ups in the browser forms."""

from __future__ import annotations

import pytest
from django.urls import reverse

from commitments.models import (
    Commitment,
    CommitmentProgress,
    GovernmentResponse,
    Recommendation,
    RecommendationFollowUp,
    Status,
)
from commitments.services import commitment_progress_save, period_set_open, reviewable_transition
from tests.commitments.views_support import signed_in
from tests.factories import CommitmentFactory, RecommendationFactory

pytestmark = pytest.mark.django_db


def form_data(page, /, **changes) -> dict[str, str]:
    form = page.context["form"]
    data = {}
    for bound in form:
        value = bound.value()
        data[bound.html_name] = "" if value is None else str(value)
    return {**data, **changes}


class TestCommitments:
    def test_staff_add_a_commitment_to_their_country(self, staff_nl, nl):
        client = signed_in(staff_nl)
        page = client.get(reverse("commitment_create", args=["NL"]))
        goal = page.context["form"].fields["goal"].queryset.get(code="PREVENTION")
        response = client.post(
            reverse("commitment_create", args=["NL"]),
            form_data(
                page,
                goal=goal.pk,
                title="School programme in every region",
                committed_on="2013-04-15",
                target_date="2015-06-30",
                lead_organisation="Ministry of Education",
            ),
        )
        assert response.status_code == 302 and response["Location"].endswith("#goal-PREVENTION")
        commitment = Commitment.objects.get()
        assert commitment.country == nl and commitment.title == "School programme in every region"

    def test_errors_are_shown_at_the_field_and_what_was_typed_is_kept(self, staff_nl):
        client = signed_in(staff_nl)
        page = client.get(reverse("commitment_create", args=["NL"]))
        goal = page.context["form"].fields["goal"].queryset.first()
        response = client.post(
            reverse("commitment_create", args=["NL"]),
            form_data(
                page, goal=goal.pk, title="Hotline", committed_on="2013-04-15", target_date="2012-01-01"
            ),
        )
        assert response.status_code == 400
        html = response.content.decode()
        assert "The target date cannot be before the date of the commitment." in html
        assert 'value="Hotline"' in html
        assert not Commitment.objects.exists()

    def test_staff_of_another_country_and_ministers_get_403(self, staff_be, minister):
        commitment = CommitmentFactory()
        for user in (staff_be, minister):
            client = signed_in(user)
            assert client.get(reverse("commitment_create", args=["NL"])).status_code == 403
            assert client.get(reverse("commitment_edit", args=[commitment.pk])).status_code == 403


class TestProgress:
    @pytest.fixture
    def commitment(self):
        return CommitmentFactory()

    def url(self, commitment, period) -> str:
        return reverse("progress_edit", args=[commitment.pk, period.pk])

    def test_staff_report_progress_as_a_draft(self, commitment, staff_nl, progress_period):
        client = signed_in(staff_nl)
        page = client.get(self.url(commitment, progress_period))
        response = client.post(
            self.url(commitment, progress_period),
            form_data(page, completion="substantial", narrative="Twelve specialists trained."),
        )
        assert response.status_code == 302
        progress = CommitmentProgress.objects.get()
        assert (progress.completion, progress.status, progress.version) == ("substantial", Status.DRAFT, 1)

    def test_a_missing_completion_is_shown_at_the_field(self, commitment, staff_nl, progress_period):
        client = signed_in(staff_nl)
        page = client.get(self.url(commitment, progress_period))
        response = client.post(self.url(commitment, progress_period), form_data(page, narrative="Kept text"))
        assert response.status_code == 400
        assert response.context["form"].errors["completion"] == ["This field is required."]
        assert "Kept text" in response.content.decode()

    def test_a_concurrent_save_is_refused_with_what_changed(
        self, commitment, staff_nl, reviewer, progress_period
    ):
        client = signed_in(staff_nl)
        commitment_progress_save(
            commitment=commitment, period=progress_period, user=staff_nl, completion="limited"
        )
        page = client.get(self.url(commitment, progress_period))
        commitment_progress_save(
            commitment=commitment,
            period=progress_period,
            user=reviewer,
            completion="complete",
            expected_version=1,
        )
        response = client.post(
            self.url(commitment, progress_period), form_data(page, completion="substantial")
        )
        assert response.status_code == 409
        html = response.content.decode()
        assert "rita-reviewer saved this item while you were editing it." in html
        assert '<th scope="row">Completion</th><td>Limited</td><td>Complete</td>' in html
        assert (
            'value="substantial" class="radio-list radio-list--stacked" required id="id_completion_2" checked'
            in html
        )
        assert CommitmentProgress.objects.get().completion == "complete"

    def test_submitted_progress_is_locked(self, commitment, staff_nl, progress_period):
        progress = commitment_progress_save(
            commitment=commitment, period=progress_period, user=staff_nl, completion="limited"
        )
        reviewable_transition(
            item=progress, expected_version=progress.version, action="submit", user=staff_nl
        )
        client = signed_in(staff_nl)
        html = client.get(self.url(commitment, progress_period)).content.decode()
        assert "Submitted: locked while the reviewers look at it." in html and 'name="completion"' not in html
        client.post(
            self.url(commitment, progress_period), {"completion": "complete", "expected_version": "2"}
        )
        assert CommitmentProgress.objects.get().completion == "limited"

    def test_a_closed_period_is_read_only(self, commitment, staff_nl, reviewer, progress_period):
        period_set_open(
            period=progress_period, is_open=False, user=reviewer, reason="All countries reported."
        )
        html = signed_in(staff_nl).get(self.url(commitment, progress_period)).content.decode()
        assert "This period is closed" in html and 'name="completion"' not in html


class TestRecommendations:
    def test_a_recommendation_its_response_and_its_follow_up(self, staff_nl, nl, progress_period):
        client = signed_in(staff_nl)
        page = client.get(reverse("recommendation_create", args=["NL"]))
        goal = page.context["form"].fields["goal"].queryset.get(code="VICTIM_ID")
        response = client.post(
            reverse("recommendation_create", args=["NL"]),
            form_data(
                page,
                source_document="Monitor 2013",
                number="4",
                goal=goal.pk,
                text="Train more identification specialists.",
                addressees="National police",
                issued_on="2013-10-01",
            ),
        )
        assert response.status_code == 302
        recommendation = Recommendation.objects.get()
        assert recommendation.country == nl

        page = client.get(reverse("response_edit", args=[recommendation.pk]))
        response = client.post(
            reverse("response_edit", args=[recommendation.pk]),
            form_data(page, response="adopted", reference="31015-158"),
        )
        assert response.status_code == 400  # adopted needs the date it was given
        assert "A response needs the date it was given." in response.content.decode()
        client.post(
            reverse("response_edit", args=[recommendation.pk]),
            form_data(page, response="adopted", reference="31015-158", responded_on="2014-02-01"),
        )
        assert GovernmentResponse.objects.get().reference == "31015-158"

        url = reverse("follow_up_edit", args=[recommendation.pk, progress_period.pk])
        page = client.get(url)
        assert "Adopted" in page.content.decode()
        assert client.post(url, form_data(page, follow_up="in_progress")).status_code == 302
        assert RecommendationFollowUp.objects.get().follow_up == "in_progress"

    def test_addressees_are_required(self, staff_nl):
        client = signed_in(staff_nl)
        page = client.get(reverse("recommendation_create", args=["NL"]))
        goal = page.context["form"].fields["goal"].queryset.first()
        response = client.post(
            reverse("recommendation_create", args=["NL"]),
            form_data(
                page,
                source_document="Monitor",
                number="1",
                goal=goal.pk,
                text="T",
                addressees="",
                issued_on="2013-10-01",
            ),
        )
        assert response.status_code == 400
        assert response.context["form"].errors["addressees"]

    def test_staff_of_another_country_get_403(self, staff_be, progress_period):
        recommendation = RecommendationFactory()
        client = signed_in(staff_be)
        assert client.get(reverse("recommendation_create", args=["NL"])).status_code == 403
        assert client.get(reverse("response_edit", args=[recommendation.pk])).status_code == 403
        assert (
            client.get(reverse("follow_up_edit", args=[recommendation.pk, progress_period.pk])).status_code
            == 403
        )
