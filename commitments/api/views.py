"""The partner REST API, version 1: reads for partners and members, writes for staff through the services.

Every list is filtered by what the reader may see (visibility.py), ordered stably, paged, available as
CSV, and answers conditional requests (ETag) from the data version (sync.changes.data_version: one
indexed query, the same cost at any size, raised in the transaction of every write) before it reads a
single row; a page already rendered for the same scope, URL and data version comes from the cache
(cache.py). Writes validate the request's shape (serializers.py) and hand over to commitments.services,
exactly as the browser does; the services' refusals become the API's errors (exceptions.py).
"""

from __future__ import annotations

import hashlib
import json
from itertools import batched

from django.db import connection
from django.db.models import Model, Prefetch, QuerySet
from django.http import Http404, StreamingHttpResponse
from django.utils import translation
from django.utils.cache import get_conditional_response, patch_vary_headers
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import JSONParser
from rest_framework.response import Response

from commitments import services
from commitments.models import (
    Commitment,
    CommitmentProgress,
    Country,
    EvaluationRound,
    Goal,
    GovernmentResponse,
    Indicator,
    IndicatorValue,
    Recommendation,
    RecommendationFollowUp,
    ReportingPeriod,
)
from sync import changes

from . import cache, export, filters, serializers
from .renderers import columns_of, stream_csv
from .visibility import Viewer, viewer_for

API_VERSION = "1"
CSV_CHUNK = 500  # rows fetched and serialized at a time: memory stays flat however long the list
WRITE_METHODS = ["get", "post", "patch", "head"]


