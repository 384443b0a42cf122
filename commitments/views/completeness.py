"""The completeness matrix: who has reported what, per country and goal."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from focal import selectors as focal_selectors

from .. import access, selectors
from ..models import Country, Goal
from .base import _require


@login_required
def completeness(request: HttpRequest, period_id: int | None = None) -> HttpResponse:
    """Countries x goals for a period: who has reported what, who is overdue."""
    _require(access.is_staff_member(request.user) or access.can_review(request.user))
    periods = selectors.periods_in_order()
    if not periods:
        raise PermissionDenied
    if period_id is None and request.GET.get("period", "").isdigit():
        period_id = int(request.GET["period"])
    period = next((p for p in periods if p.pk == period_id), None) if period_id else periods[-1]
    if period is None:
        raise Http404
    region = request.GET.get("region", "")
    goal_code = request.GET.get("goal", "")
    state = request.GET.get("state", "")
    overdue_only = request.GET.get("overdue") == "1"
    matrix = selectors.completeness_matrix(
        period=period,
        region=region if region in Country.Region.values else "",
        goal_code=goal_code,
        state=state if state in selectors.CellState else "",
        overdue_only=overdue_only,
    )
    # The government's track per cell: what its self-report gives for the goal, and how much differs
    # (for the countries whose self-report the reader may read: the ones they edit).
    readable = [
        row.country.pk for row in matrix.rows if access.can_read_self_report(request.user, row.country)
    ]
    government = focal_selectors.government_by_goal(country_ids=readable, period=period)
    for row in matrix.rows:
        for cell in row.cells:
            cell.government = government.get((row.country.pk, cell.goal.pk))
    return render(
        request,
        "commitments/completeness_matrix.html",
        {
            "matrix": matrix,
            "periods": periods,
            "period": period,
            "regions": Country.Region.choices,
            "all_goals": list(Goal.objects.order_by("order")),
            "states": _cell_state_choices(),
            "filters": {"region": region, "goal": goal_code, "state": state, "overdue": overdue_only},
            "can_review": access.can_review(request.user),
            "editable": set(access.assigned_country_ids(request.user)),
        },
    )


def _cell_state_choices() -> list[tuple[str, str]]:
    return [
        (selectors.CellState.NOT_STARTED, _("Not started")),
        (selectors.CellState.DRAFT, _("Draft")),
        (selectors.CellState.RETURNED, _("Returned")),
        (selectors.CellState.PARTIAL, _("Incomplete")),
        (selectors.CellState.SUBMITTED, _("Submitted")),
        (selectors.CellState.APPROVED, _("Approved")),
    ]
