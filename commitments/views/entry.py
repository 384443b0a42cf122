"""Data entry for a country and period, and submitting it for review."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from focal import selectors as focal_selectors

from .. import access, selectors, services
from ..forms import IndicatorValueForm
from ..models import IndicatorValue, ReportingPeriod, Status
from .base import (
    _as_seen,
    _conflict_message,
    _country,
    _not_shown_warning,
    _require,
    _versioned_save,
    conflict_lines,
    seen_value,
)


@login_required
def data_entry(request: HttpRequest, code: str, period_id: int) -> HttpResponse:
    """All indicators of a country and period on one page, grouped by goal."""
    country = _country(code)
    _require(access.can_edit_country(request.user, country))
    period = get_object_or_404(ReportingPeriod, pk=period_id)
    entry = selectors.data_entry(country=country, period=period)
    data = request.POST.copy() if request.method == "POST" else None
    forms = {
        row.indicator.pk: IndicatorValueForm(data, indicator=row.indicator, value=row.value)
        for row in entry.rows
    }
    conflicts: dict[int, dict[str, Any]] = {}
    failed = 0

    if request.method == "POST":
        if not period.is_open:
            messages.error(
                request,
                _("The period %(period)s is closed: its data can no longer be changed.")
                % {"period": period.name},
            )
            return redirect(request.path)
        saved = failed = 0
        for row in entry.rows:
            if row.value is not None and not row.value.is_editable:
                continue  # locked rows are shown, not posted
            form = forms[row.indicator.pk]

            def save(indicator=row.indicator, **values):
                return services.indicator_value_save(
                    country=country, indicator=indicator, period=period, user=request.user, **values
                )

            outcome, detail = _versioned_save(form=form, data=data, current=row.value, save=save)
            if outcome == "saved":
                saved += 1
                row.value = detail
                detail.indicator = row.indicator
            elif outcome == "conflict":
                failed += 1
                conflicts[row.indicator.pk] = {"message": str(detail), "lines": conflict_lines(detail)}
                row.value = detail.current
                detail.current.indicator = row.indicator
            elif outcome == "invalid":
                failed += 1
        if not failed:
            messages.success(
                request,
                ngettext("%(count)d value saved.", "%(count)d values saved.", saved) % {"count": saved}
                if saved
                else _("Nothing changed, so nothing was saved."),
            )
            return redirect(request.path)
        if saved:
            messages.info(
                request,
                ngettext("%(count)d value saved.", "%(count)d values saved.", saved) % {"count": saved},
            )
        messages.error(
            request,
            ngettext(
                "%(count)d value was not saved: see the field marked below. What you typed is kept.",
                "%(count)d values were not saved: see the fields marked below. What you typed is kept.",
                failed,
            )
            % {"count": failed},
        )

    # The government's track beside each item (its submitted self-report), for those who may read it.
    government: dict[str, Any] = {"shown": access.can_read_self_report(request.user, country)}
    if government["shown"]:
        lines = focal_selectors.divergences(country=country, period=period, rapporteur_drafts=True)
        government.update(
            focal_selectors.by_subject(lines),
            reported=len(lines),
            differ=sum(line.contradicts for line in lines),
        )
    return render(
        request,
        "commitments/data_entry.html",
        {
            "country": country,
            "government": government,
            "period": period,
            "entry": entry,
            "forms": forms,
            "conflicts": conflicts,
            "can_review": access.can_review(request.user),
            "ready_count": entry.pending_count,
            "pending_seen": [seen_value(item) for item in entry.pending_items],
            "periods": entry.periods,
        },
        # As every form: 409 when a save met someone else's change, 400 when input was refused.
        status=409 if conflicts else (400 if failed else 200),
    )


@login_required
@require_POST
def submit_for_review(request: HttpRequest, code: str, period_id: int) -> HttpResponse:
    """Submit every draft or returned item of the country and period that has a value."""
    country = _country(code)
    _require(access.can_edit_country(request.user, country))
    period = get_object_or_404(ReportingPeriod, pk=period_id)
    items = selectors.country_period_items(country=country, period=period)
    pending, not_shown = _as_seen(
        request, [item for item in items if item.status in {Status.DRAFT, Status.RETURNED}]
    )
    ready = [item for item in pending if not isinstance(item, IndicatorValue) or item.has_value]
    _not_shown_warning(request, not_shown)
    try:
        count = services.reviewable_transition_many(items=ready, action="submit", user=request.user)
    except services.EditConflict as conflict:
        messages.error(request, _conflict_message(conflict))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if count:
            messages.success(
                request,
                ngettext(
                    "%(count)d item submitted for review.", "%(count)d items submitted for review.", count
                )
                % {"count": count},
            )
        else:
            messages.info(request, _("There was nothing to submit."))
        if len(pending) > len(ready):
            skipped = len(pending) - len(ready)
            messages.warning(
                request,
                ngettext(
                    "%(count)d value without a figure stays a draft.",
                    "%(count)d values without a figure stay drafts.",
                    skipped,
                )
                % {"count": skipped},
            )
    return redirect("data_entry", code=country.code, period_id=period.pk)
