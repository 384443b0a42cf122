"""Reviewed texts (commitments, recommendations, government responses): edit forms and review actions."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .. import access, services
from ..forms import ReasonForm
from ..models import Commitment, Goal, GovernmentResponse, Recommendation, Revised, Status
from .base import ChangeLine, _require, conflict_lines

TEXT_KINDS: dict[str, type[Revised]] = {
    "commitment": Commitment,
    "recommendation": Recommendation,
    "response": GovernmentResponse,
}
TEXT_KIND_OF = {model: kind for kind, model in TEXT_KINDS.items()}


def _text_lines(item: Revised, before: dict[str, Any], after: dict[str, Any]) -> list[ChangeLine]:
    """Field by field, the two texts where they differ, as people read them."""
    goals = {}
    if any(name == "goal_id" for name in before):
        goals = {
            goal.pk: goal.title for goal in Goal.objects.filter(pk__in=[before["goal_id"], after["goal_id"]])
        }
    lines = []
    for name, old in before.items():
        new = after.get(name)
        if old == new:
            continue
        field = item._meta.get_field(name.removesuffix("_id"))

        def readable(value, field=field):
            if value in (None, ""):
                return "—"
            if field.name == "goal":
                return goals.get(value, str(value))
            if field.choices:
                return str(dict(field.choices).get(value, value))
            if isinstance(value, dt.date):
                return date_format(value, "DATE_FORMAT")
            return str(value)

        lines.append(
            ChangeLine(label=str(field.verbose_name).capitalize(), before=readable(old), after=readable(new))
        )
    return lines


def _text_actions(item: Revised | None, user) -> list[tuple[str, str]]:
    """The workflow buttons the user may press on a reviewed text now: (action, label)."""
    if item is None:
        return []
    country = services.country_of(item)
    can_edit = access.is_reviewer(user) if country is None else access.can_edit_country(user, country)
    reviewer = access.can_review(user)
    actions = []
    if can_edit and item.status in {Status.DRAFT, Status.RETURNED}:
        actions.append(("submit", _("Submit for review")))
    if reviewer and can_edit and item.status == Status.SUBMITTED:
        actions += [("approve", _("Approve")), ("return", _("Return with a reason"))]
    if reviewer and can_edit and item.status == Status.APPROVED:
        actions.append(("reopen", _("Reopen with a reason")))
    return actions


def _text_form_page(
    request,
    *,
    item: Revised | None,
    new_item: Revised,
    form_class,
    save,
    template: str,
    context: dict[str, Any],
    saved_message: str,
    done,
) -> HttpResponse:
    """The shared flow of the reviewed texts' forms: versioned save, conflicts with what changed (409),
    the workflow buttons, and the approved text beside the draft while they differ."""
    data = request.POST.copy() if request.method == "POST" else None
    shown = item.working_copy() if item is not None else new_item
    form = form_class(data, instance=shown, initial={"expected_version": item.version if item else 0})
    locked = item is not None and item.status == Status.SUBMITTED
    conflict = None
    if request.method == "POST" and locked:
        messages.error(request, _("This item is locked: it cannot be changed now."))
    elif request.method == "POST" and form.is_valid():
        try:
            saved = save(expected_version=form.cleaned_data.get("expected_version"), **form.service_values())
        except services.EditConflict as error:
            data[form.add_prefix("expected_version")] = error.current.version
            conflict = {"message": str(error), "lines": conflict_lines(error), "current": error.current}
            item = error.current
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            unchanged = item is not None and saved.version == item.version
            messages.success(
                request, _("Nothing changed, so nothing was saved.") if unchanged else saved_message
            )
            return redirect(done(saved))
    approved_lines = (
        _text_lines(item, item.published_values(), item.working_values())
        if item is not None and item.has_pending_changes
        else []
    )
    return render(
        request,
        template,
        {
            **context,
            "form": form,
            "item": item,
            "text_kind": TEXT_KIND_OF[type(new_item)],
            "locked": locked,
            "conflict": conflict,
            "approved_lines": approved_lines,
            "actions": _text_actions(item, request.user),
            "reason_form": ReasonForm(initial={"expected_version": item.version if item else 0}),
        },
        status=409 if conflict else (400 if form.errors else 200),
    )


@login_required
@require_POST
def text_review(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    """Submit, approve, return or reopen a reviewed text, from the buttons on its form."""
    if kind not in TEXT_KINDS:
        raise Http404
    related = {"response": ["recommendation__country"], "commitment": ["country"]}.get(kind, ["country"])
    item = get_object_or_404(TEXT_KINDS[kind].objects.select_related(*related), pk=pk)
    country = services.country_of(item)
    _require(access.can_read_drafts(request.user, country) if country else access.can_review(request.user))
    action = request.POST.get("action", "")
    form = ReasonForm(request.POST)
    form.is_valid()
    back = _text_edit_url(item)
    try:
        services.reviewable_transition(
            item=item,
            action=action,
            user=request.user,
            reason=form.cleaned_data.get("reason", ""),
            expected_version=form.cleaned_data.get("expected_version"),
        )
    except services.EditConflict as conflict:
        lines = "; ".join(f"{line.label}: {line.before} → {line.after}" for line in conflict_lines(conflict))
        what_changed = _("What changed: %(changes)s") % {"changes": lines}
        messages.error(request, f"{conflict} {what_changed}" if lines else str(conflict))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        done = {
            "submit": _("Submitted for review."),
            "approve": _("Approved: this is now the text everyone reads."),
            "return": _("Returned to the country's staff."),
            "reopen": _("Reopened."),
        }
        messages.success(request, done[action])
    return redirect(back)


def _text_edit_url(item: Revised) -> str:
    if isinstance(item, Commitment):
        return reverse("commitment_edit", args=[item.pk])
    if isinstance(item, Recommendation):
        return reverse("recommendation_edit", args=[item.pk])
    return reverse("response_edit", args=[item.recommendation_id])
