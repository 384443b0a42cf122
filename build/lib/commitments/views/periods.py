"""The reporting periods, opened and closed by administrators."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .. import access, selectors, services
from ..forms import ReasonForm
from ..models import ReportingPeriod
from .base import _require


@login_required
def period_list(request: HttpRequest) -> HttpResponse:
    _require(access.is_staff_member(request.user) or access.can_review(request.user))
    return render(
        request,
        "commitments/period_list.html",
        {
            "periods": selectors.periods_in_order(),
            "can_review": access.can_review(request.user),
            "form": ReasonForm(),
        },
    )


@login_required
@require_POST
def period_toggle(request: HttpRequest, period_id: int) -> HttpResponse:
    _require(access.can_review(request.user))
    period = get_object_or_404(ReportingPeriod, pk=period_id)
    form = ReasonForm(request.POST)
    form.is_valid()
    opening = request.POST.get("open") == "1"
    try:
        services.period_set_open(
            period=period, is_open=opening, user=request.user, reason=form.cleaned_data.get("reason", "")
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("period_list")
    messages.success(
        request,
        (
            _("%(period)s is open for data entry.")
            if opening
            else _("%(period)s is closed: its data is read-only.")
        )
        % {"period": period.name},
    )
    return redirect("period_list")
