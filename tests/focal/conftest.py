"""The focal tests' world: a period still open for the self-report, a commitment and a recommendation."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from commitments.models import ReportingPeriod
from tests.factories import CommitmentFactory, RecommendationFactory


@pytest.fixture
def open_period(db) -> ReportingPeriod:
    """A progress period whose deadline is a month ahead."""
    today = timezone.localdate()
    return ReportingPeriod.objects.create(
        label="Self-report period (test)",
        starts_on=dt.date(today.year - 1, 1, 1),
        ends_on=dt.date(today.year - 1, 12, 31),
        deadline=today + dt.timedelta(days=30),
    )


@pytest.fixture
def nl_commitment(nl):
    return CommitmentFactory(country=nl, title="Train every police district in victim identification")


@pytest.fixture
def nl_recommendation(nl):
    return RecommendationFactory(country=nl, text="Fund the hotline for five years.")
