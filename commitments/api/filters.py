"""Query parameters of the list endpoints: filters (django-filter) and a stable ordering.

Lists of codes are comma-separated (``?country=NL,BE``). ``updated_since`` takes an ISO 8601 timestamp
and returns the rows changed at or after it, as the reader sees them, for incremental syncs: keep the
``Date`` header of the previous sync's first response and pass it next time.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters
from django_filters.fields import IsoDateTimeField
from rest_framework.filters import OrderingFilter

from commitments.models import (
    Commitment,
    CommitmentProgress,
    Country,
    GovernmentResponse,
    Indicator,
    IndicatorValue,
    Recommendation,
    RecommendationFollowUp,
    ReportingPeriod,
    Status,
)

from .visibility import viewer_for


class StableOrderingFilter(OrderingFilter):
    """``?ordering=country,-updated_at``, over the names a view lists, always ending in ``pk``.

    A view declares ``ordering_fields`` as {public name: ORM path}; unknown names are ignored. Without
    ``?ordering`` the queryset keeps its own order. Either way ``pk`` closes the order, so that rows
    with equal sort keys keep one order across pages.
    """

    ordering_description = _("Sort by these fields (comma-separated); a leading '-' sorts descending.")

    def get_ordering(self, request, queryset, view) -> list[str] | None:
        aliases = getattr(view, "ordering_fields", None) or {}
        params = request.query_params.get(self.ordering_param, "")
        terms = []
        for term in (part.strip() for part in params.split(",")):
            descending = term.startswith("-")
            path = aliases.get(term.lstrip("-"))
            if path:
                terms.append(f"-{path}" if descending else path)
        return terms or None

    def filter_queryset(self, request, queryset: QuerySet, view) -> QuerySet:
        terms = self.get_ordering(request, queryset, view)
        if terms is None:
            terms = list(queryset.query.order_by or queryset.model._meta.ordering)
        if not {term.lstrip("-") for term in terms} & {"pk", "id"}:
            terms.append("pk")
        return queryset.order_by(*terms)

    def get_schema_operation_parameters(self, view) -> list[dict]:
        names = list(getattr(view, "ordering_fields", None) or {})
        if not names:
            return []
        return [
            {
                "name": self.ordering_param,
                "required": False,
                "in": "query",
                "description": str(self.ordering_description),
                "style": "form",
                "explode": False,
                "schema": {
                    "type": "array",
                    "items": {"type": "string", "enum": [*names, *[f"-{n}" for n in names]]},
                },
            }
        ]


class CodesFilter(filters.BaseInFilter, filters.CharFilter):
    """Comma-separated codes; ``upper`` makes them case-insensitive (ISO and indicator codes are capitals)."""

    def __init__(self, *args, upper: bool = False, **kwargs) -> None:
        kwargs.setdefault("lookup_expr", "in")
        super().__init__(*args, **kwargs)
        self.upper = upper

    def filter(self, qs, value):
        if value:
            value = [item.strip().upper() if self.upper else item.strip() for item in value if item.strip()]
        return super().filter(qs, value)


class IdsFilter(filters.BaseInFilter, filters.NumberFilter):
    """Comma-separated ids: ``?period=1,2``."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("lookup_expr", "in")
        super().__init__(*args, **kwargs)


class TimestampField(IsoDateTimeField):
    """An ISO 8601 time that PostgreSQL can compare: UTC offsets of at most 14 hours, years 1 to 9999."""

    default_error_messages = {
        "out_of_range": _("Give a time from year 1 to 9999, with a UTC offset of at most 14 hours."),
    }

    def to_python(self, value):
        moment = super().to_python(value)
        if moment is None:
            return None
        offset = moment.utcoffset()
        try:
            if offset is None or abs(offset) > dt.timedelta(hours=14):
                raise ValueError(offset)
            return moment.astimezone(dt.UTC)
        except (ValueError, OverflowError):
            raise ValidationError(self.error_messages["out_of_range"], code="out_of_range") from None


class TimestampFilter(filters.IsoDateTimeFilter):
    field_class = TimestampField


def _country_filter():
    return CodesFilter(field_name="country__code", upper=True, help_text=_("ISO 3166 alpha-2 codes: NL,BE."))


def _updated_since_filter(method: str | None = None):
    return TimestampFilter(
        field_name="updated_at",
        lookup_expr="gte",
        method=method,
        help_text=_("Only rows changed at or after this ISO 8601 time (incremental sync)."),
    )


