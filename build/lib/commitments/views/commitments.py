"""A country's commitments and their progress per reporting period."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from .. import access, services
from ..forms import CommitmentForm, CommitmentProgressForm, VersionedForm
from ..models import Commitment, CommitmentProgress, Country, ReportingPeriod, Reviewable
from .base import _country, _require, _versioned_save, conflict_lines
from .texts import _text_form_page


def _commitment_form_page(request, *, country: Country, commitment: Commitment | None) -> HttpResponse:
    _require(access.can_edit_country(request.user, country))

    def save(**values):
        return services.commitment_save(user=request.user, commitment=commitment, country=country, **values)

    return _text_form_page(
        request,
        item=commitment,
        new_item=Commitment(country=country),
        form_class=CommitmentForm,
        save=save,
        template="commitments/commitment_form.html",
        context={"country": country, "commitment": commitment},
        saved_message=_("Commitment saved."),
        done=lambda saved: f"{reverse('country_detail', args=[country.code])}#goal-{saved.goal.code}",
    )


@login_required
def commitment_create(request: HttpRequest, code: str) -> HttpResponse:
    return _commitment_form_page(request, country=_country(code), commitment=None)


@login_required
def commitment_edit(request: HttpRequest, pk: int) -> HttpResponse:
    commitment = get_object_or_404(Commitment.objects.select_related("country", "goal"), pk=pk)
    return _commitment_form_page(request, country=commitment.country, commitment=commitment)


def _reviewable_form_page(
    request,
    *,
    country: Country,
    period: ReportingPeriod,
    item: Reviewable | None,
    form_class: type[VersionedForm],
    save,
    template: str,
    context: dict[str, Any],
) -> HttpResponse:
    """The shared flow of the progress and follow-up forms: versioned save, errors at the field, conflicts."""
    _require(access.can_edit_country(request.user, country))
    data = request.POST.copy() if request.method == "POST" else None
    form = form_class(data, item=item)
    locked = not period.is_open or (item is not None and not item.is_editable)
    conflict = None
    if request.method == "POST" and not locked:
        outcome, detail = _versioned_save(form=form, data=data, current=item, save=save)
        if outcome in {"saved", "unchanged"}:
            messages.success(
                request, _("Saved.") if outcome == "saved" else _("Nothing changed, so nothing was saved.")
            )
            return redirect("data_entry", code=country.code, period_id=period.pk)
        if outcome == "conflict":
            conflict = {"message": str(detail), "lines": conflict_lines(detail), "current": detail.current}
            item = detail.current
    elif request.method == "POST":
        messages.error(request, _("This item is locked: it cannot be changed now."))
    return render(
        request,
        template,
        {
            **context,
            "form": form,
            "country": country,
            "period": period,
            "item": item,
            "locked": locked,
            "conflict": conflict,
        },
        status=409 if conflict else (400 if form.errors else 200),
    )


@login_required
def progress_edit(request: HttpRequest, pk: int, period_id: int) -> HttpResponse:
    commitment = get_object_or_404(Commitment.objects.select_related("country", "goal"), pk=pk)
    period = get_object_or_404(ReportingPeriod, pk=period_id)
    item = (
        CommitmentProgress.objects.filter(commitment=commitment, period=period)
        .select_related("updated_by")
        .first()
    )
    previous = (
        CommitmentProgress.objects.filter(commitment=commitment, period__starts_on__lt=period.starts_on)
        .select_related("period")
        .order_by("-period__starts_on")
        .first()
    )

    def save(**values):
        return services.commitment_progress_save(
            commitment=commitment, period=period, user=request.user, **values
        )

    return _reviewable_form_page(
        request,
        country=commitment.country,
        period=period,
        item=item,
        form_class=CommitmentProgressForm,
        save=save,
        template="commitments/progress_form.html",
        context={"commitment": commitment, "previous": previous},
    )
