"""/api/v1/meetings/ and /api/v1/decisions/: the ministerial meetings and their decisions, read-only.

Partners, ministers and staff read what is approved, of rounds whose release moment has come;
reviewers read everything, drafts included (the working text). A decision carries the commitments it
became, as the reader may see them. Lists are ordered, prefetched, paged, and cached like the rest of
the API: every write of a meeting, evaluation or decision records a change of its round in the change
feed (signals.py), which moves the data version the cache is keyed on.
"""

from __future__ import annotations

from django.db.models import Prefetch, Q
from rest_framework import serializers
from rest_framework.routers import SimpleRouter

from commitments.api.serializers import REVIEW_FIELDS
from commitments.api.views import AllianceViewSet
from commitments.models import Commitment, EvaluationRound

from .models import Decision, Meeting, MeetingEvaluation


def _released_rounds():
    return EvaluationRound.objects.released().values("pk")


class EvaluationSerializer(serializers.ModelSerializer):
    goal = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = MeetingEvaluation
        fields = ["goal", "text", "approved_at"]


class MeetingSerializer(serializers.ModelSerializer):
    countries = serializers.ListField(
        child=serializers.CharField(), read_only=True, help_text="ISO codes of the participating countries."
    )
    evaluations = EvaluationSerializer(many=True, read_only=True, source="visible_evaluations")
    decisions = serializers.SerializerMethodField(help_text="Ids of the decisions (/api/v1/decisions/).")
    stage = serializers.CharField(source="evaluation_round.stage", read_only=True)

    class Meta:
        model = Meeting
        fields = [
            "id",
            "evaluation_round",
            "stage",
            "held_on",
            "place",
            "countries",
            "next_round",
            "evaluations",
            "decisions",
            "is_demo",
        ]

    def get_decisions(self, meeting) -> list[int]:
        return [decision.pk for decision in meeting.visible_decisions]


class DecisionCommitmentSerializer(serializers.ModelSerializer):
    country = serializers.SlugRelatedField(slug_field="code", read_only=True)
    goal = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = Commitment
        fields = ["id", "country", "goal", "title", "target_date"]


class DecisionSerializer(serializers.ModelSerializer):
    evaluation_round = serializers.IntegerField(source="meeting.evaluation_round_id", read_only=True)
    goals = serializers.ListField(child=serializers.CharField(), read_only=True)
    countries = serializers.ListField(
        child=serializers.CharField(),
        read_only=True,
        help_text="ISO codes of the countries that take it on; empty: all participating countries.",
    )
    commitments = DecisionCommitmentSerializer(many=True, read_only=True, source="visible_commitments")

    class Meta:
        model = Decision
        fields = [
            "id",
            "meeting",
            "evaluation_round",
            "number",
            "title",
            "text",
            "goals",
            "countries",
            "lead",
            "due_on",
            *REVIEW_FIELDS,
            "commitments",
        ]

    def to_representation(self, instance):
        viewer = self.context.get("viewer")
        if viewer is not None and viewer.draft_country_ids is None:
            # The copy keeps the prefetched commitments (copy.copy keeps the instance's attributes).
            return super().to_representation(instance.working_copy())
        data = super().to_representation(instance)
        data.update(status="approved", review_reason="")
        return data


class MeetingViewSet(AllianceViewSet):
    """Ministerial meetings: when and where, which countries took part, the ministers' evaluation per
    goal and their decisions (ids; see /api/v1/decisions/). Visible once the round is released."""

    serializer_class = MeetingSerializer
    lookup_value_regex = "[0-9]+"
    ordering_fields = {"held_on": "held_on"}

    def get_queryset(self):
        everything = self.viewer.draft_country_ids is None
        meetings = Meeting.objects.select_related("evaluation_round").order_by("held_on", "id")
        evaluations = MeetingEvaluation.objects.select_related("goal").order_by("goal__order")
        decisions = Decision.objects.order_by("number")
        if not everything:
            meetings = meetings.filter(evaluation_round__in=_released_rounds())
            evaluations, decisions = evaluations.published(), decisions.published()
        return meetings.prefetch_related(
            Prefetch("evaluations", queryset=evaluations, to_attr="visible_evaluations"),
            Prefetch("decisions", queryset=decisions, to_attr="visible_decisions"),
        )


class DecisionViewSet(AllianceViewSet):
    """The ministers' decisions on additional actions, with the commitments each became (one per
    country and goal). Approved decisions of released rounds; reviewers also read drafts."""

    serializer_class = DecisionSerializer
    lookup_value_regex = "[0-9]+"
    ordering_fields = {"number": "number", "due_on": "due_on"}

    def get_queryset(self):
        viewer = self.viewer
        decisions = Decision.objects.select_related("meeting").order_by("meeting__held_on", "number", "id")
        commitments = Commitment.objects.select_related("country", "goal").order_by(
            "country__code", "goal__order"
        )
        if viewer.draft_country_ids is not None:
            decisions = decisions.published().filter(meeting__evaluation_round__in=_released_rounds())
            commitments = commitments.filter(Q(approved_at__isnull=False) & viewer.country_q("country"))
        return decisions.prefetch_related(
            Prefetch("commitments", queryset=commitments, to_attr="visible_commitments")
        )


router = SimpleRouter()
router.register("meetings", MeetingViewSet, basename="meeting")
router.register("decisions", DecisionViewSet, basename="decision")

app_name = "cycle-api"
urlpatterns = router.urls
