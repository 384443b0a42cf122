"""A thread per item: staff answer a return, both sides read the conversation in the item's history."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from commitments.models import ItemComment
from commitments.selectors import item_thread
from commitments.services import item_comment_add, reviewable_transition
from tests.commitments.views_support import give_value, signed_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def returned(nl, staff_nl, reviewer, indicator, progress_period):
    value = give_value(
        country=nl, indicator=indicator("RA-2"), period=progress_period, user=staff_nl, number="4"
    )
    value = reviewable_transition(item=value, expected_version=value.version, action="submit", user=staff_nl)
    return reviewable_transition(
        item=value, expected_version=value.version, action="return", user=reviewer, reason="Mean or median?"
    )


def reply_url(item) -> str:
    return reverse("item_comment", args=["value", item.pk])


def history_url(item) -> str:
    return reverse("item_history", args=["value", item.pk])


def test_staff_answer_a_return_and_both_sides_read_it(returned, staff_nl, reviewer, progress_period):
    response = signed_in(staff_nl).post(reply_url(returned), {"body": "It is the median; the note says so."})
    assert response.status_code == 302 and response["Location"].endswith(history_url(returned) + "#thread")
    thread = item_thread(item=returned)
    assert [(entry.step, entry.text) for entry in thread] == [
        ("submit", ""),
        ("return", "Mean or median?"),
        ("message", "It is the median; the note says so."),
    ]
    for user in (staff_nl, reviewer):
        html = signed_in(user).get(history_url(returned)).content.decode()
        assert "Mean or median?" in html and "It is the median; the note says so." in html
    review = signed_in(reviewer).get(reverse("review", args=["NL", progress_period.pk])).content.decode()
    assert "Mean or median?" in review and "1 message" in review


def test_the_reviewer_answers_back(returned, reviewer):
    assert (
        signed_in(reviewer).post(reply_url(returned), {"body": "Then say so in the note."}).status_code == 302
    )
    assert ItemComment.objects.get().author == reviewer


def test_a_message_back_to_a_safe_page_only(returned, staff_nl):
    response = signed_in(staff_nl).post(reply_url(returned), {"body": "Ok.", "next": "https://evil.example/"})
    assert response["Location"].endswith(history_url(returned) + "#thread")
    response = signed_in(staff_nl).post(reply_url(returned), {"body": "Ok.", "next": "/"})
    assert response["Location"] == "/"


def test_an_empty_or_overlong_message_is_refused_and_what_was_typed_is_kept(returned, staff_nl):
    client = signed_in(staff_nl)
    response = client.post(reply_url(returned), {"body": "   "})
    assert response.status_code == 400 and "Write a message before sending it." in response.content.decode()
    long_text = "x" * 2001
    response = client.post(reply_url(returned), {"body": long_text})
    assert response.status_code == 400
    html = response.content.decode()
    assert "at most 2000 characters" in html and long_text in html
    assert not ItemComment.objects.exists()


def test_only_the_countrys_staff_and_reviewers_take_part(returned, staff_be, minister):
    for user in (staff_be, minister):
        assert signed_in(user).post(reply_url(returned), {"body": "Hello"}).status_code == 403
    with pytest.raises(PermissionDenied):
        item_comment_add(item=returned, user=staff_be, body="Hello")
    assert signed_in(staff_be).get(reply_url(returned)).status_code == 405
    assert not ItemComment.objects.exists()


def test_messages_are_never_changed_or_deleted(returned, staff_nl):
    comment = item_comment_add(item=returned, user=staff_nl, body="First answer.")
    assert comment.item_version == returned.version and comment.history.count() == 1
    comment.body = "Rewritten."
    with pytest.raises(ValidationError):
        comment.save()
    with pytest.raises(ValidationError):
        comment.delete()
    assert ItemComment.objects.get().body == "First answer."


def test_the_data_entry_page_leads_to_the_thread(returned, staff_nl, progress_period):
    html = signed_in(staff_nl).get(reverse("data_entry", args=["NL", progress_period.pk])).content.decode()
    assert f'href="{history_url(returned)}#thread"' in html


def test_the_history_page_reads_a_fixed_number_of_queries(returned, staff_nl, django_assert_num_queries):
    client = signed_in(staff_nl)
    # 1 session, 2 user, 3 groups, 4 the item, 5 assignments, 6 versions, 7 thread history, 8 messages
    with django_assert_num_queries(8):
        client.get(history_url(returned))
    for number in range(5):
        item_comment_add(item=returned, user=staff_nl, body=f"Note {number}")
    with django_assert_num_queries(8):
        client.get(history_url(returned))
