"""Commitments and their progress per period."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.response import Response

from commitments import services
from commitments.models import Commitment, CommitmentProgress

from .. import filters, serializers
from .base import WRITE_METHODS, AllianceViewSet, _entry, _text_transition, _validated, _version


@extend_schema_view(
    create=extend_schema(
        summary="Record a commitment (staff)",
        request=serializers.CommitmentCreateSerializer,
        examples=[
            OpenApiExample(
                "A prevention campaign",
                value={
                    "country": "NL",
                    "goal": "PREVENTION",
                    "title": "Run a campaign in schools",
                    "committed_on": "2013-04-15",
                    "target_date": "2014-12-31",
                },
                request_only=True,
            )
        ],
        responses={201: serializers.CommitmentSerializer},
    ),
    partial_update=extend_schema(
        summary="Change a commitment (staff)",
        request=serializers.CommitmentUpdateSerializer,
        responses={200: serializers.CommitmentSerializer},
    ),
    progress=extend_schema(
        summary="Report progress for a period (staff)",
        description="Creates or changes the commitment's progress for the period (it stays or becomes "
        "a draft).",
        request=serializers.ProgressWriteSerializer,
        responses={200: serializers.ProgressSerializer, 201: serializers.ProgressSerializer},
    ),
    transition=extend_schema(
        summary="Submit, approve, return or reopen the progress of one period",
        request=serializers.PeriodTransitionSerializer,
        responses={200: serializers.ProgressSerializer},
    ),
    review=extend_schema(
        summary="Submit, approve, return or reopen the commitment's text",
        description="Readers other than the country's staff see the last approved text; approving makes "
        "the draft the approved text.",
        request=serializers.TextTransitionSerializer,
        responses={200: serializers.CommitmentSerializer},
    ),
)
class CommitmentViewSet(AllianceViewSet):
    """Commitments: a country's own actions under a goal, with their progress per period."""

    serializer_class = serializers.CommitmentSerializer
    filterset_class = filters.CommitmentFilter
    http_method_names = WRITE_METHODS
    lookup_value_regex = "[0-9]+"
    ordering_fields = {
        "country": "country__code",
        "goal": "goal__order",
        "committed_on": "committed_on",
        "target_date": "target_date",
        "updated_at": "updated_at",
        "id": "pk",
    }

    def visible_progress(self) -> QuerySet:
        return (
            CommitmentProgress.objects.filter(self.viewer.reviewable_q("commitment__country"))
            .select_related("period")
            .order_by("period__starts_on", "pk")
        )

    def get_queryset(self):
        return (
            Commitment.objects.filter(self.viewer.country_q("country"), self.viewer.revised_q("country"))
            .select_related("country", "goal")
            .prefetch_related(
                Prefetch("progress", queryset=self.visible_progress(), to_attr="visible_progress")
            )
            .order_by("country__code", "goal__order", "committed_on", "pk")
        )

    def create(self, request, *args, **kwargs):
        data = _validated(serializers.CommitmentCreateSerializer, request)
        return self.write_response(services.commitment_save(user=request.user, **data), created=True)

    def partial_update(self, request, *args, **kwargs):
        commitment = self.get_object()
        data = _validated(serializers.CommitmentUpdateSerializer, request, partial=True)
        saved = services.commitment_save(
            user=request.user, commitment=commitment, expected_version=_version(data), **data
        )
        return self.write_response(saved)

    @action(detail=True, methods=["post"])
    def review(self, request, *args, **kwargs):
        commitment = self.get_object()
        return self.write_response(_text_transition(commitment, request))

    @action(detail=True, methods=["post"])
    def progress(self, request, *args, **kwargs):
        commitment = self.get_object()
        data = _validated(serializers.ProgressWriteSerializer, request)
        created = not CommitmentProgress.objects.filter(commitment=commitment, period=data["period"]).exists()
        item = services.commitment_progress_save(
            commitment=commitment, user=request.user, expected_version=_version(data), **data
        )
        shown = self.visible_progress().get(pk=item.pk)
        body = serializers.ProgressSerializer(shown, context=self.get_serializer_context()).data
        return Response(body, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)

    @action(detail=True, methods=["post"])
    def transition(self, request, *args, **kwargs):
        commitment = self.get_object()
        data = _validated(serializers.PeriodTransitionSerializer, request)
        item = _entry(
            self.visible_progress().select_related("commitment__country"),
            commitment=commitment,
            period=data.pop("period"),
        )
        moved = services.reviewable_transition(
            item=item, user=request.user, expected_version=_version(data), **data
        )
        shown = self.visible_progress().get(pk=moved.pk)
        return Response(serializers.ProgressSerializer(shown, context=self.get_serializer_context()).data)
