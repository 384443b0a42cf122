"""The evaluation cycle's test world: the seeded 2012–2014 round, two reviewers (four eyes)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from commitments.access import Role
from commitments.models import EvaluationRound
from cycle import services
from tests.conftest import make_user


@pytest.fixture
def second_reviewer(db):
    return make_user("rob-reviewer", Role.REVIEWER)


@pytest.fixture
def evaluation_round(db) -> EvaluationRound:
    return EvaluationRound.objects.get(label="2012–2014")


def advance_to(evaluation_round: EvaluationRound, stage: str, user) -> EvaluationRound:
    """Take the round step by step to ``stage`` (setting a release moment in the past on the way)."""
    while evaluation_round.stage != stage:
        if evaluation_round.stage == "drafted" and evaluation_round.released_at is None:
            services.round_set_release(
                evaluation_round=evaluation_round,
                released_at=timezone.now() - dt.timedelta(days=1),
                user=user,
            )
        if evaluation_round.stage == "published" and not hasattr(evaluation_round, "meeting"):
            services.meeting_save(
                evaluation_round=evaluation_round,
                user=user,
                held_on=dt.date(2014, 9, 30),
                place="Brussels",
                countries=[],
            )
        services.round_advance(
            evaluation_round=evaluation_round, from_stage=evaluation_round.stage, user=user
        )
    return evaluation_round


@pytest.fixture
def published_round(evaluation_round, reviewer) -> EvaluationRound:
    return advance_to(evaluation_round, "published", reviewer)
