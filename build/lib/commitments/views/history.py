"""An item's history: every version, who changed it and why; and its conversation (messages)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .. import access, selectors, services
from ..models import CommitmentProgress, Country, IndicatorValue, RecommendationFollowUp, Reviewable, Status
from ..templatetags.workspace import display_value
from .base import _require
from .review import _review_item


@login_required
def item_history(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    """Every version of one item: who saved or moved it, when, and why; and its conversation."""
    item, country = _readable_item(request, kind, pk)
    return _history_page(request, item=item, country=country)


def _readable_item(request: HttpRequest, kind: str, pk: int) -> tuple[Reviewable, Country | None]:
    if kind not in selectors.REVIEWABLE_KINDS:
        raise PermissionDenied
    item = get_object_or_404_item(kind, pk)
    country = services.country_of(item)
    _require(access.can_read_drafts(request.user, country) if country else access.can_review(request.user))
    return item, country


@login_required
@require_POST
def item_comment(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    """Add a message to an item's conversation (staff answering a return, a reviewer answering back)."""
    item, country = _readable_item(request, kind, pk)
    body = request.POST.get("body", "")
    try:
        services.item_comment_add(item=item, user=request.user, body=body)
    except ValidationError as error:
        # What was typed comes back in the form, with the reason it was refused.
        return _history_page(
            request, item=item, country=country, reply_error=" ".join(error.messages), body=body, status=400
        )
    messages.success(request, _("Your message is in the conversation."))
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect(reverse("item_history", args=[kind, item.pk]) + "#thread")


def _history_page(
    request: HttpRequest,
    *,
    item: Reviewable,
    country: Country | None,
    reply_error: str = "",
    body: str = "",
    status: int = 200,
) -> HttpResponse:
    versions = selectors.item_history(item=item)
    shown = _review_item(item)
    rows = []
    for version in versions:
        if isinstance(item, IndicatorValue):
            version.indicator = item.indicator
            value = display_value(version)
            text = version.note
        elif isinstance(item, CommitmentProgress):
            value = dict(CommitmentProgress.Completion.choices).get(version.completion, version.completion)
            text = version.narrative
        else:
            value = dict(RecommendationFollowUp.FollowUpStatus.choices).get(
                version.follow_up, version.follow_up
            )
            text = version.narrative
        rows.append(
            {
                "version": version,
                "value": value,
                "text": text,
                "status": dict(Status.choices).get(version.status, version.status),
                "who": version.history_user or version.updated_by,
            }
        )
    back = (
        reverse("data_entry", args=[country.code, item.period_id])
        if country and access.can_edit_country(request.user, country)
        else reverse("country_detail", args=[country.code])
        if country
        else reverse("home")
    )
    kind = selectors.kind_of(item)
    return render(
        request,
        "commitments/history.html",
        {
            "item": item,
            "shown": shown,
            "rows": rows,
            "country": country,
            "back": back,
            "thread": selectors.item_thread(item=item),
            "can_reply": country is not None and access.can_edit_country(request.user, country),
            "reply_url": reverse("item_comment", args=[kind, item.pk]),
            "reply_key": f"{kind}-{item.pk}",
            "reply_error": reply_error,
            "reply_body": body,
        },
        status=status,
    )


def get_object_or_404_item(kind: str, pk: int) -> Reviewable:
    model = selectors.REVIEWABLE_KINDS[kind]
    try:
        return selectors.reviewable_get(kind=kind, pk=pk)
    except model.DoesNotExist:
        raise Http404 from None
