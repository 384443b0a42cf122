"""One set of limits: every length and type rule lives in the model/service layer, so each write path
(the workspace's forms, the API, the admin, the services as the shell and imports call them) refuses an
over-long or wrong-typed text with the same clear error, and saves nothing.

Each case below is one text field tried on one path with one character too many: the answer must carry
Django's own sentence for it ("Ensure this value has at most N characters (it has N+1).") and the
database must be as it was.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from commitments import services
from commitments.models import (
    TEXT_ONLY,
    Commitment,
    CommitmentProgress,
    GovernmentResponse,
    Indicator,
    IndicatorValue,
    Recommendation,
    RecommendationFollowUp,
)
from tests.commitments.views_support import signed_in
from tests.factories import CommitmentFactory, RecommendationFactory

pytestmark = pytest.mark.django_db


def too_long(model, name: str) -> tuple[str, str]:
    """A text one character over the field's limit, and the sentence every path must answer with."""
    limit = model._meta.get_field(name).max_length
    return "x" * (limit + 1), f"Ensure this value has at most {limit} characters (it has {limit + 1})."


@dataclass
class Place:
    staff: object
    reviewer: object
    administrator: object
    period: object
    commitment: Commitment
    progress: CommitmentProgress
    recommendation: Recommendation
    follow_up: RecommendationFollowUp


@pytest.fixture
def place(settings, staff_nl, reviewer, administrator, nl, progress_period) -> Place:
    settings.TWO_FACTOR_REQUIRED_FOR_REVIEWERS = False
    commitment = CommitmentFactory(country=nl)
    recommendation = RecommendationFactory(country=nl)
    GovernmentResponse.objects.create(recommendation=recommendation, response="no_response")
    progress = services.commitment_progress_save(
        commitment=commitment, period=progress_period, user=staff_nl, completion="limited"
    )
    follow_up = services.follow_up_save(
        recommendation=recommendation, period=progress_period, user=staff_nl, follow_up="in_progress"
    )
    return Place(
        staff=staff_nl,
        reviewer=reviewer,
        administrator=administrator,
        period=progress_period,
        commitment=commitment,
        progress=progress,
        recommendation=recommendation,
        follow_up=follow_up,
    )


def state() -> list:
    """Everything a refused write must leave alone (the history too)."""
    models = (IndicatorValue, CommitmentProgress, RecommendationFollowUp, Commitment, Recommendation)
    rows = [list(model.objects.order_by("pk").values()) for model in (*models, GovernmentResponse)]
    return [*rows, *(model.history.count() for model in models)]


# --- the paths ----------------------------------------------------------------------------------------


def api(method: str, url: str, body: Callable[[Place], dict]):
    def send(place: Place, text: str):
        client = signed_in(place.staff)
        return client.generic(method, url.format(p=place), json.dumps(body(place, text)), "application/json")

    return send


def form(url: str, body: Callable[[Place, str], dict], *, who: str = "staff"):
    def send(place: Place, text: str):
        return signed_in(getattr(place, who)).post(url.format(p=place), body(place, text))

    return send


def service(call: Callable[[Place, object], object]):
    def send(place: Place, text):
        try:
            call(place, text)
        except ValidationError as error:
            return error
        raise AssertionError("the service saved it")

    return send


ADMIN_RECOMMENDATION = "/admin/commitments/recommendation/{p.recommendation.pk}/change/"


def recommendation_admin_form(place: Place, text: str) -> dict:
    r = place.recommendation
    return {
        "number": r.number,
        "source_document": r.source_document,
        "country": r.country_id,
        "goal": r.goal_id,
        "text": text,
        "addressees": r.addressees,
        "issued_on": r.issued_on.isoformat(),
    }


def response_admin_form(place: Place, text: str) -> dict:
    return {
        "recommendation": place.recommendation.pk,
        "response": "adopted",
        "reference": "31015-158",
        "responded_on": "2014-03-01",
        "summary": text,
    }


