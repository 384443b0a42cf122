"""Sign-in, sign-out and the home page: what needs the user's attention."""

from __future__ import annotations

import pytest
from django.urls import reverse

from commitments.services import reviewable_transition
from tests.commitments.views_support import give_value, signed_in
from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db


def test_sign_in_and_out(client, staff_nl):
    page = client.get(reverse("login"))
    assert page.status_code == 200 and 'name="username"' in page.content.decode()
    response = client.post(reverse("login"), {"username": "anna-nl", "password": TEST_PASSWORD}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("home")
    assert "Sign out" in response.content.decode()
    response = client.post(reverse("logout"), follow=True)
    assert response.redirect_chain[-1][0] == reverse("login")
    assert client.get(reverse("home")).status_code == 302


def test_a_wrong_password_is_refused_with_a_message(client, staff_nl):
    response = client.post(reverse("login"), {"username": "anna-nl", "password": "wrong"})
    assert response.status_code == 200
    assert "Please enter a correct username and password." in response.content.decode()


def test_staff_see_returned_items_with_the_reason_and_their_drafts(
    staff_nl, reviewer, nl, indicator, progress_period
):
    value = give_value(
        country=nl, indicator=indicator("RA-2"), period=progress_period, user=staff_nl, number="3"
    )
    give_value(country=nl, indicator=indicator("VI-2"), period=progress_period, user=staff_nl, number="30")
    value = reviewable_transition(item=value, expected_version=value.version, action="submit", user=staff_nl)
    reviewable_transition(
        item=value, expected_version=value.version, action="return", user=reviewer, reason="Which source?"
    )
    html = signed_in(staff_nl).get(reverse("home")).content.decode()
    assert "Which source?" in html
    assert f'href="/countries/NL/periods/{progress_period.pk}/#indicator-RA-2"' in html
    assert "1 draft" in html
    assert "Waiting for your review" not in html


def test_reviewers_see_what_waits_for_review(staff_nl, reviewer, nl, indicator, progress_period):
    value = give_value(
        country=nl, indicator=indicator("RA-2"), period=progress_period, user=staff_nl, number="3"
    )
    reviewable_transition(item=value, expected_version=value.version, action="submit", user=staff_nl)
    html = signed_in(reviewer).get(reverse("home")).content.decode()
    assert "Waiting for your review" in html
    assert f'href="/countries/NL/periods/{progress_period.pk}/review/"' in html and "1 item" in html


def test_deadlines_of_open_periods(staff_nl, progress_period):
    html = signed_in(staff_nl).get(reverse("home")).content.decode()
    assert "2014 progress" in html and "days overdue" in html


def test_ministers_are_pointed_to_approved_data(minister):
    response = signed_in(minister).get(reverse("home"))
    assert response.status_code == 302 and response["Location"] == reverse("overview")  # the ministers' view
    html = signed_in(minister).get(reverse("home"), follow=True).content.decode()
    assert "Drafts not yet submitted" not in html
    assert "Completeness" not in html  # no workflow navigation
