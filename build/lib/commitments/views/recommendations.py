"""Recommendations, the government's responses and the follow-up per period."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _

from .. import access, services
from ..forms import FollowUpForm, GovernmentResponseForm, RecommendationForm
from ..models import Country, GovernmentResponse, Recommendation, RecommendationFollowUp, ReportingPeriod
from .base import _country, _require
from .commitments import _reviewable_form_page
from .texts import _text_form_page


def _require_recommendation_edit(user, recommendation: Recommendation) -> None:
    country = recommendation.country
    _require(access.can_review(user) if country is None else access.can_edit_country(user, country))


def _recommendation_form_page(
    request, *, country: Country | None, recommendation: Recommendation | None
) -> HttpResponse:
    # Alliance-wide recommendations (no country) are kept by reviewers, here like every reviewed text.
    _require(
        access.can_review(request.user) if country is None else access.can_edit_country(request.user, country)
    )

    def save(**values):
        return services.recommendation_save(
            user=request.user, recommendation=recommendation, country=country, **values
        )

    return _text_form_page(
        request,
        item=recommendation,
        new_item=Recommendation(country=country),
        form_class=RecommendationForm,
        save=save,
        template="commitments/recommendation_form.html",
        context={"country": country, "recommendation": recommendation},
        saved_message=_("Recommendation saved."),
        done=lambda saved: (
            f"{reverse('country_detail', args=[country.code]) if country else '/'}#recommendation-{saved.pk}"
        ),
    )


@login_required
def recommendation_create(request: HttpRequest, code: str) -> HttpResponse:
    return _recommendation_form_page(request, country=_country(code), recommendation=None)


@login_required
def recommendation_edit(request: HttpRequest, pk: int) -> HttpResponse:
    recommendation = get_object_or_404(Recommendation.objects.select_related("country", "goal"), pk=pk)
    return _recommendation_form_page(request, country=recommendation.country, recommendation=recommendation)


@login_required
def response_edit(request: HttpRequest, pk: int) -> HttpResponse:
    recommendation = get_object_or_404(Recommendation.objects.select_related("country", "goal"), pk=pk)
    _require_recommendation_edit(request.user, recommendation)
    current = GovernmentResponse.objects.filter(recommendation=recommendation).first()
    if current is not None:
        current.recommendation = recommendation

    def save(**values):
        return services.government_response_save(user=request.user, recommendation=recommendation, **values)

    def done(saved) -> str:
        target = (
            reverse("country_detail", args=[recommendation.country.code]) if recommendation.country else "/"
        )
        return f"{target}#recommendation-{recommendation.pk}"

    return _text_form_page(
        request,
        item=current,
        new_item=GovernmentResponse(recommendation=recommendation),
        form_class=GovernmentResponseForm,
        save=save,
        template="commitments/response_form.html",
        context={
            "recommendation": shown_recommendation(recommendation),
            "country": recommendation.country,
        },
        saved_message=_("Government response saved."),
        done=done,
    )


def shown_recommendation(recommendation: Recommendation) -> Recommendation:
    """The recommendation as its editors read it (the working text)."""
    return recommendation.working_copy()


@login_required
def follow_up_edit(request: HttpRequest, pk: int, period_id: int) -> HttpResponse:
    recommendation = get_object_or_404(
        Recommendation.objects.select_related("country", "goal", "response"), pk=pk
    )
    if recommendation.country is None:
        raise PermissionDenied
    period = get_object_or_404(ReportingPeriod, pk=period_id)
    item = (
        RecommendationFollowUp.objects.filter(recommendation=recommendation, period=period)
        .select_related("updated_by")
        .first()
    )

    def save(**values):
        return services.follow_up_save(
            recommendation=recommendation, period=period, user=request.user, **values
        )

    return _reviewable_form_page(
        request,
        country=recommendation.country,
        period=period,
        item=item,
        form_class=FollowUpForm,
        save=save,
        template="commitments/follow_up_form.html",
        context={"recommendation": recommendation, "response": getattr(recommendation, "response", None)},
    )