# (model, field) -> {path: how to send the text}
CASES: dict[tuple[type, str], dict[str, Callable]] = {
    (IndicatorValue, "note"): {
        "form": form(
            "/countries/NL/periods/{p.period.pk}/",
            lambda p, text: {"VI-3-value": "3", "VI-3-note": text, "VI-3-expected_version": "0"},
        ),
        "api": api(
            "POST",
            "/api/v1/values/",
            lambda p, text: {"country": "NL", "indicator": "VI-3", "period": p.period.pk, "note": text},
        ),
        "service": service(
            lambda p, text: services.indicator_value_save(
                country=p.commitment.country,
                indicator=Indicator.objects.get(code="VI-3"),
                period=p.period,
                user=p.staff,
                note=text,
            )
        ),
    },
    (CommitmentProgress, "narrative"): {
        "form": form(
            "/commitments/{p.commitment.pk}/periods/{p.period.pk}/",
            lambda p, text: {
                "completion": "complete",
                "narrative": text,
                "expected_version": p.progress.version,
            },
        ),
        "api": api(
            "POST",
            "/api/v1/commitments/{p.commitment.pk}/progress/",
            lambda p, text: {"period": p.period.pk, "narrative": text, "version": p.progress.version},
        ),
        "service": service(
            lambda p, text: services.commitment_progress_save(
                commitment=p.commitment,
                period=p.period,
                user=p.staff,
                narrative=text,
                expected_version=p.progress.version,
            )
        ),
    },
    (RecommendationFollowUp, "narrative"): {
        "form": form(
            "/recommendations/{p.recommendation.pk}/periods/{p.period.pk}/",
            lambda p, text: {
                "follow_up": "implemented",
                "narrative": text,
                "expected_version": p.follow_up.version,
            },
        ),
        "api": api(
            "POST",
            "/api/v1/recommendations/{p.recommendation.pk}/follow-ups/",
            lambda p, text: {"period": p.period.pk, "narrative": text, "version": p.follow_up.version},
        ),
        "service": service(
            lambda p, text: services.follow_up_save(
                recommendation=p.recommendation,
                period=p.period,
                user=p.staff,
                narrative=text,
                expected_version=p.follow_up.version,
            )
        ),
    },
    (Commitment, "description"): {
        "form": form(
            "/commitments/{p.commitment.pk}/edit/",
            lambda p, text: {
                "goal": p.commitment.goal_id,
                "title": p.commitment.title,
                "description": text,
                "committed_on": "2013-04-15",
                "expected_version": p.commitment.version,
            },
        ),
        "api": api(
            "PATCH",
            "/api/v1/commitments/{p.commitment.pk}/",
            lambda p, text: {"description": text, "version": p.commitment.version},
        ),
        "service": service(
            lambda p, text: services.commitment_save(
                user=p.staff, commitment=p.commitment, description=text, expected_version=p.commitment.version
            )
        ),
    },
    (Recommendation, "text"): {
        "form": form(
            "/recommendations/{p.recommendation.pk}/edit/",
            lambda p, text: {
                "source_document": p.recommendation.source_document,
                "number": p.recommendation.number,
                "goal": p.recommendation.goal_id,
                "text": text,
                "addressees": "National police",
                "issued_on": "2013-10-01",
                "expected_version": p.recommendation.version,
            },
        ),
        "api": api(
            "PATCH",
            "/api/v1/recommendations/{p.recommendation.pk}/",
            lambda p, text: {"text": text, "version": p.recommendation.version},
        ),
        "admin": form(ADMIN_RECOMMENDATION, recommendation_admin_form, who="administrator"),
        "service": service(
            lambda p, text: services.recommendation_save(
                user=p.staff,
                recommendation=p.recommendation,
                text=text,
                expected_version=p.recommendation.version,
            )
        ),
    },
    (GovernmentResponse, "summary"): {
        "form": form(
            "/recommendations/{p.recommendation.pk}/response/",
            lambda p, text: {
                "response": "adopted",
                "responded_on": "2014-03-01",
                "summary": text,
                "expected_version": p.recommendation.response.version,
            },
        ),
        "api": api(
            "PUT",
            "/api/v1/recommendations/{p.recommendation.pk}/response/",
            lambda p, text: {
                "response": "adopted",
                "responded_on": "2014-03-01",
                "summary": text,
                "version": p.recommendation.response.version,
            },
        ),
        "admin": form(
            "/admin/commitments/governmentresponse/{p.recommendation.response.pk}/change/",
            response_admin_form,
            who="administrator",
        ),
        "service": service(
            lambda p, text: services.government_response_save(
                user=p.staff,
                recommendation=p.recommendation,
                response="adopted",
                summary=text,
                expected_version=p.recommendation.response.version,
            )
        ),
    },
}

