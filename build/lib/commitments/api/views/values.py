"""Indicator values: read by partners, written by staff with the version they started from."""

from __future__ import annotations

from django.db import connection
from django.db.models import QuerySet
from django.http import StreamingHttpResponse
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework.decorators import action

from commitments import services
from commitments.models import IndicatorValue

from .. import export, filters, serializers
from .base import WRITE_METHODS, AllianceViewSet, _validated, _version


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
