"""Query parameters of the list endpoints: filters (django-filter) and a stable ordering.

Lists of codes are comma-separated (``?country=NL,BE``). ``updated_since`` takes an ISO 8601 timestamp
and returns the rows changed at or after it, as the reader sees them (a simple filter: the change feed,
/api/v1/changes/, is what a partner keeping a copy in sync should use; it also says what was removed).

Every parameter is strict: a value the schema does not allow (an empty ``updated_since``, ``is_active=maybe``,
a period id that is not a whole number from 1 to 2^63-1, a code with characters no code has, an unknown
``ordering`` name) answers 400 in the API's error shape instead of being quietly ignored.
"""

from __future__ import annotations

import datetime as dt

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters
from django_filters.fields import BaseCSVField, IsoDateTimeField
from drf_spectacular.drainage import set_override
from rest_framework import serializers
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

# The largest id PostgreSQL's bigint holds: larger numbers are no id, and are refused before any query.
MAX_ID = 2**63 - 1
COUNTRY_CODE = r"^[A-Za-z]{2}$"
INDICATOR_CODE = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,29}$"
GOAL_CODE = r"^[A-Za-z0-9_-]{1,40}$"


class StrictFilterForm(forms.Form):
    """The form behind every FilterSet: a parameter given with an empty value is an error, not "no filter".

    Lists (``?period=``, comma-separated) may be empty; a single value (a time, a choice, a yes/no) may not.
    """

    def clean(self):
        cleaned = super().clean()
        for name, field in self.fields.items():
            if isinstance(field, BaseCSVField) or name not in self.data:
                continue
            if any(value.strip() == "" for value in self.data.getlist(name)):
                self.add_error(name, _("Give a value, or leave the parameter out."))
        return cleaned


class StrictFilterSet(filters.FilterSet):
    """Base of the API's filter sets (and of those DRF builds from ``filterset_fields``)."""

    def get_form_class(self):
        form = super().get_form_class()
        return type(form.__name__, (StrictFilterForm, form), {})


class StrictFilterBackend(filters.DjangoFilterBackend):
    """DEFAULT_FILTER_BACKENDS: django-filter with strict forms, also for views with ``filterset_fields``."""

    filterset_base = StrictFilterSet


class StrictBooleanField(forms.NullBooleanField):
    """``true`` or ``false``, as the schema says; anything else is an error (Django read it as "any")."""

    widget = forms.TextInput  # the raw text: Django's select widget turns what it does not know into None

    def to_python(self, value):
        if value in (None, ""):
            return None
        if value in ("true", "false", True, False):
            return value in ("true", True)
        raise ValidationError(_("Give true or false."), code="invalid")

    def validate(self, value):
        return None


class StrictBooleanFilter(filters.BooleanFilter):
    field_class = StrictBooleanField

    def __init__(self, *args, **kwargs) -> None:
        kwargs["widget"] = forms.TextInput
        super().__init__(*args, **kwargs)


class StableOrderingFilter(OrderingFilter):
    """``?ordering=country,-updated_at``, over the names a view lists, always ending in ``pk``.

    A view declares ``ordering_fields`` as {public name: ORM path}; an unknown name answers 400. Without
    ``?ordering`` the queryset keeps its own order. Either way ``pk`` closes the order, so that rows
    with equal sort keys keep one order across pages.
    """

    ordering_description = _("Sort by these fields (comma-separated); a leading '-' sorts descending.")

    def get_ordering(self, request, queryset, view) -> list[str] | None:
        aliases = getattr(view, "ordering_fields", None) or {}
        params = request.query_params.get(self.ordering_param, "")
        if not params:
            return None
        terms, unknown = [], []
        for term in params.split(","):
            descending = term.startswith("-")
            path = aliases.get(term[1:] if descending else term)
            if path:
                terms.append(f"-{path}" if descending else path)
            else:
                unknown.append(term)
        if unknown:
            names = ", ".join(sorted(aliases))
            raise serializers.ValidationError(
                {
                    self.ordering_param: [
                        _("Sort by %(names)s (a leading '-' sorts descending); not by %(unknown)s.")
                        % {"names": names, "unknown": ", ".join(repr(term[:40]) for term in unknown[:5])}
                    ]
                }
            )
        return terms

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
    """Comma-separated codes; ``upper`` makes them case-insensitive (ISO and indicator codes are capitals).

    ``pattern`` is what a code looks like: a value that cannot be a code is refused (400), as the schema
    (which shows the pattern) says.
    """

    def __init__(self, *args, pattern: str, upper: bool = False, **kwargs) -> None:
        kwargs.setdefault("lookup_expr", "in")
        kwargs["validators"] = [RegexValidator(pattern, _("Not a code: a code has no such characters."))]
        super().__init__(*args, **kwargs)
        self.upper = upper
        item = {"type": "string", "pattern": pattern}
        set_override(self, "field", {**item, "description": str(kwargs.get("help_text", ""))})

    def filter(self, qs, value):
        if value:
            value = [item.strip().upper() if self.upper else item.strip() for item in value if item.strip()]
        return super().filter(qs, value)


