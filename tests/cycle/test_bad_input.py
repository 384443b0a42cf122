"""Bad input on every write path of the evaluation cycle: a clear error (English and Dutch), the form
shown again with what was typed, a conflict instead of a lost edit, no error page, nothing half-written."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from commitments.models import Commitment, EvaluationRound, ReportingPeriod
from cycle import services
from cycle.models import Decision, Meeting, MeetingEvaluation, RoundTransition

pytestmark = pytest.mark.django_db

GOOD_DECISION = {
    "number": "1",
    "title": "A national campaign",
    "text": "Every country runs one.",
    "goals": ["PREVENTION"],
    "countries": ["NL"],
    "lead": "Ministry of Justice",
    "due_on": "2016-06-30",
    "expected_version": "0",
}


@pytest.fixture
def meeting(published_round, reviewer, nl, be):
    return services.meeting_save(
        evaluation_round=published_round,
        user=reviewer,
        held_on=dt.date(2014, 9, 30),
        place="Brussels",
        countries=[nl, be],
    )


@pytest.fixture
def signed_in(client, reviewer):
    client.force_login(reviewer)
    return client


def dutch(client: Client) -> Client:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "nl"
    return client


def decision_of(meeting, reviewer, **fields) -> Decision:
    values = {**GOOD_DECISION, **fields}
    values.pop("expected_version")
    values["due_on"] = dt.date.fromisoformat(values["due_on"])
    return services.decision_save(user=reviewer, meeting=meeting, **values)


# --- the meeting ------------------------------------------------------------------------------------------


MEETING = {"held_on": "2014-09-30", "place": "Brussels", "countries": ["NL"]}


@pytest.mark.parametrize(
    ("change", "field_error"),
    [
        ({"place": None}, "This field is required."),
        ({"place": ""}, "This field is required."),
        ({"place": "   "}, "This field is required."),
        ({"place": "x" * 201}, "at most 200 characters"),
        ({"place": "Brus\x00sels"}, "Null characters are not allowed."),
        ({"held_on": "next Tuesday"}, "Enter a valid date."),
        ({"held_on": "2014-02-30"}, "Enter a valid date."),
        ({"held_on": None}, "This field is required."),
        ({"countries": ["XX"]}, "Select a valid choice."),
    ],
)
def test_the_meeting_form_refuses_bad_input_and_keeps_what_was_typed(
    signed_in, published_round, change, field_error
):
    data = {key: value for key, value in {**MEETING, **change}.items() if value is not None}
    response = signed_in.post(reverse("cycle:meeting_edit", args=[published_round.pk]), data)
    page = response.content.decode()
    assert response.status_code == 400
    assert field_error in page
    assert "What you typed is kept." in page
    assert not Meeting.objects.exists()


def test_the_meeting_form_speaks_dutch(signed_in, published_round):
    response = dutch(signed_in).post(
        reverse("cycle:meeting_edit", args=[published_round.pk]), {**MEETING, "place": "  "}
    )
    assert response.status_code == 400
    assert "Dit veld is vereist." in response.content.decode()


def test_a_meeting_before_the_reports_are_published_is_refused(signed_in, evaluation_round):
    response = signed_in.post(reverse("cycle:meeting_edit", args=[evaluation_round.pk]), MEETING)
    assert response.status_code == 400
    assert "publish the round&#x27;s reports first" in response.content.decode()
    assert not Meeting.objects.exists()


def test_html_in_the_place_is_stored_as_text_and_shown_escaped(signed_in, published_round):
    url = reverse("cycle:meeting_edit", args=[published_round.pk])
    signed_in.post(url, {**MEETING, "place": "<script>alert(1)</script>"})
    assert Meeting.objects.get().place == "<script>alert(1)</script>"
    page = signed_in.get(reverse("cycle:round_detail", args=[published_round.pk])).content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_a_second_editor_of_the_meeting_gets_a_conflict_and_the_first_edit_stays(
    client, reviewer, second_reviewer, meeting
):
    url = reverse("cycle:meeting_edit", args=[meeting.evaluation_round_id])
    first, second = Client(), Client()
    first.force_login(reviewer)
    second.force_login(second_reviewer)
    loaded_first = first.get(url).context["form"]["loaded_at"].value()
    loaded_second = second.get(url).context["form"]["loaded_at"].value()
    assert first.post(url, {**MEETING, "place": "The Hague", "loaded_at": loaded_first}).status_code == 302

    response = second.post(url, {**MEETING, "place": "Luxembourg", "loaded_at": loaded_second})

    assert response.status_code == 409
    page = response.content.decode()
    assert "saved the meeting while you were editing it" in page
    assert 'value="Luxembourg"' in page  # what the second editor typed is kept, to save again
    assert Meeting.objects.get().place == "The Hague"
    # Saving again is a deliberate save over what the first one saved.
    again = response.context["form"]["loaded_at"].value()
    assert second.post(url, {**MEETING, "place": "Luxembourg", "loaded_at": again}).status_code == 302
    assert Meeting.objects.get().place == "Luxembourg"


# --- decisions ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "field_error"),
    [
        ({"number": None}, "This field is required."),
        ({"number": "   "}, "This field is required."),
        ({"number": "1" * 21}, "at most 20 characters"),
        ({"title": ""}, "This field is required."),
        ({"title": "t" * 201}, "at most 200 characters"),
        ({"text": "t" * 10_001}, "at most 10000 characters"),
        ({"text": "bad\x00byte"}, "Null characters are not allowed."),
        ({"goals": None}, "This field is required."),
        ({"goals": ["NOT-A-GOAL"]}, "Select a valid choice."),
        ({"countries": ["XX"]}, "Select a valid choice."),
        ({"lead": "\t \n"}, "This field is required."),
        ({"lead": "l" * 201}, "at most 200 characters"),
        ({"due_on": "soon"}, "Enter a valid date."),
        ({"due_on": "2014-09-29"}, "The deadline cannot be before the meeting."),
        ({"expected_version": "x"}, "Reload the page: the form no longer says which version"),
    ],
)
def test_the_decision_form_refuses_bad_input_and_keeps_what_was_typed(
    signed_in, meeting, change, field_error
):
    data = {key: value for key, value in {**GOOD_DECISION, **change}.items() if value is not None}
    response = signed_in.post(reverse("cycle:decision_create", args=[meeting.evaluation_round_id]), data)
    page = response.content.decode()
    assert response.status_code == 400
    assert field_error in page
    if "title" not in change:
        assert 'value="A national campaign"' in page
    assert not Decision.objects.exists()


def test_the_decision_form_speaks_dutch(signed_in, meeting):
    data = {**GOOD_DECISION, "due_on": "2014-09-01"}
    response = dutch(signed_in).post(
        reverse("cycle:decision_create", args=[meeting.evaluation_round_id]), data
    )
    assert response.status_code == 400
    assert "De termijn kan niet vóór de bijeenkomst liggen." in response.content.decode()


def test_a_double_post_of_a_new_decision_records_it_once(signed_in, meeting):
    url = reverse("cycle:decision_create", args=[meeting.evaluation_round_id])
    assert signed_in.post(url, GOOD_DECISION).status_code == 302
    response = signed_in.post(url, GOOD_DECISION)
    assert response.status_code == 400
    assert "The meeting already has a decision with this number." in response.content.decode()
    assert Decision.objects.count() == 1


def test_a_decision_of_a_round_without_a_meeting_is_not_found(signed_in, evaluation_round):
    response = signed_in.post(reverse("cycle:decision_create", args=[evaluation_round.pk]), GOOD_DECISION)
    assert response.status_code == 404
    assert not Decision.objects.exists()


def test_a_stale_decision_edit_is_a_conflict_and_saving_again_is_deliberate(
    reviewer, second_reviewer, meeting
):
    decision = decision_of(meeting, reviewer)
    url = reverse("cycle:decision_edit", args=[decision.pk])
    first, second = Client(), Client()
    first.force_login(reviewer)
    second.force_login(second_reviewer)
    loaded = {**GOOD_DECISION, "expected_version": str(decision.version)}
    assert first.post(url, {**loaded, "title": "First title"}).status_code == 302

    response = second.post(url, {**loaded, "title": "Second title"})

    assert response.status_code == 409
    page = response.content.decode()
    assert "saved this item while you were editing it" in page
    assert 'value="Second title"' in page
    decision.refresh_from_db()
    assert decision.title == "First title"
    # The form now carries the version the second editor has seen: saving again is deliberate and works.
    again = response.context["form"]["expected_version"].value()
    assert second.post(url, {**loaded, "title": "Second title", "expected_version": again}).status_code == 302
    decision.refresh_from_db()
    assert decision.title == "Second title"


def test_a_decision_edit_to_another_decisions_number_is_refused(signed_in, reviewer, meeting):
    decision_of(meeting, reviewer, number="1")
    other = decision_of(meeting, reviewer, number="2")
    response = signed_in.post(
        reverse("cycle:decision_edit", args=[other.pk]),
        {**GOOD_DECISION, "number": "1", "expected_version": str(other.version)},
    )
    assert response.status_code == 400
    assert "already has a decision with this number" in response.content.decode()
    other.refresh_from_db()
    assert other.number == "2"


def test_a_submitted_decision_is_locked(signed_in, reviewer, meeting):
    decision = decision_of(meeting, reviewer)
    decision = services.text_transition(
        item=decision, action="submit", user=reviewer, expected_version=decision.version
    )
    response = signed_in.post(
        reverse("cycle:decision_edit", args=[decision.pk]),
        {**GOOD_DECISION, "title": "Changed", "expected_version": str(decision.version)},
    )
    assert response.status_code == 409
    assert "This item is locked" in response.content.decode()
    decision.refresh_from_db()
    assert decision.title == GOOD_DECISION["title"]


def test_a_submitted_decision_reads_as_locked_and_says_who_may_approve_it(signed_in, reviewer, meeting):
    decision = decision_of(meeting, reviewer)
    services.text_transition(item=decision, action="submit", user=reviewer, expected_version=decision.version)
    page = signed_in.get(reverse("cycle:decision_edit", args=[decision.pk])).content.decode()
    assert "Save as draft" not in page
    assert 'name="title"' in page and "disabled" in page.split('name="title"')[1].split(">")[0]
    assert "You submitted it yourself: another reviewer must approve or return it (four eyes)." in page
    assert 'value="approve"' not in page


# --- the workflow buttons ---------------------------------------------------------------------------------


def review(client, decision, **data):
    url = reverse("cycle:text_review", args=["decision", decision.pk])
    return client.post(url, data, follow=True)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"action": "delete"}, "Unknown action delete."),
        ({"action": "submit"}, "say which version of it your change is based on"),
        ({"action": "submit", "expected_version": "abc"}, "Reload the page: the form no longer says"),
        ({"action": "submit", "expected_version": "99"}, "saved this item while you were editing it"),
        ({"action": "approve", "expected_version": "1"}, "Cannot approve an item that is draft."),
    ],
)
def test_the_workflow_buttons_refuse_bad_input(signed_in, reviewer, meeting, data, message):
    decision = decision_of(meeting, reviewer)
    page = review(signed_in, decision, **data).content.decode()
    assert message in page
    decision.refresh_from_db()
    assert decision.status == "draft" and decision.version == 1


def test_a_too_long_reason_says_it_is_too_long_not_that_it_is_missing(
    client, reviewer, second_reviewer, meeting
):
    decision = decision_of(meeting, reviewer)
    decision = services.text_transition(
        item=decision, action="submit", user=reviewer, expected_version=decision.version
    )
    client.force_login(second_reviewer)
    page = review(
        client, decision, action="return", reason="r" * 2001, expected_version=decision.version
    ).content.decode()
    assert "at most 2000 characters" in page
    assert "Give a reason" not in page
    decision.refresh_from_db()
    assert decision.status == "submitted"


def test_approving_ones_own_decision_is_refused_and_says_why(signed_in, reviewer, meeting):
    decision = decision_of(meeting, reviewer)
    decision = services.text_transition(
        item=decision, action="submit", user=reviewer, expected_version=decision.version
    )
    response = review(signed_in, decision, action="approve", expected_version=decision.version)
    assert response.status_code == 403  # the house's answer to a four-eyes refusal, with its reason
    assert "another reviewer must approve it (four eyes)" in response.content.decode()
    decision.refresh_from_db()
    assert decision.status == "submitted"
    assert not Commitment.objects.filter(decision=decision).exists()


def test_a_double_approval_makes_the_commitments_once(client, reviewer, second_reviewer, meeting):
    decision = decision_of(meeting, reviewer)
    decision = services.text_transition(
        item=decision, action="submit", user=reviewer, expected_version=decision.version
    )
    client.force_login(second_reviewer)
    review(client, decision, action="approve", expected_version=decision.version)
    page = review(client, decision, action="approve", expected_version=decision.version).content.decode()
    assert "saved this item while you were editing it" in page
    assert Commitment.objects.filter(decision=decision).count() == 1  # NL under PREVENTION


def test_a_review_of_an_unknown_kind_or_id_is_not_found(signed_in, reviewer, meeting):
    decision = decision_of(meeting, reviewer)
    assert signed_in.post(reverse("cycle:text_review", args=["meeting", decision.pk])).status_code == 404
    assert signed_in.post(reverse("cycle:text_review", args=["decision", 999_999])).status_code == 404


def test_an_evaluation_of_an_unknown_goal_is_not_found(signed_in, meeting):
    url = reverse("cycle:evaluation_edit", args=[meeting.evaluation_round_id, "NOPE"])
    assert signed_in.post(url, {"text": "x", "expected_version": "0"}).status_code == 404
    assert not MeetingEvaluation.objects.exists()


@pytest.mark.parametrize(
    ("text", "field_error"),
    [("", "This field is required."), ("   ", "This field is required."), ("e" * 10_001, "at most 10000")],
)
def test_the_evaluation_form_refuses_bad_text(signed_in, meeting, text, field_error):
    url = reverse("cycle:evaluation_edit", args=[meeting.evaluation_round_id, "PREVENTION"])
    response = signed_in.post(url, {"text": text, "expected_version": "0"})
    assert response.status_code == 400
    assert field_error in response.content.decode()
    assert not MeetingEvaluation.objects.exists()


def test_two_first_evaluations_of_a_goal_conflict(reviewer, second_reviewer, meeting):
    url = reverse("cycle:evaluation_edit", args=[meeting.evaluation_round_id, "PREVENTION"])
    first, second = Client(), Client()
    first.force_login(reviewer)
    second.force_login(second_reviewer)
    assert first.post(url, {"text": "First", "expected_version": "0"}).status_code == 302
    response = second.post(url, {"text": "Second", "expected_version": "0"})
    assert response.status_code == 409
    assert "Second</textarea>" in response.content.decode()
    assert MeetingEvaluation.objects.get().text == "First"


# --- the round's steps --------------------------------------------------------------------------------------


def test_a_too_long_step_reason_says_so(signed_in, evaluation_round):
    response = signed_in.post(
        reverse("cycle:round_step", args=[evaluation_round.pk]),
        {"from_stage": "collection", "reason": "r" * 2001},
        follow=True,
    )
    assert "at most 2000 characters" in response.content.decode()
    evaluation_round.refresh_from_db()
    assert evaluation_round.stage == "collection"
    assert not RoundTransition.objects.filter(evaluation_round=evaluation_round).exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "Reload the page and try again."),
        ({"from_stage": "nonsense"}, "not the one you saw"),
        ({"from_stage": "frozen", "action": "reopen"}, "Give a reason for reopening the round."),
    ],
)
def test_the_step_form_refuses_bad_input(signed_in, reviewer, evaluation_round, data, message):
    if data.get("action") == "reopen":
        services.round_advance(evaluation_round=evaluation_round, from_stage="collection", user=reviewer)
    before = RoundTransition.objects.count()
    page = signed_in.post(
        reverse("cycle:round_step", args=[evaluation_round.pk]), data, follow=True
    ).content.decode()
    assert message in page
    assert RoundTransition.objects.count() == before


def test_a_refused_step_keeps_the_reason_as_typed(signed_in, reviewer, evaluation_round):
    url = reverse("cycle:round_step", args=[evaluation_round.pk])
    services.round_advance(evaluation_round=evaluation_round, from_stage="collection", user=reviewer)
    # Reopening from a stage the round has left: refused, and the reason typed is still on the page.
    response = signed_in.post(
        url, {"from_stage": "collection", "action": "reopen", "reason": "Late data from BE"}
    )
    assert response.status_code == 409
    page = response.content.decode()
    assert "not the one you saw" in page
    assert "Late data from BE</textarea>" in page
    # The page now offers the stage the round is at, so pressing again is a deliberate step from there.
    assert 'name="from_stage" value="frozen"' in page
    too_long = signed_in.post(url, {"from_stage": "frozen", "reason": "x" * 2001})
    assert too_long.status_code == 400 and "x" * 2001 in too_long.content.decode()


def test_a_refused_release_moment_keeps_the_reason_as_typed(signed_in, evaluation_round):
    response = signed_in.post(
        reverse("cycle:round_release", args=[evaluation_round.pk]),
        {"released_at": "tomorrow", "reason": "Agreed with the ministers"},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Enter a valid date/time." in page
    assert 'value="Agreed with the ministers"' in page and 'value="tomorrow"' in page


@pytest.mark.parametrize("value", ["tomorrow", "2026-13-01T10:00", "2026-01-01T25:00"])
def test_the_release_form_refuses_a_bad_moment(signed_in, evaluation_round, value):
    page = signed_in.post(
        reverse("cycle:round_release", args=[evaluation_round.pk]), {"released_at": value}, follow=True
    ).content.decode()
    assert "Enter a valid date/time." in page
    evaluation_round.refresh_from_db()
    assert evaluation_round.released_at is None


# --- planning the next round ------------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize(
    ("deadline", "message"),
    [
        ("whenever", "Enter a valid date."),
        ("9999-12-31", "too far in the future"),
        ("2015-01-01", "after the period ends"),
    ],
)
def test_planning_refuses_a_bad_deadline_and_creates_nothing(signed_in, meeting, method, deadline, message):
    periods = ReportingPeriod.objects.count()
    response = getattr(signed_in, method)(
        reverse("cycle:plan_next", args=[meeting.evaluation_round_id]), {"deadline": deadline}
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert ReportingPeriod.objects.count() == periods
    assert not EvaluationRound.objects.filter(label="2014–2016").exists()


def test_planning_twice_plans_one_round(signed_in, meeting):
    url = reverse("cycle:plan_next", args=[meeting.evaluation_round_id])
    assert signed_in.post(url, {}).status_code == 302
    response = signed_in.post(url, {})
    assert response.status_code == 400
    assert "already planned" in response.content.decode()
    assert EvaluationRound.objects.filter(label="2014–2016").count() == 1


# --- the API is read-only -----------------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
@pytest.mark.parametrize("path", ["/api/v1/meetings/", "/api/v1/decisions/"])
def test_the_cycle_api_refuses_writes_with_a_clear_status(signed_in, reviewer, meeting, method, path):
    decision = decision_of(meeting, reviewer)
    target = path if method == "post" else f"{path}{decision.pk if 'decisions' in path else meeting.pk}/"
    response = getattr(signed_in, method)(
        target, b'{"place": "Ro\x00me", "title": "\xff\xfe"}', content_type="application/json"
    )
    assert response.status_code == 405
    assert response.json()["status"] == 405
    meeting.refresh_from_db()
    decision.refresh_from_db()
    assert meeting.place == "Brussels" and decision.title == GOOD_DECISION["title"]


@pytest.mark.parametrize("path", ["/api/v1/meetings/999999/", "/api/v1/decisions/abc/"])
def test_the_cycle_api_answers_unknown_ids_with_404(signed_in, path):
    response = signed_in.get(path)
    assert response.status_code == 404


def test_planning_speaks_dutch(signed_in, meeting):
    url = reverse("cycle:plan_next", args=[meeting.evaluation_round_id])
    response = dutch(signed_in).get(url, {"deadline": "2015-01-01"})
    assert response.status_code == 400
    assert "De uiterste inleverdatum moet na het einde van de periode liggen" in response.content.decode()


def test_the_meeting_conflict_speaks_dutch(reviewer, second_reviewer, meeting):
    url = reverse("cycle:meeting_edit", args=[meeting.evaluation_round_id])
    stale = meeting.updated_at.isoformat()
    services.meeting_save(
        evaluation_round=meeting.evaluation_round,
        user=reviewer,
        held_on=meeting.held_on,
        place="The Hague",
        countries=[],
    )
    client = dutch(Client())
    client.force_login(second_reviewer)
    response = client.post(url, {**MEETING, "loaded_at": stale})
    assert response.status_code == 409
    assert "heeft de bijeenkomst opgeslagen terwijl u haar bewerkte" in response.content.decode()
    assert Meeting.objects.get().place == "The Hague"


def test_a_garbled_meeting_version_asks_for_a_reload(signed_in, meeting):
    url = reverse("cycle:meeting_edit", args=[meeting.evaluation_round_id])
    response = signed_in.post(url, {**MEETING, "place": "Rome", "loaded_at": "yesterday"})
    assert response.status_code == 400
    assert "Reload the page: the form no longer says which version" in response.content.decode()
    assert Meeting.objects.get().place == "Brussels"
