"""Writes of recommendations, government responses and follow-ups per period."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from ..models import GovernmentResponse, Recommendation, RecommendationFollowUp, ReportingPeriod
from .base import KEEP, _save_reviewable, _text
from .texts import _revised_create, _revised_save


def recommendation_save(
    *,
    user,
    recommendation: Recommendation | None = None,
    expected_version: int | None = None,
    **fields: Any,
) -> Recommendation:
    """Record a rapporteur's recommendation, or change its draft (reviewed before readers see it)."""
    if recommendation is None:
        return _revised_create(model=Recommendation, user=user, fields=fields)
    return _revised_save(item=recommendation, user=user, fields=fields, expected_version=expected_version)


def government_response_save(
    *, user, recommendation: Recommendation, expected_version: int | None = None, **fields: Any
) -> GovernmentResponse:
    """Record the government's response to a recommendation (one per recommendation), or change its draft."""
    current = GovernmentResponse.objects.filter(recommendation=recommendation).first()
    if current is None:
        if expected_version not in (None, 0):
            raise ValidationError(_("This item no longer exists; reload the page."), code="gone")
        return _revised_create(
            model=GovernmentResponse,
            user=user,
            fields={**fields, "recommendation": recommendation},
            country=recommendation.country,
        )
    current.recommendation = recommendation
    return _revised_save(item=current, user=user, fields=fields, expected_version=expected_version)


def follow_up_save(
    *,
    recommendation: Recommendation,
    period: ReportingPeriod,
    user,
    follow_up: str = KEEP,
    narrative: str = KEEP,
    evidence_links: str = KEEP,
    expected_version: int | None = None,
    is_demo: bool = False,
) -> RecommendationFollowUp:
    """Report what became of a recommendation by the end of a period (fields left out stay as they are)."""
    return _save_reviewable(
        model=RecommendationFollowUp,
        lookup={"recommendation": recommendation, "period": period},
        values={
            "follow_up": _text(follow_up),
            "narrative": _text(narrative),
            "evidence_links": _text(evidence_links),
        },
        user=user,
        country=recommendation.country,
        period=period,
        expected_version=expected_version,
        is_demo=is_demo,
    )