class IdsFilter(filters.BaseInFilter, filters.NumberFilter):
    """Comma-separated ids: ``?period=1,2``; each a whole number from 1 to 2^63-1 (else 400)."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("lookup_expr", "in")
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)
        item = {"type": "integer", "minimum": 1, "maximum": MAX_ID}
        set_override(self, "field", {**item, "description": str(kwargs.get("help_text", ""))})


class TimestampField(IsoDateTimeField):
    """An ISO 8601 time with any UTC offset the schema's date-time allows (up to 23:59), turned into UTC
    here, so PostgreSQL (which refuses offsets past 15:59) never sees the offset; years 1 to 9999 in UTC."""

    default_error_messages = {
        "out_of_range": _("Give a time from year 1 to 9999 (in UTC)."),
    }

    def to_python(self, value):
        moment = super().to_python(value)
        if moment is None:
            return None
        offset = moment.utcoffset()
        try:
            if offset is None:
                raise ValueError(offset)
            return moment.astimezone(dt.UTC)
        except (ValueError, OverflowError):
            raise ValidationError(self.error_messages["out_of_range"], code="out_of_range") from None


class TimestampFilter(filters.IsoDateTimeFilter):
    field_class = TimestampField


def _country_filter():
    return CodesFilter(
        field_name="country__code",
        upper=True,
        pattern=COUNTRY_CODE,
        help_text=_("ISO 3166 alpha-2 codes: NL,BE."),
    )


def _goal_filter(field_name: str):
    return CodesFilter(field_name=field_name, pattern=GOAL_CODE, help_text=_("Goal codes."))


def _updated_since_filter(method: str | None = None):
    return TimestampFilter(
        field_name="updated_at",
        lookup_expr="gte",
        method=method,
        help_text=_("Only rows changed at or after this ISO 8601 time (incremental sync)."),
    )


class CountryFilter(StrictFilterSet):
    region = filters.ChoiceFilter(choices=Country.Region.choices)
    membership = filters.ChoiceFilter(choices=Country.Membership.choices)

    class Meta:
        model = Country
        fields = ["region", "membership"]


class IndicatorFilter(StrictFilterSet):
    goal = _goal_filter("goal__code")
    value_type = filters.ChoiceFilter(choices=Indicator.ValueType.choices)
    direction = filters.ChoiceFilter(choices=Indicator.Direction.choices)
    is_active = StrictBooleanFilter()

    class Meta:
        model = Indicator
        fields = ["goal", "value_type", "direction", "is_active"]


class PeriodFilter(StrictFilterSet):
    kind = filters.ChoiceFilter(choices=ReportingPeriod.Kind.choices)
    is_open = StrictBooleanFilter()

    class Meta:
        model = ReportingPeriod
        fields = ["kind", "is_open"]


class IndicatorValueFilter(StrictFilterSet):
    country = _country_filter()
    goal = _goal_filter("indicator__goal__code")
    indicator = CodesFilter(
        field_name="indicator__code",
        upper=True,
        pattern=INDICATOR_CODE,
        help_text=_("Indicator codes: VI-1,RA-2."),
    )
    period = IdsFilter(field_name="period_id", help_text=_("Reporting period ids."))
    status = filters.ChoiceFilter(
        choices=Status.choices, help_text=_("Partners only ever see approved rows.")
    )
    updated_since = _updated_since_filter()

    class Meta:
        model = IndicatorValue
        fields = ["country", "goal", "indicator", "period", "status", "updated_since"]


class _ReportedItemsFilter(StrictFilterSet):
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
    goal = _goal_filter("goal__code")

    class Meta:
        model = Commitment
        fields = ["country", "goal", "period", "status", "updated_since"]


class RecommendationFilter(_ReportedItemsFilter):
    child_model = RecommendationFollowUp
    child_parent = "recommendation"
    child_country = "recommendation__country"

    country = _country_filter()
    goal = _goal_filter("goal__code")
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
