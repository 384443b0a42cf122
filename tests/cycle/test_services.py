"""The evaluation cycle's services: a round's audited life, the freeze, decisions becoming commitments,
and planning the next round."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from commitments import services as commitment_services
from commitments.models import Commitment, Country, EvaluationRound, ReportingPeriod, Status
from cycle import rules, selectors, services
from cycle.models import Decision, Meeting, RoundTransition

from .conftest import advance_to

pytestmark = pytest.mark.django_db


# --- the round's life ---------------------------------------------------------------------------------


def test_each_step_goes_only_from_the_previous_one_and_is_logged(evaluation_round, reviewer):
    services.round_advance(
        evaluation_round=evaluation_round, from_stage="collection", user=reviewer, reason="All in"
    )
    assert evaluation_round.stage == "frozen"
    entry = RoundTransition.objects.get(evaluation_round=evaluation_round)
    assert (entry.from_stage, entry.to_stage, entry.user, entry.reason) == (
        "collection",
        "frozen",
        reviewer,
        "All in",
    )
    assert evaluation_round.history.first().history_change_reason.startswith("advance: collection → frozen")
    # A reviewer who still sees "collection" cannot take the step again (or skip one).
    with pytest.raises(ValidationError, match="not the one you saw"):
        services.round_advance(evaluation_round=evaluation_round, from_stage="collection", user=reviewer)
    assert EvaluationRound.objects.get(pk=evaluation_round.pk).stage == "frozen"


def test_only_reviewers_move_a_round(evaluation_round, staff_nl, minister):
    for user in (staff_nl, minister):
        with pytest.raises(PermissionDenied):
            services.round_advance(evaluation_round=evaluation_round, from_stage="collection", user=user)
    assert not RoundTransition.objects.exists()


def test_publishing_needs_the_release_moment(evaluation_round, reviewer):
    advance_to(evaluation_round, "drafted", reviewer)
    with pytest.raises(ValidationError, match="release moment"):
        services.round_advance(evaluation_round=evaluation_round, from_stage="drafted", user=reviewer)
    moment = timezone.now() + dt.timedelta(days=3)
    services.round_set_release(
        evaluation_round=evaluation_round, released_at=moment, user=reviewer, reason="Embargo"
    )
    services.round_advance(evaluation_round=evaluation_round, from_stage="drafted", user=reviewer)
    assert (evaluation_round.stage, evaluation_round.released_at) == ("published", moment)
    release = RoundTransition.objects.get(kind="release")
    assert (release.released_at, release.reason) == (moment, "Embargo")
    with pytest.raises(ValidationError, match="can no longer change"):
        services.round_set_release(evaluation_round=evaluation_round, released_at=None, user=reviewer)


def test_the_meeting_is_held_only_once_recorded(published_round, reviewer):
    with pytest.raises(ValidationError, match="Record the ministerial meeting"):
        services.round_advance(evaluation_round=published_round, from_stage="published", user=reviewer)


def test_the_meeting_is_recorded_only_on_published_reports(evaluation_round, reviewer):
    with pytest.raises(ValidationError, match="publish"):
        services.meeting_save(
            evaluation_round=evaluation_round,
            user=reviewer,
            held_on=dt.date(2014, 9, 30),
            place="X",
            countries=[],
        )


def test_reopening_needs_a_reason_and_is_only_before_publication(evaluation_round, reviewer):
    advance_to(evaluation_round, "frozen", reviewer)
    with pytest.raises(ValidationError, match="reason"):
        services.round_reopen(
            evaluation_round=evaluation_round, from_stage="frozen", user=reviewer, reason=" "
        )
    services.round_reopen(
        evaluation_round=evaluation_round, from_stage="frozen", user=reviewer, reason="Belgium corrected VI-2"
    )
    assert evaluation_round.stage == "collection"
    assert RoundTransition.objects.filter(kind="reopen", reason="Belgium corrected VI-2").exists()
    advance_to(evaluation_round, "published", reviewer)
    with pytest.raises(ValidationError, match="Only a round whose data is frozen"):
        services.round_reopen(
            evaluation_round=evaluation_round, from_stage="published", user=reviewer, reason="Late"
        )


# --- frozen data --------------------------------------------------------------------------------------


def test_frozen_data_does_not_change_until_a_reviewer_reopens(
    evaluation_round, reviewer, staff_nl, nl, indicator
):
    period = evaluation_round.evaluation_period
    value = commitment_services.indicator_value_save(
        country=nl, indicator=indicator("VI-2"), period=period, user=staff_nl, number_value=10
    )
    advance_to(evaluation_round, "frozen", reviewer)
    with pytest.raises(ValidationError, match="frozen"):
        rules.assert_round_open_for(period)
    with pytest.raises(ValidationError, match="frozen"):
        commitment_services.indicator_value_save(
            country=nl,
            indicator=indicator("VI-2"),
            period=period,
            user=staff_nl,
            number_value=11,
            expected_version=value.version,
        )
    with pytest.raises(ValidationError, match="frozen"):
        commitment_services.reviewable_transition(
            item=value, action="submit", user=staff_nl, expected_version=value.version
        )
    value.refresh_from_db()
    assert value.number_value == 10 and value.status == Status.DRAFT
    services.round_reopen(
        evaluation_round=evaluation_round, from_stage="frozen", user=reviewer, reason="Fix NL"
    )
    saved = commitment_services.indicator_value_save(
        country=nl,
        indicator=indicator("VI-2"),
        period=period,
        user=staff_nl,
        number_value=11,
        expected_version=value.version,
    )
    assert saved.number_value == 11


# --- decisions ----------------------------------------------------------------------------------------


@pytest.fixture
def meeting(published_round, reviewer, nl, be) -> Meeting:
    return services.meeting_save(
        evaluation_round=published_round,
        user=reviewer,
        held_on=dt.date(2014, 9, 30),
        place="Brussels",
        countries=[nl, be],
    )


def _decision(meeting, user, **fields) -> Decision:
    values = {
        "number": "1",
        "title": "Join the ICSE database",
        "text": "Connect the national victim-identification unit to ICSE.",
        "goals": ["VICTIM_ID"],
        "countries": ["be", "NL"],
        "lead": "Interpol liaison",
        "due_on": dt.date(2016, 6, 30),
    } | fields
    return services.decision_save(user=user, meeting=meeting, **values)


def test_a_decision_becomes_commitments_on_approval_by_a_second_reviewer(meeting, reviewer, second_reviewer):
    decision = _decision(meeting, reviewer)
    assert decision.countries == ["BE", "NL"]  # normalised
    decision = services.text_transition(
        item=decision, action="submit", user=reviewer, expected_version=decision.version
    )
    assert not Commitment.objects.filter(decision=decision).exists()
    with pytest.raises(commitment_services.FourEyesRefused):
        services.text_transition(
            item=decision, action="approve", user=reviewer, expected_version=decision.version
        )
    decision = services.text_transition(
        item=decision, action="approve", user=second_reviewer, expected_version=decision.version
    )
    commitments = Commitment.objects.filter(decision=decision).order_by("country__code")
    assert [(c.country.code, c.goal.code, c.status) for c in commitments] == [
        ("BE", "VICTIM_ID", Status.APPROVED),
        ("NL", "VICTIM_ID", Status.APPROVED),
    ]
    assert commitments[0].target_date == dt.date(2016, 6, 30)
    assert commitments[0].committed_on == dt.date(2014, 9, 30)


def test_a_decision_for_all_countries_reaches_every_participating_country(meeting, reviewer, second_reviewer):
    decision = _decision(meeting, reviewer, countries=[], goals=["VICTIM_ID", "PREVENTION"])
    decision = services.text_transition(
        item=decision, action="submit", user=reviewer, expected_version=decision.version
    )
    services.text_transition(
        item=decision, action="approve", user=second_reviewer, expected_version=decision.version
    )
    participating = Country.objects.participating_on(dt.date(2014, 9, 30)).count()
    assert Commitment.objects.filter(decision=decision).count() == 2 * participating


def test_a_bad_decision_is_refused_with_a_clear_error(meeting, reviewer, staff_nl):
    with pytest.raises(ValidationError) as error:
        _decision(meeting, reviewer, goals=["NO_SUCH_GOAL"], countries=["ZZ"], due_on=dt.date(2013, 1, 1))
    assert set(error.value.message_dict) == {"goals", "countries", "due_on"}
    with pytest.raises(PermissionDenied):
        _decision(meeting, staff_nl)
    assert not Decision.objects.exists()


def test_decision_follow_up_shows_completion_and_missing(meeting, reviewer, second_reviewer, staff_nl, nl):
    decision = _decision(meeting, reviewer)
    decision = services.text_transition(
        item=decision, action="submit", user=reviewer, expected_version=decision.version
    )
    services.text_transition(
        item=decision, action="approve", user=second_reviewer, expected_version=decision.version
    )
    new_round = services.next_round_create(meeting=meeting, user=reviewer)
    nl_commitment = Commitment.objects.get(decision=decision, country=nl)
    progress = commitment_services.commitment_progress_save(
        commitment=nl_commitment, period=new_round.evaluation_period, user=staff_nl, completion="substantial"
    )
    progress = commitment_services.reviewable_transition(
        item=progress, action="submit", user=staff_nl, expected_version=progress.version
    )
    commitment_services.reviewable_transition(
        item=progress, action="approve", user=reviewer, expected_version=progress.version
    )
    chapter = selectors.decision_follow_up(evaluation_round=new_round)
    assert chapter.meeting == meeting
    (item,) = chapter.decisions
    assert item.tally == {"substantial": 1, "missing": 1}
    rows = {
        row.country.code: [completion for _c, completion, _l in row.completions] for row in item.countries
    }
    assert rows == {"BE": [None], "NL": ["substantial"]}


def test_decision_follow_up_reads_in_constant_queries(
    meeting, reviewer, second_reviewer, django_assert_num_queries
):
    for number in ("1", "2", "3"):
        decision = _decision(meeting, reviewer, number=number, title=f"Action {number}", countries=[])
        decision = services.text_transition(
            item=decision, action="submit", user=reviewer, expected_version=decision.version
        )
        services.text_transition(
            item=decision, action="approve", user=second_reviewer, expected_version=decision.version
        )
    new_round = services.next_round_create(meeting=meeting, user=reviewer)
    # The meeting, the decisions, the goals, the commitments, the progress.
    with django_assert_num_queries(5):
        chapter = selectors.decision_follow_up(evaluation_round=new_round)
    assert len(chapter.decisions) == 3


# --- the next round -----------------------------------------------------------------------------------


def test_planning_the_next_round_previews_then_creates_it_at_once(meeting, reviewer):
    plan = services.next_round_plan(meeting=meeting)
    assert [p.label for p in plan.periods] == ["2015 progress", "2016 progress"]
    assert not ReportingPeriod.objects.filter(label="2015 progress").exists()  # a preview writes nothing
    new_round = services.next_round_create(meeting=meeting, user=reviewer)
    assert new_round.label == plan.label == "2014–2016"
    assert new_round.baseline_period == meeting.evaluation_round.evaluation_period
    assert new_round.evaluation_period.label == "2016 progress"
    assert new_round.stage == "collection"
    assert meeting.next_round == new_round
    with pytest.raises(ValidationError, match="already planned"):
        services.next_round_create(meeting=meeting, user=reviewer)


def test_planning_is_all_or_nothing(meeting, reviewer):
    ReportingPeriod.objects.create(
        label="2016 progress",
        starts_on=dt.date(2015, 7, 1),
        ends_on=dt.date(2016, 6, 30),
        deadline=dt.date(2016, 7, 31),
    )
    with pytest.raises(ValidationError, match="exists already"):
        services.next_round_create(meeting=meeting, user=reviewer)
    assert not ReportingPeriod.objects.filter(label="2015 progress").exists()
    assert EvaluationRound.objects.count() == 1
