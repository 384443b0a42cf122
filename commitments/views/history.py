"""An item's history: every version, who changed it and why."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from .. import access, selectors, services
from ..models import CommitmentProgress, IndicatorValue, RecommendationFollowUp, Reviewable, Status
from ..templatetags.workspace import display_value
from .base import _require
from .review import _review_item


@login_required
def item_history(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    """Every version of one item: who saved or moved it, when, and why."""
    if kind not in selectors.REVIEWABLE_KINDS:
        raise PermissionDenied
    item = get_object_or_404_item(kind, pk)
    country = services.country_of(item)
    _require(access.can_read_drafts(request.user, country) if country else access.can_review(request.user))
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
    return render(
        request,
        "commitments/history.html",
        {"item": item, "shown": shown, "rows": rows, "country": country, "back": back},
    )


def get_object_or_404_item(kind: str, pk: int) -> Reviewable:
    model = selectors.REVIEWABLE_KINDS[kind]
    try:
        return selectors.reviewable_get(kind=kind, pk=pk)
    except model.DoesNotExist:
        raise Http404 from None