PARAMS = [
    pytest.param(model, name, path, id=f"{model.__name__}.{name}-{path}")
    for (model, name), paths in CASES.items()
    for path in paths
]


@pytest.mark.parametrize(("model", "name", "path"), PARAMS)
def test_one_character_too_many_is_refused_in_the_same_words_and_nothing_is_saved(model, name, path, place):
    text, sentence = too_long(model, name)
    before = state()

    answer = CASES[model, name][path](place, text)

    if isinstance(answer, ValidationError):
        assert answer.message_dict[name] == [sentence]
    elif path == "admin":
        # Reviewed texts are read-only in the admin (they are written and approved in the workspace):
        # the admin refuses the change outright, whatever its length.
        assert answer.status_code == 403, answer.status_code
    elif path == "api":
        assert answer.status_code == 400, answer.content[:300]
        assert answer.json()["fields"][name] == [sentence]
    else:
        assert answer.status_code in (200, 400), answer.status_code  # the form again, with the error
        assert sentence in answer.content.decode()
    assert state() == before


WRONG_TYPES = [["a", "list"], {"an": "object"}, 12, 3.5, True]


@pytest.mark.parametrize("wrong", WRONG_TYPES, ids=lambda w: type(w).__name__)
@pytest.mark.parametrize(
    ("model", "name"),
    [(model, name) for (model, name), paths in CASES.items()],
    ids=lambda v: getattr(v, "__name__", v),
)
def test_a_text_that_is_not_text_is_refused_by_the_api_and_the_services_alike(model, name, wrong, place):
    """Forms and the admin only ever receive text; the API and the services are told the same thing."""
    before = state()
    refused = CASES[model, name]["service"](place, wrong)
    assert refused.message_dict[name] == [str(TEXT_ONLY)]
    response = CASES[model, name]["api"](place, wrong)
    assert response.status_code == 400
    assert response.json()["fields"][name] == [str(TEXT_ONLY)]
    assert state() == before


def test_a_review_reason_over_its_limit_is_refused_in_the_service_and_the_api(place, reviewer):
    item = services.reviewable_transition(
        item=place.progress, expected_version=place.progress.version, action="submit", user=place.staff
    )
    text, sentence = too_long(CommitmentProgress, "review_reason")
    with pytest.raises(ValidationError) as refused:
        services.reviewable_transition(
            item=item, expected_version=item.version, action="return", user=reviewer, reason=text
        )
    assert refused.value.message_dict["reason"] == [sentence]
    response = signed_in(reviewer).post(
        f"/api/v1/commitments/{place.commitment.pk}/transition/",
        json.dumps({"period": place.period.pk, "action": "return", "reason": text, "version": item.version}),
        content_type="application/json",
    )
    assert (response.status_code, response.json()["fields"]["reason"]) == (400, [sentence])
    assert CommitmentProgress.objects.get(pk=item.pk).status == "submitted"


def test_the_forms_take_their_sizes_from_the_models(staff_nl, nl, progress_period):
    page = signed_in(staff_nl).get(reverse("data_entry", args=[nl.code, progress_period.pk])).content.decode()
    limit = IndicatorValue._meta.get_field("note").max_length
    assert f'name="VI-3-note" cols="40" rows="2" maxlength="{limit}"' in page
