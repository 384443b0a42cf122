"""Recommendations, government responses and follow-ups."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet
from django.http import Http404
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.response import Response

from commitments import services
from commitments.models import GovernmentResponse, Recommendation, RecommendationFollowUp

from .. import filters, serializers
from .base import WRITE_METHODS, AllianceViewSet, _entry, _text_transition, _validated, _version


@extend_schema_view(
    create=extend_schema(
        summary="Record a recommendation (staff)",
        request=serializers.RecommendationCreateSerializer,
        examples=[
            OpenApiExample(
                "A recommendation to the police",
                value={
                    "country": "NL",
                    "number": "7",
                    "source_document": "Monitor 2014",
                    "goal": "VICTIM_ID",
                    "text": "Train more identification specialists.",
                    "addressees": ["National police"],
                    "issued_on": "2014-10-01",
                },
                request_only=True,
            )
        ],
        responses={201: serializers.RecommendationSerializer},
    ),
    partial_update=extend_schema(
        summary="Correct a recommendation (staff)",
        request=serializers.RecommendationUpdateSerializer,
        responses={200: serializers.RecommendationSerializer},
    ),
    response=extend_schema(
        summary="Record the government's response (staff)",
        request=serializers.GovernmentResponseWriteSerializer,
        responses={200: serializers.GovernmentResponseSerializer},
    ),
    follow_ups=extend_schema(
        summary="Report the follow-up for a period (staff)",
        request=serializers.FollowUpWriteSerializer,
        responses={200: serializers.FollowUpSerializer, 201: serializers.FollowUpSerializer},
    ),
    transition=extend_schema(
        summary="Submit, approve, return or reopen the follow-up of one period",
        request=serializers.PeriodTransitionSerializer,
        responses={200: serializers.FollowUpSerializer},
    ),
    review=extend_schema(
        summary="Submit, approve, return or reopen the recommendation's text",
        request=serializers.TextTransitionSerializer,
        responses={200: serializers.RecommendationSerializer},
    ),
    response_review=extend_schema(
        summary="Submit, approve, return or reopen the government response",
        request=serializers.TextTransitionSerializer,
        responses={200: serializers.GovernmentResponseSerializer},
    ),
)
class RecommendationViewSet(AllianceViewSet):
    """The rapporteur's recommendations, with the government's response and the follow-up per period."""

    serializer_class = serializers.RecommendationSerializer
    filterset_class = filters.RecommendationFilter
    http_method_names = [*WRITE_METHODS, "put"]
    lookup_value_regex = "[0-9]+"
    ordering_fields = {
        "issued_on": "issued_on",
        "country": "country__code",
        "goal": "goal__order",
        "updated_at": "updated_at",
        "id": "pk",
    }

    def visible_follow_ups(self) -> QuerySet:
        return (
            RecommendationFollowUp.objects.filter(self.viewer.reviewable_q("recommendation__country"))
            .select_related("period")
            .order_by("period__starts_on", "pk")
        )

    def get_queryset(self):
        return (
            Recommendation.objects.filter(
                self.viewer.country_q("country", alliance_wide=True), self.viewer.revised_q("country")
            )
            .select_related("country", "goal", "response")
            .prefetch_related(
                Prefetch("follow_ups", queryset=self.visible_follow_ups(), to_attr="visible_follow_ups")
            )
            .order_by("issued_on", "source_document", "number", "pk")
        )

    def create(self, request, *args, **kwargs):
        data = _validated(serializers.RecommendationCreateSerializer, request)
        return self.write_response(services.recommendation_save(user=request.user, **data), created=True)

    def partial_update(self, request, *args, **kwargs):
        recommendation = self.get_object()
        data = _validated(serializers.RecommendationUpdateSerializer, request, partial=True)
        saved = services.recommendation_save(
            user=request.user, recommendation=recommendation, expected_version=_version(data), **data
        )
        return self.write_response(saved)

    @action(detail=True, methods=["post"])
    def review(self, request, *args, **kwargs):
        recommendation = self.get_object()
        return self.write_response(_text_transition(recommendation, request))

    @action(detail=True, methods=["put"])
    def response(self, request, *args, **kwargs):
        recommendation = self.get_object()
        data = _validated(serializers.GovernmentResponseWriteSerializer, request)
        saved = services.government_response_save(
            user=request.user, recommendation=recommendation, expected_version=_version(data), **data
        )
        return self.response_body(saved)

    @action(detail=True, methods=["post"], url_path="response/review", url_name="response-review")
    def response_review(self, request, *args, **kwargs):
        recommendation = self.get_object()
        answer = GovernmentResponse.objects.filter(recommendation=recommendation).first()
        if answer is None:
            raise Http404
        answer.recommendation = recommendation
        return self.response_body(_text_transition(answer, request))

    def response_body(self, answer: GovernmentResponse) -> Response:
        body = serializers.GovernmentResponseSerializer(answer, context=self.get_serializer_context()).data
        return Response(body)

    @action(detail=True, methods=["post"], url_path="follow-ups")
    def follow_ups(self, request, *args, **kwargs):
        recommendation = self.get_object()
        data = _validated(serializers.FollowUpWriteSerializer, request)
        created = not RecommendationFollowUp.objects.filter(
            recommendation=recommendation, period=data["period"]
        ).exists()
        item = services.follow_up_save(
            recommendation=recommendation, user=request.user, expected_version=_version(data), **data
        )
        shown = self.visible_follow_ups().get(pk=item.pk)
        body = serializers.FollowUpSerializer(shown, context=self.get_serializer_context()).data
        return Response(body, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)

    @action(detail=True, methods=["post"])
    def transition(self, request, *args, **kwargs):
        recommendation = self.get_object()
        data = _validated(serializers.PeriodTransitionSerializer, request)
        item = _entry(
            self.visible_follow_ups().select_related("recommendation__country"),
            recommendation=recommendation,
            period=data.pop("period"),
        )
        moved = services.reviewable_transition(
            item=item, user=request.user, expected_version=_version(data), **data
        )
        shown = self.visible_follow_ups().get(pk=moved.pk)
        return Response(serializers.FollowUpSerializer(shown, context=self.get_serializer_context()).data)
