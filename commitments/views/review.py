"""Reviewing a country's period: approve or return each item, or many at once."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .. import access, selectors, services
from ..forms import ReasonForm
from ..models import CommitmentProgress, Indicator, IndicatorValue, ReportingPeriod, Reviewable, Status
from ..templatetags.workspace import display_value
from .base import KIND_OF, _as_seen, _conflict_message, _country, _not_shown_warning, _require, item_key


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
    """A reviewer's page for a country and period: every item with what is needed to decide on it, and
    one form that approves or returns them all with exceptions per item, or reopens approved ones.

    The single-item steps (``item`` and ``action``) and "approve all" are still answered, for the forms
    and scripts that post them.
    """
    _require(access.can_review(request.user))
    country = _country(code)
    period = get_object_or_404(ReportingPeriod, pk=period_id)
    if request.method != "POST":
        return _review_page(request, country=country, period=period)
    action = request.POST.get("action", "")
    if action == "decide":
        return _review_decide(request, country=country, period=period)
    items = selectors.country_period_items(country=country, period=period)
    if action == "approve_all":
        return _approve_all(request, items=items)
    key = request.POST.get("item", "")
    item = next((one for one in items if item_key(one) == key), None)
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
        return _review_page(request, country=country, period=period, errors={key: str(refusal)}, status=403)
    except ValidationError as error:
        return _review_page(
            request, country=country, period=period, errors={key: " ".join(error.messages)}, status=400
        )
    done = {
        "approve": _("Approved."),
        "return": _("Returned to the country's staff."),
        "reopen": _("Reopened."),
    }
    messages.success(request, f"{done[action]} {_review_item(item).title}")
    return redirect(f"{request.path}#{key}")


def _approve_all(request: HttpRequest, *, items: list[Reviewable]) -> HttpResponse:
    waiting = [item for item in items if item.status == Status.SUBMITTED]
    own = []
    if services.four_eyes_required():
        # Four eyes: what this reviewer changed or submitted waits for another reviewer. The page shows
        # it as not theirs to judge (no ``seen`` field), so it is left out before the ``seen`` check.
        own = [item for item in waiting if services.is_own_work(item=item, user=request.user)]
        waiting = [item for item in waiting if item not in own]
    submitted, not_shown = _as_seen(request, waiting)
    _not_shown_warning(request, not_shown)
    if own:
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
        count = services.reviewable_transition_many(items=submitted, action="approve", user=request.user)
    except services.EditConflict as conflict:
        messages.error(request, _conflict_message(conflict))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            ngettext("%(count)d item approved.", "%(count)d items approved.", count) % {"count": count},
        )
    return redirect(request.path)


# --- deciding on a whole country and period in one form -------------------------------------------------

DECISIONS = {"approve", "return", "later"}


def _seen_versions(request: HttpRequest) -> dict[str, int]:
    seen: dict[str, int] = {}
    for entry in request.POST.getlist("seen"):
        key, _sep, version = entry.rpartition(":")
        if key and version.isdigit() and len(version) < 10:
            seen[key] = int(version)
    return seen


def _review_decide(request: HttpRequest, *, country, period) -> HttpResponse:
    """The review page's one form: a decision for every item waiting (the default, with exceptions per
    item), and reopening approved items with a reason. All or nothing; each item at the version seen."""
    if not period.is_open:
        messages.error(request, _("This period is closed: its data is read-only."))
        return redirect(request.path)
    seen = _seen_versions(request)
    default = request.POST.get("default", "approve")
    default = default if default in {"approve", "return"} else "approve"
    general = (request.POST.get("reason") or "").strip()
    chosen = {"default": default, "reason": general, "decisions": {}, "reasons": {}, "reopen": False}
    decisions: list[services.ReviewDecision] = []
    errors: dict[str, str] = {}
    not_shown = 0
    for item in selectors.country_period_items(country=country, period=period):
        key = item_key(item)
        if key not in seen:
            # An item shown as not this reviewer's to judge (four eyes) has no ``seen`` field either.
            not_shown += item.status == Status.SUBMITTED and not (
                services.four_eyes_required() and services.is_own_work(item=item, user=request.user)
            )
            continue
        choice = (request.POST.get(f"decision-{key}") or "").strip()
        own_reason = (request.POST.get(f"reason-{key}") or "").strip()
        chosen["decisions"][key], chosen["reasons"][key] = choice, own_reason
        if item.status == Status.APPROVED or choice == "reopen":
            if choice != "reopen":
                continue
            action = "reopen"
            chosen["reopen"] = True
        else:
            if choice and choice not in DECISIONS:
                errors[key] = _("Choose approve, return or decide later.")
                continue
            if (
                not choice
                and services.four_eyes_required()
                and services.is_own_work(item=item, user=request.user)
            ):
                continue  # not offered to this reviewer: it waits for another one
            if not choice and item.status != Status.SUBMITTED:
                continue  # it moved since the page was shown and nobody chose anything for it
            action = choice or default
            if action == "later":
                continue
        reason = own_reason or (general if action == "return" else "")
        if action in {"return", "reopen"} and not reason:
            errors[key] = _("Give a reason for %(title)s: the country's staff will see it.") % {
                "title": _review_item(item).title
            }
            continue
        decisions.append(
            services.ReviewDecision(item=item, action=action, expected_version=seen[key], reason=reason)
        )
    _not_shown_warning(request, not_shown)
    status = 400
    if not errors and decisions:
        try:
            done = services.review_decide(decisions=decisions, user=request.user)
        except services.ReviewRefused as refused:
            key = item_key(refused.decision.item)
            error = refused.error
            if isinstance(error, services.EditConflict):
                errors[key] = _conflict_message(error)
                status = 409
            elif isinstance(error, PermissionDenied):
                errors[key] = str(error)
                status = 403
            elif isinstance(error, ValidationError):
                errors[key] = " ".join(error.messages)
            else:
                errors[key] = str(error)
        else:
            parts = []
            if done.get("approve"):
                parts.append(
                    ngettext("%(count)d item approved", "%(count)d items approved", done["approve"])
                    % {"count": done["approve"]}
                )
            if done.get("return"):
                parts.append(
                    ngettext("%(count)d returned", "%(count)d returned", done["return"])
                    % {"count": done["return"]}
                )
            if done.get("reopen"):
                parts.append(
                    ngettext("%(count)d reopened", "%(count)d reopened", done["reopen"])
                    % {"count": done["reopen"]}
                )
            messages.success(request, ", ".join(parts) + ".")
            return redirect(request.path)
    elif not errors:
        messages.info(request, _("Nothing was chosen, so nothing changed."))
        return redirect(request.path)
    return _review_page(request, country=country, period=period, errors=errors, chosen=chosen, status=status)


def _review_page(request, *, country, period, errors=None, chosen=None, status=200) -> HttpResponse:
    return render(
        request,
        "commitments/review_country.html",
        {
            "country": country,
            "period": period,
            "review": selectors.review_context(country=country, period=period, user=request.user),
            "errors": errors or {},
            "chosen": chosen or {"default": "approve", "decisions": {}, "reasons": {}},
        },
        status=status,
    )