class CountryFilter(filters.FilterSet):
    region = filters.ChoiceFilter(choices=Country.Region.choices)
    membership = filters.ChoiceFilter(choices=Country.Membership.choices)

    class Meta:
        model = Country
        fields = ["region", "membership"]


class IndicatorFilter(filters.FilterSet):
    goal = CodesFilter(field_name="goal__code", help_text=_("Goal codes."))
    value_type = filters.ChoiceFilter(choices=Indicator.ValueType.choices)
    direction = filters.ChoiceFilter(choices=Indicator.Direction.choices)
    is_active = filters.BooleanFilter()

    class Meta:
        model = Indicator
        fields = ["goal", "value_type", "direction", "is_active"]


class PeriodFilter(filters.FilterSet):
    kind = filters.ChoiceFilter(choices=ReportingPeriod.Kind.choices)
    is_open = filters.BooleanFilter()

    class Meta:
        model = ReportingPeriod
        fields = ["kind", "is_open"]


class IndicatorValueFilter(filters.FilterSet):
    country = _country_filter()
    goal = CodesFilter(field_name="indicator__goal__code", help_text=_("Goal codes."))
    indicator = CodesFilter(
        field_name="indicator__code", upper=True, help_text=_("Indicator codes: VI-1,RA-2.")
    )
    period = IdsFilter(field_name="period_id", help_text=_("Reporting period ids."))
    status = filters.ChoiceFilter(
        choices=Status.choices, help_text=_("Partners only ever see approved rows.")
    )
    updated_since = _updated_since_filter()

    class Meta:
        model = IndicatorValue
        fields = ["country", "goal", "indicator", "period", "status", "updated_since"]


class _ReportedItemsFilter(filters.FilterSet):
    """Commitments and recommendations: period and status select by their reviewable children."""

    child_model: type = CommitmentProgress
    child_parent = "commitment"
    child_country = "commitment__country"

    period = IdsFilter(method="filter_children", help_text=_("Having a visible entry for these period ids."))
    status = filters.ChoiceFilter(
        choices=Status.choices,
        method="filter_children",
        help_text=_("Having a visible entry in this status."),
    )
    updated_since = _updated_since_filter(method="filter_updated_since")

    def _children(self) -> QuerySet:
        viewer = viewer_for(self.request)
        return self.child_model.objects.filter(
            viewer.reviewable_q(self.child_country), **{self.child_parent: OuterRef("pk")}
        )

    def filter_children(self, queryset: QuerySet, name: str, value) -> QuerySet:
        # period and status together mean one entry with both (see filter_queryset), not two entries.
        return queryset

    def filter_queryset(self, queryset: QuerySet) -> QuerySet:
        queryset = super().filter_queryset(queryset)
        conditions = {}
        if self.form.cleaned_data.get("period"):
            conditions["period_id__in"] = self.form.cleaned_data["period"]
        if self.form.cleaned_data.get("status"):
            conditions["status"] = self.form.cleaned_data["status"]
        if conditions:
            queryset = queryset.filter(Exists(self._children().filter(**conditions)))
        return queryset

    def changed_since(self, value) -> Q:
        return Q(updated_at__gte=value) | Q(Exists(self._children().filter(updated_at__gte=value)))

    def filter_updated_since(self, queryset: QuerySet, name: str, value) -> QuerySet:
        return queryset.filter(self.changed_since(value))


class CommitmentFilter(_ReportedItemsFilter):
    country = _country_filter()
    goal = CodesFilter(field_name="goal__code", help_text=_("Goal codes."))

    class Meta:
        model = Commitment
        fields = ["country", "goal", "period", "status", "updated_since"]


class RecommendationFilter(_ReportedItemsFilter):
    child_model = RecommendationFollowUp
    child_parent = "recommendation"
    child_country = "recommendation__country"

    country = _country_filter()
    goal = CodesFilter(field_name="goal__code", help_text=_("Goal codes."))
    response = filters.ChoiceFilter(
        field_name="response__response",
        choices=GovernmentResponse.Response.choices,
        method="filter_response",
        help_text=_("By the approved response (a response never approved matches nothing)."),
    )

    class Meta:
        model = Recommendation
        fields = ["country", "goal", "response", "period", "status", "updated_since"]

    def filter_response(self, queryset: QuerySet, name: str, value) -> QuerySet:
        # The response's columns hold its approved text; one never approved is not there for readers.
        return queryset.filter(response__response=value, response__approved_at__isnull=False)

    def changed_since(self, value) -> Q:
        response = GovernmentResponse.objects.filter(recommendation=OuterRef("pk"), updated_at__gte=value)
        return super().changed_since(value) | Q(Exists(response))
