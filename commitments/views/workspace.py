"""The home page, the list of countries and a country's page."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from alliance_monitor.charts import Chart, Series, bar_chart
from opendata.selectors import withholdable_ids
from opendata.services import may_propose as withholding_may_propose

from .. import access, selectors
from ..models import Country, Indicator, ReportingPeriod, Status
from .base import _country
from .texts import _text_edit_url


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Each role's home starts with its own queue: reviewers what waits for their review, staff what was
    returned to them and what is due soon (paged and filtered through the address: r-*, s-*)."""
    user = request.user
    if access.is_minister(user) and not (access.is_reviewer(user) or access.is_staff_member(user)):
        # A minister meets no deadline and reviews nothing: their home is the alliance at a glance.
        return redirect("overview")
    attention = selectors.attention_for(user=request.user)
    can_review = access.can_review(request.user)
    queue = (
        selectors.review_queue(
            user=request.user,
            filters=selectors.QueueFilters.from_query(request.GET, prefix="r-"),
            page=request.GET.get("r-page"),
        )
        if can_review
        else None
    )
    staff_queue = (
        selectors.staff_queue(
            user=request.user,
            filters=selectors.QueueFilters.from_query(request.GET, prefix="s-"),
            page=request.GET.get("s-page"),
        )
        if access.is_staff_member(request.user)
        else None
    )
    return render(
        request,
        "commitments/home.html",
        {
            "attention": attention,
            "queue": queue,
            "staff_queue": staff_queue,
            "texts": [
                (item.working_copy(), _text_edit_url(item))
                for item in selectors.texts_needing_attention(user=request.user)
            ],
            "can_review": can_review,
            "is_minister": access.is_minister(request.user),
            # Who may open the completeness matrix (the navigation's rule): not a focal point, not a minister.
            "tracks_work": can_review or staff_queue is not None,
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


# Page charts are drawn at the size they are shown (no scaling), so 12 px text stays 12 px on screen and
# the chart fits a 390 px phone beside the page's margins.
PAGE_CHART_WIDTH = 320
PAGE_CHART_TEXT = 12


def _axis_for(indicator: Indicator, values: list) -> str:
    """The axis the indicator's type asks for: maturity 0-4, percentages 0-100, whole numbers as counts."""
    if indicator.value_type in {Indicator.ValueType.MATURITY, Indicator.ValueType.PERCENTAGE}:
        return str(indicator.value_type)
    if all(value == value.to_integral_value() for value in values if value is not None):
        return "count"
    return ""


def _goal_chart(
    goal: selectors.GoalOverview, periods: list[ReportingPeriod], country: Country
) -> Chart | None:
    line = goal.headline
    if line is None:
        return None
    indicator = line.indicator
    unit = indicator.unit_text if indicator.value_type != Indicator.ValueType.MATURITY else _("level 0–4")
    values = [cell.number_value if cell is not None else None for cell in line.cells]
    return bar_chart(
        title=f"{indicator.code} {indicator.name}",
        categories=[period.name for period in periods],
        series=[
            Series(
                name=country.name,
                values=values,
                # Editors see drafts: drawn and labelled as drafts, never like approved figures.
                drafts=tuple(
                    cell is not None and cell.number_value is not None and cell.status != Status.APPROVED
                    for cell in line.cells
                ),
            )
        ],
        unit=unit,
        direction=indicator.direction,
        axis=_axis_for(indicator, values),
        width=PAGE_CHART_WIDTH,
        min_text=PAGE_CHART_TEXT,
    )


@login_required
def country_detail(request: HttpRequest, code: str) -> HttpResponse:
    country = _country(code)
    if not access.may_see_country(request.user, country):
        raise Http404  # a focal point sees their own country only
    overview = selectors.country_overview(country=country, user=request.user)
    can_edit = access.can_edit_country(request.user, country)
    can_withhold = withholding_may_propose(request.user, country)
    return render(
        request,
        "commitments/country_detail.html",
        {
            "country": country,
            "overview": overview,
            "charts": {goal.goal.pk: _goal_chart(goal, overview.periods, country) for goal in overview.goals},
            "can_edit": can_edit,
            "can_review": access.can_review(request.user),
            # Asking to keep an item off the public site: the withholding service's own rule.
            "can_withhold": can_withhold,
            # Beside each item the public sees: a link to ask to withhold it (4 queries, only for them).
            "withholdable": withholdable_ids(
                country=country, kinds=("value", "commitment", "progress", "response")
            )
            if can_withhold
            else {},
            "open_periods": [period for period in overview.periods if period.is_open],
        },
    )
