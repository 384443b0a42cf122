"""Reviewing a country's period: approve or return each item, or many at once."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .. import access, selectors, services
from ..forms import ReasonForm
from ..models import CommitmentProgress, Indicator, IndicatorValue, ReportingPeriod, Reviewable, Status
from ..templatetags.workspace import display_value
from .base import KIND_OF, _as_seen, _conflict_message, _country, _not_shown_warning, _require


@dataclass
class ReviewItem:
    """A reviewable item as the review page shows it, whatever its kind."""

    item: Reviewable
    key: str
    kind: str
    kind_label: str
    title: str
    shown_value: str
    text: str
    evidence: list[str]
    form: ReasonForm


def _review_item(item: Reviewable, form: ReasonForm | None = None) -> ReviewItem:
    kind = KIND_OF[type(item)]
    key = f"{kind}-{item.pk}"
    if isinstance(item, IndicatorValue):
        title, label = f"{item.indicator.code} {item.indicator.name}", _("Indicator value")
        shown, text = display_value(item), item.note
        if item.indicator.value_type == Indicator.ValueType.NUMBER and item.indicator.unit and item.has_value:
            shown = f"{shown} {item.indicator.unit}"
    elif isinstance(item, CommitmentProgress):
        title, label = item.commitment.title, _("Commitment progress")
        shown, text = item.get_completion_display(), item.narrative
    else:
        title, label = f"{_('Recommendation')} {item.recommendation.number}", _("Recommendation follow-up")
        shown, text = item.get_follow_up_display(), item.narrative
    return ReviewItem(
        item=item,
        key=key,
        kind=kind,
        kind_label=label,
        title=title,
        shown_value=shown,
        text=text,
        evidence=[line for line in item.evidence_links.splitlines() if line.strip()],
        form=form or ReasonForm(prefix=key, initial={"expected_version": item.version}),
    )


@login_required
def review(request: HttpRequest, code: str, period_id: int) -> HttpResponse:
    """A reviewer's page for a country and period: approve, return with a reason, or reopen."""
    _require(access.can_review(request.user))
    country = _country(code)
    period = get_object_or_404(ReportingPeriod, pk=period_id)
    items = selectors.country_period_items(country=country, period=period)
    bound: dict[str, ReasonForm] = {}
    refused = False
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action == "approve_all":
            waiting = [item for item in items if item.status == Status.SUBMITTED]
            submitted, not_shown = _as_seen(request, waiting)
            _not_shown_warning(request, not_shown)
            own = [item for item in submitted if services.is_own_work(item=item, user=request.user)]
            if own and services.four_eyes_required():
                # Four eyes: what this reviewer changed or submitted waits for another reviewer.
                submitted = [item for item in submitted if item not in own]
                messages.warning(
                    request,
                    ngettext(
                        "%(count)d item you changed or submitted yourself was left for another reviewer.",
                        "%(count)d items you changed or submitted yourself were left for another reviewer.",
                        len(own),
                    )
                    % {"count": len(own)},
                )
            try:
                count = services.reviewable_transition_many(
                    items=submitted, action="approve", user=request.user
                )
            except services.EditConflict as conflict:
                messages.error(request, _conflict_message(conflict))
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
            else:
                messages.success(
                    request,
                    ngettext("%(count)d item approved.", "%(count)d items approved.", count)
                    % {"count": count},
                )
            return redirect(request.path)
        key = request.POST.get("item", "")
        item = next((one for one in items if f"{KIND_OF[type(one)]}-{one.pk}" == key), None)
        if item is None or action not in {"approve", "return", "reopen"}:
            messages.error(request, _("That item is no longer here; the page has been reloaded."))
            return redirect(request.path)
        form = ReasonForm(request.POST, prefix=key)
        form.is_valid()
        try:
            services.reviewable_transition(
                item=item,
                action=action,
                user=request.user,
                reason=form.cleaned_data.get("reason", ""),
                expected_version=form.cleaned_data.get("expected_version"),
            )
        except services.EditConflict as conflict:
            messages.error(request, _conflict_message(conflict))
            return redirect(f"{request.path}#{key}")
        except services.FourEyesRefused as refusal:
            form.add_error(None, str(refusal))
            bound[key] = form
            refused = True
        except ValidationError as error:
            form.add_service_errors(error)
            bound[key] = form
        else:
            done = {
                "approve": _("Approved."),
                "return": _("Returned to the country's staff."),
                "reopen": _("Reopened."),
            }
            messages.success(request, f"{done[action]} {_review_item(item).title}")
            return redirect(f"{request.path}#{key}")

    review_items = [_review_item(item, bound.get(f"{KIND_OF[type(item)]}-{item.pk}")) for item in items]
    groups = [
        (
            Status.SUBMITTED,
            _("Waiting for review"),
            [r for r in review_items if r.item.status == Status.SUBMITTED],
        ),
        (Status.RETURNED, _("Returned"), [r for r in review_items if r.item.status == Status.RETURNED]),
        (Status.DRAFT, _("Drafts"), [r for r in review_items if r.item.status == Status.DRAFT]),
        (Status.APPROVED, _("Approved"), [r for r in review_items if r.item.status == Status.APPROVED]),
    ]
    return render(
        request,
        "commitments/review.html",
        {"country": country, "period": period, "groups": groups, "has_errors": bool(bound)},
        status=403 if refused else (400 if bound else 200),
    )
