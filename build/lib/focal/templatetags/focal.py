"""``{% focal_two_tracks country user %}``: the government's figures beside the rapporteur's, for a page.

Shown to those who may read the country's self-report (its focal points, the secretariat); a focal point
compares with the rapporteur's approved figures only. Others get nothing, and pay no query for it.
"""

from __future__ import annotations

from django import template

from commitments import access
from commitments.models import Country

from .. import selectors
from ..models import SelfReportValue, SelfStatus

register = template.Library()


@register.inclusion_tag("focal/partials/country_tracks.html")
def focal_two_tracks(country: Country, user) -> dict:
    if not access.can_read_self_report(user, country):
        return {"lines": []}
    latest = (
        SelfReportValue.objects.filter(country=country, status=SelfStatus.SUBMITTED)
        .select_related("period")
        .order_by("-period__starts_on")
        .first()
    )
    if latest is None:
        return {"lines": []}
    lines = selectors.divergences(
        country=country, period=latest.period, rapporteur_drafts=access.can_read_drafts(user, country)
    )
    return {
        "lines": lines,
        "period": latest.period,
        "country": country,
        "can_review": access.can_review_self_report(user, country),
    }
