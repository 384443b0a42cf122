"""English and Dutch: the language switch, and Dutch names, numbers and dates throughout the workspace."""

from __future__ import annotations

import pytest
from django.urls import reverse

from commitments.services import reviewable_transition
from tests.commitments.views_support import give_value, signed_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def dutch(staff_nl):
    """Anna's browser after she picked Nederlands in the language switch."""
    client = signed_in(staff_nl)
    response = client.post(reverse("set_language"), {"language": "nl", "next": "/countries/NL/"})
    assert response.status_code == 302 and response["Location"] == "/countries/NL/"
    return client


def test_every_page_has_the_language_switch(staff_nl):
    html = signed_in(staff_nl).get(reverse("home")).content.decode()
    assert f'<form action="{reverse("set_language")}" method="post"' in html
    assert '<option value="nl" lang="nl">Nederlands</option>' in html
    assert '<html lang="en">' in html


def test_the_switch_turns_the_pages_dutch(dutch, progress_period):
    html = dutch.get(reverse("data_entry", args=["NL", progress_period.pk])).content.decode()
    assert '<html lang="nl">' in html
    assert "Identificatie van slachtoffers" in html  # goal names
    assert "Mediane verwijdertermijn (notice-and-takedown)" in html  # indicator names
    assert "31 juli 2014" in html  # the deadline, as Dutch readers write dates


def test_numbers_are_written_and_read_the_dutch_way(
    dutch, staff_nl, nl, indicator, baseline_period, progress_period
):
    give_value(
        country=nl, indicator=indicator("VI-2"), period=baseline_period, user=staff_nl, number="1234.5"
    )
    html = dutch.get(reverse("country_detail", args=["NL"])).content.decode()
    assert "1.234,5" in html
    # A decimal comma is what a Dutch user types, and is understood.
    url = reverse("data_entry", args=["NL", progress_period.pk])
    response = dutch.post(url, {"RA-3-value": "12,5", "RA-3-expected_version": "0"})
    assert response.status_code == 302
    assert str(indicator("RA-3").values.get().number_value) == "12.5000"


def test_validation_messages_are_dutch(dutch, progress_period):
    url = reverse("data_entry", args=["NL", progress_period.pk])
    response = dutch.post(url, {"RA-3-value": "veel", "RA-3-expected_version": "0"})
    assert "Voer een getal in." in response.content.decode()  # Django's own Dutch messages


def test_the_workspace_interface_is_dutch(dutch, staff_nl, reviewer, nl, indicator, progress_period):
    value = give_value(
        country=nl, indicator=indicator("RA-2"), period=progress_period, user=staff_nl, number="3"
    )
    value = reviewable_transition(item=value, expected_version=value.version, action="submit", user=staff_nl)
    reviewable_transition(
        item=value,
        expected_version=value.version,
        action="return",
        user=reviewer,
        reason="Controleer de bron.",
    )
    html = dutch.get(reverse("data_entry", args=["NL", progress_period.pk])).content.decode()
    for dutch_text in (
        "Waarden opslaan",
        "Ter beoordeling indienen",
        "Teruggestuurd door de beoordelaar",
        "Landen",
    ):
        assert dutch_text in html
