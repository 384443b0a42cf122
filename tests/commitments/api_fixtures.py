"""Fixtures of the API tests (loaded by tests/conftest.py): a small world in every state, tokens, clients.

The world: the Netherlands, Belgium and Germany, each with indicator values, a commitment with progress
and a recommendation with a response and follow-ups, in every workflow state, plus one alliance-wide
recommendation. Reviewable rows are written as the seeds write them (the workflow's services are tested
in test_services.py; here they only drive the API's writes).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.test import Client
from django.utils import timezone

from commitments import services
from commitments.access import Role
from commitments.models import (
    Commitment,
    CommitmentProgress,
    Country,
    CountryAssignment,
    GovernmentResponse,
    Indicator,
    IndicatorValue,
    PartnerToken,
    Recommendation,
    RecommendationFollowUp,
    ReportingPeriod,
    Status,
)
from tests.factories import CommitmentFactory, RecommendationFactory

DEMO_NOTE = "Synthetic test value."


def reviewed(item, status: str, reviewer):
    """Put an unsaved reviewable row in a workflow state, as the demo seed does."""
    item.status = status
    if status != Status.DRAFT:
        item.submitted_at = timezone.now()
    if status == Status.APPROVED:
        item.approved_at, item.approved_by = timezone.now(), reviewer
    if status == Status.RETURNED:
        item.review_reason = "Please check the source."
    item.save()
    return item


@dataclass
class World:
    """The rows of the API tests' world, by name: ``world.values["NL", "approved"]``."""

    baseline: ReportingPeriod
    progress: ReportingPeriod
    values: dict[tuple[str, str], IndicatorValue] = field(default_factory=dict)
    commitments: dict[str, Commitment] = field(default_factory=dict)
    recommendations: dict[str, Recommendation] = field(default_factory=dict)


def build_world(reviewer) -> World:
    baseline = ReportingPeriod.objects.get(label="2013 baseline")
    progress = ReportingPeriod.objects.get(label="2014 progress")
    world = World(baseline=baseline, progress=progress)
    number = Indicator.objects.get(code="VI-2")
    flag = Indicator.objects.get(code="VI-1")
    for code in ("NL", "BE", "DE"):
        country = Country.objects.get(code=code)
        # One value per state: approved (baseline), and in the progress period draft, submitted, returned.
        world.values[code, "approved"] = reviewed(
            IndicatorValue(
                country=country, indicator=number, period=baseline, number_value=Decimal(40), note=DEMO_NOTE
            ),
            Status.APPROVED,
            reviewer,
        )
        world.values[code, "draft"] = reviewed(
            IndicatorValue(
                country=country, indicator=number, period=progress, number_value=Decimal(44), note=DEMO_NOTE
            ),
            Status.DRAFT,
            reviewer,
        )
        world.values[code, "submitted"] = reviewed(
            IndicatorValue(
                country=country, indicator=flag, period=progress, boolean_value=True, note=DEMO_NOTE
            ),
            Status.SUBMITTED,
            reviewer,
        )
        world.values[code, "returned"] = reviewed(
            IndicatorValue(
                country=country, indicator=flag, period=baseline, boolean_value=False, note=DEMO_NOTE
            ),
            Status.RETURNED,
            reviewer,
        )
        commitment = CommitmentFactory(
            country=country, title=f"Expand the victim-identification team ({code})"
        )
        reviewed(
            CommitmentProgress(commitment=commitment, period=baseline, completion="limited"),
            Status.APPROVED,
            reviewer,
        )
        reviewed(
            CommitmentProgress(commitment=commitment, period=progress, completion="substantial"),
            Status.DRAFT,
            reviewer,
        )
        world.commitments[code] = commitment
        recommendation = RecommendationFactory(
            country=country, source_document=f"Monitor 2013 ({code})", number="1"
        )
        GovernmentResponse.objects.create(
            recommendation=recommendation,
            response="adopted",
            reference="31015-158",
            responded_on=dt.date(2014, 2, 1),
            status=Status.APPROVED,
            approved_at=timezone.now(),
        )
        reviewed(
            RecommendationFollowUp(recommendation=recommendation, period=baseline, follow_up="in_progress"),
            Status.APPROVED,
            reviewer,
        )
        reviewed(
            RecommendationFollowUp(recommendation=recommendation, period=progress, follow_up="implemented"),
            Status.DRAFT,
            reviewer,
        )
        world.recommendations[code] = recommendation
    alliance = RecommendationFactory(country=None, source_document="Monitor 2013 (alliance-wide)", number="1")
    reviewed(
        RecommendationFollowUp(recommendation=alliance, period=baseline, follow_up="not_started"),
        Status.APPROVED,
        reviewer,
    )
    reviewed(
        RecommendationFollowUp(recommendation=alliance, period=progress, follow_up="in_progress"),
        Status.DRAFT,
        reviewer,
    )
    world.recommendations["alliance"] = alliance
    return world


@pytest.fixture
def world(db) -> World:
    # The approver is a password-less reviewer: hashing a password costs more than building the world.
    return build_world(quick_user("world-reviewer", Role.REVIEWER))


# --- tokens and clients -------------------------------------------------------------------------------


@dataclass
class Tokens:
    """Keys of the world's partner tokens: all countries, Belgium only, revoked, expired."""

    partner: str
    limited: str
    revoked: str
    expired: str
    ids: dict[str, int]


def make_tokens() -> Tokens:
    partner, partner_key = services.partner_token_create(name="Interpol ICSE sync")
    limited, limited_key = services.partner_token_create(
        name="Child Focus (Belgium)", countries=[Country.objects.get(code="BE")]
    )
    revoked, revoked_key = services.partner_token_create(name="Old research project")
    services.partner_token_revoke(token=revoked)
    expired, expired_key = services.partner_token_create(
        name="Statistics office pilot", expires_at=timezone.now() + dt.timedelta(days=1)
    )
    PartnerToken.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    ids = {"partner": partner.pk, "limited": limited.pk, "revoked": revoked.pk, "expired": expired.pk}
    return Tokens(partner=partner_key, limited=limited_key, revoked=revoked_key, expired=expired_key, ids=ids)


@pytest.fixture
def tokens(db) -> Tokens:
    return make_tokens()


def token_client(key: str) -> Client:
    return Client(headers={"Authorization": f"Bearer {key}"})


def session_client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def quick_user(username: str, role: Role | None, countries: tuple[str, ...] = ()):
    """A persona without a password (no hashing): for tests that sign in with force_login only."""
    user = get_user_model().objects.create(username=username)
    if role is not None:
        user.groups.add(Group.objects.get(name=str(role)))
    for code in countries:
        CountryAssignment.objects.create(user=user, country=Country.objects.get(code=code))
    return user