class AllianceViewSet(viewsets.GenericViewSet):
    """Lists and details with visibility, stable paging, CSV, conditional GET and a page cache."""

    parser_classes = [JSONParser]
    http_method_names = ["get", "head"]
    ordering_fields: dict[str, str] = {}

    @property
    def viewer(self) -> Viewer:
        return viewer_for(self.request)

    def get_serializer_context(self):
        # Reviewed texts read differently for editors and everyone else (serializers.RevisedSerializerMixin).
        return {**super().get_serializer_context(), "viewer": self.viewer}

    # --- lists ---

    def list(self, request, *args, **kwargs):
        if self.paginator is not None:
            self.paginator.check_parameters(request)
        queryset = self.filter_queryset(self.get_queryset())
        version = changes.data_version(changes.visible_to(self.viewer))
        etag = self.etag(self.viewer.scope, request.get_full_path(), version)
        not_modified = self.not_modified(etag)
        if not_modified is not None:
            return not_modified
        if request.accepted_renderer.format == "csv":
            return self.with_validators(self.csv_response(queryset), etag)
        key = cache.page_key(
            scope=self.viewer.scope,
            language=translation.get_language() or "",
            media_type=request.accepted_media_type or "",
            url=request.build_absolute_uri(),
            version=version,
        )
        cached = cache.page_get(key)
        if cached is not None:
            return self.with_validators(cached, etag)
        page = self.paginate_queryset(queryset)
        response = self.get_paginated_response(self.get_serializer(page, many=True).data)
        if changes.data_version(changes.visible_to(self.viewer)) != version:
            # A change landed while the page was read: the page may show part of it, so it is neither
            # stored nor given a validator that would let a client keep it.
            return self.with_validators(response, None)
        cache.page_store_when_rendered(response, key)
        return self.with_validators(response, etag)

    def csv_response(self, queryset: QuerySet) -> StreamingHttpResponse:
        serializer = self.get_serializer(many=True)
        columns = columns_of(serializer)
        # to_representation, not .data: .data ties rows and serializer in a reference cycle, which only the
        # garbage collector's rare full passes free, so memory would grow with the length of the list.
        chunks = (
            serializer.to_representation(chunk)
            for chunk in batched(queryset.iterator(chunk_size=CSV_CHUNK), CSV_CHUNK)
        )
        response = StreamingHttpResponse(stream_csv(chunks, columns), content_type="text/csv; charset=utf-8")
        name = self.request.path.rstrip("/").rsplit("/", 1)[-1]  # the endpoint: values, commitments, ...
        response["Content-Disposition"] = f'attachment; filename="alliance-monitor-{name}.csv"'
        return response

    # --- details ---

    def retrieve(self, request, *args, **kwargs):
        data = self.get_serializer(self.get_object()).data
        etag = self.etag(json.dumps(data, sort_keys=True, default=str))
        return self.not_modified(etag) or self.with_validators(Response(data), etag)

    # --- conditional GET ---

    def etag(self, *parts) -> str:
        key = "|".join(
            [
                API_VERSION,
                self.viewer.key,
                self.request.accepted_media_type or "",
                *(str(part) for part in parts),
            ]
        )
        return '"' + hashlib.sha256(key.encode()).hexdigest()[:32] + '"'

    def not_modified(self, etag: str):
        # No Last-Modified: a whole-second date cannot tell a change in the same second, nor a row that
        # left the list; If-Modified-Since is therefore never answered 304. The ETag is exact.
        response = get_conditional_response(self.request, etag=etag)
        return self.with_validators(response, etag) if response is not None else None

    def with_validators(self, response, etag: str | None):
        if etag:
            response["ETag"] = etag
        # Anyone's copy must be revalidated; shared caches must not serve one reader's data to another.
        response["Cache-Control"] = "private, no-cache"
        patch_vary_headers(response, ["Accept", "Authorization", "Cookie"])
        return response

    # --- writes ---

    def reload(self, item: Model) -> Model:
        """The saved item as this endpoint shows it (with its related rows)."""
        return self.get_queryset().get(pk=item.pk)

    def write_response(self, item: Model, created: bool = False) -> Response:
        data = self.get_serializer(self.reload(item)).data
        return Response(data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


def _validated(serializer_class, request, **kwargs) -> dict:
    serializer = serializer_class(data=request.data, **kwargs)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


def _version(data: dict) -> int | None:
    return data.pop("version", None)


def _text_transition(item: Model, request) -> Model:
    """Move a reviewed text (commitment, recommendation, response) one step through the workflow."""
    data = _validated(serializers.TextTransitionSerializer, request)
    return services.reviewable_transition(
        item=item, user=request.user, expected_version=data.pop("version", None), **data
    )


def _entry(queryset: QuerySet, **lookup) -> Model:
    """The reviewable entry of a commitment or recommendation for one period, if the reader may see it."""
    item = queryset.filter(**lookup).first()
    if item is None:
        raise Http404
    return item


# --- reference data -----------------------------------------------------------------------------------


class CountryViewSet(AllianceViewSet):
    """Countries in (or once in, or observing) the alliance, by ISO 3166 alpha-2 code."""

    serializer_class = serializers.CountrySerializer
    filterset_class = filters.CountryFilter
    lookup_field = "code"
    lookup_value_regex = "[A-Z]{2}"
    ordering_fields = {"code": "code", "name_en": "name_en", "region": "region", "joined_on": "joined_on"}

    def get_queryset(self):
        return Country.objects.filter(self.viewer.country_q("pk")).order_by("code")


class GoalViewSet(AllianceViewSet):
    """The six goals, under the Declaration's four policy targets."""

    serializer_class = serializers.GoalSerializer
    lookup_field = "code"
    lookup_value_regex = "[A-Za-z0-9_-]+"
    ordering_fields = {"order": "order", "code": "code"}
    queryset = Goal.objects.order_by("order")


class IndicatorViewSet(AllianceViewSet):
    """Indicators of progress per goal, by code."""

    serializer_class = serializers.IndicatorSerializer
    filterset_class = filters.IndicatorFilter
    lookup_field = "code"
    lookup_value_regex = "[A-Z0-9][A-Z0-9._-]*"
    ordering_fields = {"code": "code", "goal": "goal__order", "order": "order"}
    queryset = Indicator.objects.select_related("goal").order_by("goal__order", "order", "code")


class PeriodViewSet(AllianceViewSet):
    """Reporting periods (the 2013 baseline, the 2014 progress report, ...)."""

    serializer_class = serializers.PeriodSerializer
    filterset_class = filters.PeriodFilter
    lookup_value_regex = "[0-9]+"
    ordering_fields = {"starts_on": "starts_on", "label": "label"}
    queryset = ReportingPeriod.objects.order_by("starts_on")


class RoundViewSet(AllianceViewSet):
    """Evaluation rounds: a baseline period compared with an evaluation period."""

    serializer_class = serializers.RoundSerializer
    lookup_value_regex = "[0-9]+"
    ordering_fields = {"ministerial_date": "ministerial_date", "label": "label"}
    queryset = EvaluationRound.objects.order_by("ministerial_date")


# --- indicator values ---------------------------------------------------------------------------------


@extend_schema_view(
    create=extend_schema(
        summary="Enter or change a value (staff)",
        description="Creates the country's value for the indicator and period, or changes it "
        "(it stays or becomes a draft), through the same service as the browser.",
        request=serializers.IndicatorValueCreateSerializer,
        responses={200: serializers.IndicatorValueSerializer, 201: serializers.IndicatorValueSerializer},
        examples=[
            OpenApiExample(
                "A yearly change in identified victims",
                value={
                    "country": "NL",
                    "indicator": "VI-3",
                    "period": 2,
                    "number_value": "12.5",
                    "note": "ICSE.",
                },
                request_only=True,
            )
        ],
    ),
    partial_update=extend_schema(
        summary="Change a value (staff)",
        request=serializers.IndicatorValueUpdateSerializer,
        responses={200: serializers.IndicatorValueSerializer},
    ),
    transition=extend_schema(
        summary="Submit, approve, return or reopen a value",
        request=serializers.TransitionSerializer,
        responses={200: serializers.IndicatorValueSerializer},
    ),
)
class IndicatorValueViewSet(AllianceViewSet):
    """Indicator values: one country's value of one indicator for one reporting period."""

    serializer_class = serializers.IndicatorValueSerializer
    filterset_class = filters.IndicatorValueFilter
    http_method_names = WRITE_METHODS
    lookup_value_regex = "[0-9]+"
    ordering_fields = {
        "country": "country__code",
        "indicator": "indicator__code",
        "goal": "indicator__goal__order",
        "period": "period__starts_on",
        "updated_at": "updated_at",
        "id": "pk",
    }

    def get_queryset(self):
        return (
            IndicatorValue.objects.filter(self.viewer.reviewable_q("country"))
            .select_related("country", "indicator__goal", "period")
            .order_by("country__code", "indicator__code", "period__starts_on", "pk")
        )

    def csv_response(self, queryset: QuerySet) -> StreamingHttpResponse:
        if connection.vendor != "postgresql":
            return super().csv_response(queryset)  # SQLite (make run): the fast path's SQL is PostgreSQL's
        return export.values_csv_response(queryset, "alliance-monitor-values.csv")  # the fast path

    def create(self, request, *args, **kwargs):
        data = _validated(serializers.IndicatorValueCreateSerializer, request)
        created = not IndicatorValue.objects.filter(
            country=data["country"], indicator=data["indicator"], period=data["period"]
        ).exists()
        value = services.indicator_value_save(user=request.user, expected_version=_version(data), **data)
        return self.write_response(value, created=created)

    def partial_update(self, request, *args, **kwargs):
        value = self.get_object()
        data = _validated(serializers.IndicatorValueUpdateSerializer, request)
        expected_version = _version(data)
        # Only the fields sent: the service keeps the others as they are.
        saved = services.indicator_value_save(
            country=value.country,
            indicator=value.indicator,
            period=value.period,
            user=request.user,
            expected_version=expected_version,
            **data,
        )
        return self.write_response(saved)

    @action(detail=True, methods=["post"])
    def transition(self, request, *args, **kwargs):
        value = self.get_object()
        data = _validated(serializers.TransitionSerializer, request)
        moved = services.reviewable_transition(
            item=value, user=request.user, expected_version=_version(data), **data
        )
        return self.write_response(moved)


# --- commitments --------------------------------------------------------------------------------------


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


# --- recommendations ----------------------------------------------------------------------------------


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
