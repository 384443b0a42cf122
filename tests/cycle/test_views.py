"""The cycle's pages and API: who sees what, forms that refuse bad input, and pinned query counts."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from commitments.models import Commitment
from cycle import services
from cycle.models import Decision

pytestmark = pytest.mark.django_db


@pytest.fixture
def meeting(published_round, reviewer, nl, be):
    return services.meeting_save(
        evaluation_round=published_round,
        user=reviewer,
        held_on=dt.date(2014, 9, 30),
        place="Brussels",
        countries=[nl, be],
    )


def decide(meeting, reviewer, second_reviewer, number: str, *, approve: bool = True) -> Decision:
    decision = services.decision_save(
        user=reviewer,
        meeting=meeting,
        number=number,
        title=f"Action {number}",
        text=f"Text of action {number}",
        goals=["PREVENTION"],
        countries=["NL", "BE"],
        lead="Ministry",
        due_on=dt.date(2016, 6, 30),
    )
    if approve:
        decision = services.text_transition(
            item=decision, action="submit", user=reviewer, expected_version=decision.version
        )
        decision = services.text_transition(
            item=decision, action="approve", user=second_reviewer, expected_version=decision.version
        )
    return decision


def test_the_round_list_says_each_rounds_step(client, minister, evaluation_round, django_assert_num_queries):
    client.force_login(minister)
    client.get(reverse("cycle:round_list"))  # warm the session and roles
    # The session, the user, the user's roles (the menu), the rounds with their periods and meetings.
    with django_assert_num_queries(4):
        response = client.get(reverse("cycle:round_list"))
    assert response.status_code == 200
    assert 'aria-current="step">Data collection' in response.content.decode()


def test_the_round_page_reads_in_constant_queries(
    client, reviewer, second_reviewer, meeting, django_assert_num_queries
):
    url = reverse("cycle:round_detail", args=[meeting.evaluation_round_id])
    client.force_login(reviewer)
    decide(meeting, reviewer, second_reviewer, "1")
    client.get(url)
    # The session, the user, the roles, the round, its meeting, the evaluations, the decisions with their
    # commitment counts, the goals, the countries the decisions name, the round's history, the meeting it
    # follows up; the same with more decisions.
    with django_assert_num_queries(12) as few:
        client.get(url)
    for number in ("2", "3", "4"):
        decide(meeting, reviewer, second_reviewer, number)
    with django_assert_num_queries(len(few.captured_queries)):
        response = client.get(url)
    assert "Action 4" in response.content.decode()


def test_ministers_read_the_approved_record_once_released(
    client, minister, reviewer, second_reviewer, meeting
):
    decide(meeting, reviewer, second_reviewer, "1")
    decide(meeting, reviewer, second_reviewer, "2", approve=False)
    url = reverse("cycle:round_detail", args=[meeting.evaluation_round_id])
    client.force_login(minister)
    page = client.get(url).content.decode()
    assert "Action 1" in page and "Action 2" not in page
    assert "Record a decision" not in page and "Move the round on" not in page
    # Before the release moment, ministers see no meeting record at all.
    type(meeting.evaluation_round).objects.filter(pk=meeting.evaluation_round_id).update(
        released_at=timezone.now() + dt.timedelta(days=1)
    )
    assert "Action 1" not in client.get(url).content.decode()


def test_a_decision_form_with_bad_input_keeps_what_was_typed(client, reviewer, meeting):
    client.force_login(reviewer)
    url = reverse("cycle:decision_create", args=[meeting.evaluation_round_id])
    response = client.post(
        url,
        {"number": "1", "title": "Campaign", "goals": ["PREVENTION"], "lead": "X", "due_on": "2010-01-01"},
    )
    assert response.status_code == 400
    assert "The deadline cannot be before the meeting." in response.content.decode()
    assert 'value="Campaign"' in response.content.decode()
    assert not Decision.objects.exists()


def test_the_step_form_refuses_a_stale_step(client, reviewer, evaluation_round):
    client.force_login(reviewer)
    url = reverse("cycle:round_step", args=[evaluation_round.pk])
    client.post(url, {"from_stage": "collection"})
    response = client.post(url, {"from_stage": "collection"}, follow=True)
    assert "not the one you saw" in response.content.decode()
    evaluation_round.refresh_from_db()
    assert evaluation_round.stage == "frozen"


def test_plan_preview_writes_nothing_and_post_creates(client, reviewer, meeting):
    client.force_login(reviewer)
    url = reverse("cycle:plan_next", args=[meeting.evaluation_round_id])
    response = client.get(url, {"deadline": "2016-09-30"})
    assert response.status_code == 200
    assert "2016 progress" in response.content.decode()
    assert not type(meeting.evaluation_round).objects.filter(label="2014–2016").exists()
    response = client.post(url, {"deadline": "2016-09-30"})
    new_round = type(meeting.evaluation_round).objects.get(label="2014–2016")
    assert response.status_code == 302
    assert new_round.evaluation_period.deadline == dt.date(2016, 9, 30)


def test_the_api_shows_partners_approved_decisions_with_their_commitments(
    client, minister, reviewer, second_reviewer, meeting, django_assert_num_queries
):
    approved = decide(meeting, reviewer, second_reviewer, "1")
    decide(meeting, reviewer, second_reviewer, "2", approve=False)
    client.force_login(minister)
    data = client.get("/api/v1/decisions/").json()
    assert [item["number"] for item in data["results"]] == ["1"]
    assert sorted(c["country"] for c in data["results"][0]["commitments"]) == ["BE", "NL"]
    assert Commitment.objects.filter(decision=approved).count() == 2
    meetings = client.get("/api/v1/meetings/").json()["results"]
    assert meetings[0]["decisions"] == [approved.pk] and meetings[0]["place"] == "Brussels"
    rounds = client.get("/api/v1/rounds/").json()["results"]
    assert rounds[0]["stage"] == "published" and rounds[0]["released_at"]
