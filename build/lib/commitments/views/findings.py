"""The rapporteur's findings per country (or the whole alliance), period and goal."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from .. import access, selectors, services
from ..models import Finding, Goal, ReportingPeriod
from .base import _country, _require

FINDING_ACTIONS = {"save", "submit", "approve", "return", "reopen"}


@login_required
def findings(request: HttpRequest, code: str, period_id: int) -> HttpResponse:
    """The rapporteur's findings in words for a country (or the alliance) and period, per goal and on the
    whole, written and reviewed under the same workflow as the data."""
    country = None if code == "alliance" else _country(code)
    allowed = (
        access.is_reviewer(request.user)
        if country is None
        else access.can_edit_country(request.user, country)
    )
    _require(allowed)
    period = get_object_or_404(ReportingPeriod, pk=period_id)
    if request.method == "POST":
        action = request.POST.get("action", "")
        goal_id = request.POST.get("goal", "")
        goal = get_object_or_404(Goal, pk=int(goal_id)) if goal_id.isdigit() else None
        version = request.POST.get("version", "")
        expected = int(version) if version.isdigit() else None
        try:
            if action not in FINDING_ACTIONS:
                raise ValidationError(_("Unknown action."))
            if action == "save":
                services.finding_save(
                    user=request.user,
                    period=period,
                    country=country,
                    goal=goal,
                    text=request.POST.get("text", ""),
                    expected_version=expected,
                )
                messages.success(request, _("The findings are saved as a draft."))
            else:
                item = get_object_or_404(Finding, period=period, country=country, goal=goal)
                services.reviewable_transition(
                    item=item,
                    action=action,
                    user=request.user,
                    reason=request.POST.get("reason", ""),
                    expected_version=expected,
                )
                messages.success(request, _("Done: %(action)s.") % {"action": services.ACTION_NAMES[action]})
        except services.EditConflict:
            messages.error(
                request, _("Someone else changed these findings meanwhile; read them and try again.")
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        return redirect("findings", code=code, period_id=period.pk)
    return render(
        request,
        "commitments/findings.html",
        {
            "country": country,
            "code": code,
            "period": period,
            "rows": selectors.findings_for(period=period, country=country),
            "can_review": access.can_review(request.user),
        },
    )
