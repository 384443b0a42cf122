"""The embargo rule (opendata/released.py) and withholdings (opendata/services.py)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from commitments.models import IndicatorValue
from cycle import services as cycle_services
from cycle.models import RoundTransition
from opendata import released, services
from opendata.models import Withholding
from tests.opendata.world import RELEASE

ONE_SECOND = dt.timedelta(seconds=1)


def test_nothing_of_the_round_is_public_a_second_before_its_release(world):
    with time_machine.travel(RELEASE - ONE_SECOND, tick=False):
        assert released.items() == {name: set() for name in released.KINDS}


def test_everything_released_appears_at_the_release_moment_at_once(world):
    with time_machine.travel(RELEASE, tick=False):
        found = released.items()
    assert all(
        found[name]
        for name in (
            "value",
            "commitment",
            "progress",
            "finding",
            "recommendation",
            "response",
            "reply",
            "decision",
            "report",
        )
    )
    assert found == released.items(at=RELEASE + dt.timedelta(days=300))


def test_public_items_are_approved_of_the_released_round_and_not_withheld(world):
    with time_machine.travel(RELEASE + dt.timedelta(days=1), tick=False):
        values = list(released.values())
        texts = {
            "commitment": [c.title for c in released.commitments()],
            "progress": [p.narrative for p in released.progress()],
            "finding": [f.text for f in released.findings()],
            "response": [r.summary for r in released.responses()],
            "reply": [r.text for r in released.replies()],
            "decision": [d.title for d in released.decisions()],
        }
        reports = list(released.reports())
    assert {v.note for v in values} == {"PUBLIC-value"}
    assert all(v.pk != world.withheld["value"] for v in values)
    for kind, found in texts.items():
        assert found, kind
        assert all(text.startswith("PUBLIC-") for text in found), (kind, found)
    assert [r.evaluation_round_id for r in reports] == [world.released.pk]


def test_a_proposed_withholding_hides_nothing_until_another_reviewer_approves_it(world, staff_nl, reviewer):
    value = IndicatorValue.objects.get(country__code="NL", period=world.released.evaluation_period)
    proposal = services.withholding_propose(
        kind="value", item_id=value.pk, reason="Court case", user=staff_nl
    )
    assert value.pk in released.values(at=RELEASE).values_list("pk", flat=True)
    services.withholding_decide(withholding=proposal, approve=True, user=reviewer)
    assert value.pk not in released.values(at=RELEASE).values_list("pk", flat=True)
    proposal.refresh_from_db()
    assert [h.history_change_reason for h in proposal.history.order_by("history_id")] == [
        "proposed: Court case",
        "approved",
    ]


def test_the_proposer_may_not_approve_their_own_withholding(world, reviewer):
    value = IndicatorValue.objects.get(country__code="NL", period=world.released.evaluation_period)
    proposal = services.withholding_propose(
        kind="value", item_id=value.pk, reason="Court case", user=reviewer
    )
    with pytest.raises(PermissionDenied, match="four eyes"):
        services.withholding_decide(withholding=proposal, approve=True, user=reviewer)
    assert Withholding.objects.get(pk=proposal.pk).state == "proposed"


def test_only_those_who_speak_for_the_country_propose(world, staff_be, minister):
    value = IndicatorValue.objects.get(country__code="NL", period=world.released.evaluation_period)
    for user in (staff_be, minister):
        with pytest.raises(PermissionDenied):
            services.withholding_propose(kind="value", item_id=value.pk, reason="No", user=user)
    assert not Withholding.objects.filter(item_id=value.pk, kind="value").exists()


def test_only_reviewers_decide(world, staff_nl, staff_be):
    value = IndicatorValue.objects.get(country__code="NL", period=world.released.evaluation_period)
    proposal = services.withholding_propose(
        kind="value", item_id=value.pk, reason="Court case", user=staff_nl
    )
    with pytest.raises(PermissionDenied):
        services.withholding_decide(withholding=proposal, approve=True, user=staff_be)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"kind": "country", "item_id": 1, "reason": "x"}, "Choose one of"),
        ({"kind": "value", "item_id": "12", "reason": "x"}, "whole number"),
        ({"kind": "value", "item_id": True, "reason": "x"}, "whole number"),
        ({"kind": "value", "item_id": 0, "reason": "x"}, "whole number"),
        ({"kind": "value", "item_id": 999999999, "reason": "x"}, "There is no indicator value"),
        ({"kind": "value", "item_id": None, "reason": "x"}, "whole number"),
        ({"kind": "value", "item_id": "VALUE", "reason": "   "}, "Say why"),
        ({"kind": "value", "item_id": "VALUE", "reason": ["a list"]}, "Enter text"),
        ({"kind": "value", "item_id": "VALUE", "reason": "x" * 2001}, "at most 2000"),
    ],
)
def test_bad_input_gets_a_clear_error_and_nothing_is_saved(world, reviewer, fields, message):
    value = IndicatorValue.objects.get(country__code="NL", period=world.released.evaluation_period)
    fields = {key: (value.pk if item == "VALUE" else item) for key, item in fields.items()}
    before = Withholding.objects.count()
    with pytest.raises(ValidationError) as error:
        services.withholding_propose(user=reviewer, **fields)
    assert message in str(error.value)
    assert Withholding.objects.count() == before


def test_an_item_is_withheld_once(world, staff_be):
    with pytest.raises(ValidationError, match="already withheld"):
        services.withholding_propose(
            kind="value", item_id=world.withheld["value"], reason="Again", user=staff_be
        )


def test_alliance_wide_items_cannot_be_withheld_by_a_country(world, reviewer):
    from commitments.models import Finding

    finding = Finding.objects.create(period=world.released.evaluation_period, text="Alliance", status="draft")
    with pytest.raises(ValidationError, match="whole alliance"):
        services.withholding_propose(kind="finding", item_id=finding.pk, reason="x", user=reviewer)


def test_a_rejection_needs_a_reason_and_leaves_the_item_public(world, staff_nl, reviewer):
    value = IndicatorValue.objects.get(country__code="NL", period=world.released.evaluation_period)
    proposal = services.withholding_propose(
        kind="value", item_id=value.pk, reason="Court case", user=staff_nl
    )
    with pytest.raises(ValidationError, match="reason"):
        services.withholding_decide(withholding=proposal, approve=False, user=reviewer)
    services.withholding_decide(withholding=proposal, approve=False, user=reviewer, reason="Public interest")
    assert value.pk in released.values(at=RELEASE).values_list("pk", flat=True)
    with pytest.raises(ValidationError, match="already rejected"):
        services.withholding_decide(withholding=proposal, approve=True, user=reviewer)


def test_the_release_moment_is_set_by_a_reviewer_and_audited(reviewer, staff_nl):
    from commitments.models import EvaluationRound

    evaluation_round = EvaluationRound.objects.get(label="2012–2014")
    with pytest.raises(PermissionDenied):
        cycle_services.round_set_release(
            evaluation_round=evaluation_round, released_at=RELEASE, user=staff_nl
        )
    cycle_services.round_set_release(
        evaluation_round=evaluation_round, released_at=RELEASE, user=reviewer, reason="Agreed with ministers"
    )
    entry = RoundTransition.objects.get(evaluation_round=evaluation_round, kind="release")
    assert (entry.released_at, entry.user, entry.reason) == (RELEASE, reviewer, "Agreed with ministers")
    assert released.rounds(at=RELEASE - ONE_SECOND).count() == 0
    assert list(released.rounds(at=RELEASE)) == [evaluation_round]
