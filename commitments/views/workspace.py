"""The home page, the list of countries and a country's page."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from alliance_monitor.charts import Chart, Series, bar_chart

from .. import access, selectors
from ..models import Country, Indicator, ReportingPeriod
from .base import _country
from .texts import _text_edit_url


@login_required
def home(request: HttpRequest) -> HttpResponse:
    attention = selectors.attention_for(user=request.user)
    return render(
        request,
        "commitments/home.html",
        {
            "attention": attention,
            "texts": [
                (item.working_copy(), _text_edit_url(item))
                for item in selectors.texts_needing_attention(user=request.user)
            ],
            "can_review": access.can_review(request.user),
            "is_minister": access.is_minister(request.user),
        },
    )


@login_required
def country_list(request: HttpRequest) -> HttpResponse:
    countries = sorted(
        Country.objects.exclude(membership=Country.Membership.OBSERVER), key=lambda c: c.sort_key
    )
    editable = set(
        access.editable_countries(request.user, Country.objects.all()).values_list("pk", flat=True)
    )
    return render(
        request,
        "commitments/country_list.html",
        {"countries": countries, "editable": editable, "mine": [c for c in countries if c.pk in editable]},
    )


def _goal_chart(
    goal: selectors.GoalOverview, periods: list[ReportingPeriod], country: Country
) -> Chart | None:
    line = goal.headline
    if line is None:
        return None
    indicator = line.indicator
    unit = indicator.unit if indicator.value_type != Indicator.ValueType.MATURITY else _("level 0–4")
    return bar_chart(
        title=f"{indicator.code} {indicator.name}",
        categories=[period.name for period in periods],
        series=[
            Series(
                name=country.name,
                values=[cell.number_value if cell is not None else None for cell in line.cells],
            )
        ],
        unit=unit,
        direction=indicator.direction,
        axis={"maturity": "maturity", "percentage": "percentage"}.get(indicator.value_type, ""),
    )


@login_required
def country_detail(request: HttpRequest, code: str) -> HttpResponse:
    country = _country(code)
    overview = selectors.country_overview(country=country, user=request.user)
    can_edit = access.can_edit_country(request.user, country)
    return render(
        request,
        "commitments/country_detail.html",
        {
            "country": country,
            "overview": overview,
            "charts": {goal.goal.pk: _goal_chart(goal, overview.periods, country) for goal in overview.goals},
            "can_edit": can_edit,
            "can_review": access.can_review(request.user),
            "open_periods": [period for period in overview.periods if period.is_open],
        },
    )
