"""The demo tells a coherent story: a round in follow-up has nothing of its periods left open, while the
next round's open period holds the work in progress (drafts and submissions to review)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from commitments.models import (
    CommitmentProgress,
    EvaluationRound,
    Indicator,
    IndicatorValue,
    ReportingPeriod,
    Status,
)
from commitments.seeding import seed_demo
from cycle.models import RoundTransition, Stage
from cycle.selectors import open_items_in_frozen_rounds

from .conftest import advance_to

pytestmark = pytest.mark.django_db

DEMO_PASSWORD = "synthetic-demo-password-2014"


def test_the_seeded_demo_leaves_nothing_open_in_its_frozen_round():
    seed_demo(password=DEMO_PASSWORD)
    evaluated = EvaluationRound.objects.select_related("evaluation_period").get(label="2012–2014")
    assert evaluated.stage == Stage.FOLLOW_UP

    assert open_items_in_frozen_rounds() == {}
    # Every approval of the evaluated period came before the data was frozen.
    frozen_at = RoundTransition.objects.get(evaluation_round=evaluated, to_stage=Stage.FROZEN).at
    latest_approval = max(
        model.objects.filter(period=evaluated.evaluation_period).latest("approved_at").approved_at
        for model in (IndicatorValue, CommitmentProgress)
    )
    assert latest_approval < frozen_at
    # Some countries deliberately left gaps: missing, not stuck in the workflow.
    assert IndicatorValue.objects.filter(period=evaluated.evaluation_period).count() < (
        IndicatorValue.objects.filter(period=evaluated.baseline_period).count()
    )
    # The work in progress lives in the next round's open period.
    current = ReportingPeriod.objects.get(is_open=True)
    statuses = set(CommitmentProgress.objects.filter(period=current).values_list("status", flat=True))
    assert {Status.DRAFT, Status.SUBMITTED} <= statuses


def test_an_item_left_open_in_a_frozen_round_is_found(reviewer, second_reviewer, nl):
    evaluation_round = EvaluationRound.objects.select_related("evaluation_period").get(label="2012–2014")
    IndicatorValue.objects.create(
        country=nl,
        indicator=Indicator.objects.get(code="VI-2"),
        period=evaluation_round.evaluation_period,
        number_value=Decimal(12),
        status=Status.SUBMITTED,
    )
    assert open_items_in_frozen_rounds() == {}  # the round is still collecting data

    advance_to(evaluation_round, Stage.FROZEN, reviewer)

    assert open_items_in_frozen_rounds() == {("2012–2014", "2014 progress", "indicatorvalue"): 1}
