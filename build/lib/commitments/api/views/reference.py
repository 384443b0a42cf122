"""Reference data: countries, goals, indicators, reporting periods and evaluation rounds (read only)."""

from __future__ import annotations

from commitments.models import Country, EvaluationRound, Goal, Indicator, ReportingPeriod

from .. import filters, serializers
from .base import AllianceViewSet


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
