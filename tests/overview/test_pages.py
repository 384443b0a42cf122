"""The ministers' view as its readers meet it: the released round's figures, the map, a goal across
countries, a country across every period, and what those who may not see a round get instead."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.utils import timezone

from commitments.models import EvaluationRound
from reporting.content import Book
from reporting.selectors import report_data

pytestmark = pytest.mark.django_db


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def text_of(response) -> str:
    """The page's text with tags and runs of white space collapsed, for sentences that span markup."""
    html = response.content.decode()
    html = re.sub(r"<svg.*?</svg>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_the_minister_sees_the_released_round_at_a_glance(released, minister):
    response = signed_in(minister).get("/overview/")
    assert response.status_code == 200
    text = text_of(response)
    assert "2012–2014" in text and "Released" in text
    # Goal 1 (victim identification): NL, FR, IT improved; ES stayed; BE worsened; the rest: no comparison.
    row = re.search(r"Goal 1: [^<]*?</a>\s*</th>((?:\s*<td[^>]*>[^<]*</td>){4})", response.content.decode())
    assert [int(n) for n in re.findall(r">(\d+)<", row.group(1))][:3] == [3, 1, 1]
    # The ICSE target: NL, FR, IT met it; BE and ES did not; everyone else cannot tell.
    assert "3 countries met it" in text
    assert re.search(r"2 did not, \d+ cannot tell", text)


def test_the_figures_are_the_reports_figures(released, minister):
    book = Book(report_data(evaluation_round=released))
    done = book.completeness()
    text = text_of(signed_in(minister).get("/overview/"))
    assert f"{done.values_approved} of {done.values_expected}" in text
    assert f"{done.commitments_approved} of {done.commitments_expected}" in text
    summary = book.commitment_summary()
    assert f"{summary['complete']} of {summary['total']}" in text


def test_without_a_released_round_the_page_says_so(minister, reviewer, db):
    EvaluationRound.objects.update(released_at=None)
    text = text_of(signed_in(minister).get("/overview/"))
    assert "No evaluation round has been released yet" in text
    assert "(not released)" not in text
    offer = signed_in(reviewer).get("/overview/")
    assert "Show 2012–2014 (not released)" in text_of(offer)


def test_an_unreleased_round_is_for_staff_and_reviewers_only(minister, reviewer, staff_nl, db):
    EvaluationRound.objects.update(released_at=timezone.now() + timezone.timedelta(days=3))  # embargoed
    pk = EvaluationRound.objects.get().pk
    assert signed_in(minister).get(f"/overview/?round={pk}").status_code == 404
    assert signed_in(minister).get(f"/overview/map/?round={pk}").status_code == 404
    for person in (reviewer, staff_nl):
        response = signed_in(person).get(f"/overview/?round={pk}")
        assert response.status_code == 200
        assert "This round is not released" in text_of(response)


def test_a_round_that_is_not_a_number_is_not_there(released, reviewer):
    assert signed_in(reviewer).get("/overview/?round=abc").status_code == 404
    assert signed_in(reviewer).get("/overview/?round=99999999").status_code == 404


def test_the_map_colours_each_country_by_its_outcome_on_the_chosen_goal(released, minister):
    response = signed_in(minister).get("/overview/map/?goal=VICTIM_ID")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'aria-label="Netherlands: improved"' in html
    assert 'aria-label="Belgium: worsened"' in html
    assert 'aria-label="Spain: stayed the same"' in html
    assert 'aria-label="Germany: cannot be compared"' in html
    assert 'aria-label="Japan: cannot be compared"' in html  # in the world frame
    assert html.count('aria-label="Netherlands: ') == 1  # a link once, in one frame
    assert "Natural Earth" in html
    # The goal form works without JavaScript: a plain GET form.
    assert re.search(r'<form method="get"[^>]*>.*?name="goal"', html, flags=re.S)
    other = signed_in(minister).get("/overview/map/?goal=PREVENTION").content.decode()
    assert 'aria-label="Netherlands: cannot be compared"' in other


def test_a_goal_that_does_not_exist_is_not_there(released, minister):
    client = signed_in(minister)
    assert client.get("/overview/map/?goal=NOPE").status_code == 404
    assert client.get("/overview/goals/NOPE/").status_code == 404
    assert client.get("/overview/countries/ZZ/").status_code == 404
    assert client.get("/overview/countries/NLD/").status_code == 404


def test_a_goal_across_all_countries(released, minister):
    response = signed_in(minister).get("/overview/goals/VICTIM_ID/")
    assert response.status_code == 200
    text = text_of(response)
    assert "Goal 1: " in text
    rows = {
        row.split()[0]: row.strip()
        for row in re.split(
            r"(?= (?:Netherlands|Belgium|Spain) improved| (?:Netherlands|Belgium|Spain) (?:worsened|stayed))",
            text,
        )[1:]
    }
    assert (
        rows["Netherlands"].startswith("Netherlands improved") and "100 → 120 better" in rows["Netherlands"]
    )
    assert rows["Belgium"].startswith("Belgium worsened") and "100 → 90 worse" in rows["Belgium"]
    assert rows["Spain"].startswith("Spain stayed the same") and "60 → 60 unchanged" in rows["Spain"]
    assert 'href="/overview/countries/NL/?round=' in response.content.decode()


def test_a_country_across_every_period_with_its_place_in_the_alliance(released, minister):
    response = signed_in(minister).get("/overview/countries/NL/")
    assert response.status_code == 200
    text = text_of(response)
    # Every period up to the round's evaluation period, the pilot before the baseline too.
    assert re.search(r"VI-2 per period Period Value 2012 pilot 90 2013 baseline 100 2014 progress 120", text)
    # VI-2 in 2014: 60, 70, 88, 90, 120, 230 -> quartiles 74.5, 89, 112.5; the Netherlands (120) above.
    assert "Netherlands: 120, above the upper quartile" in text
    assert "lower quartile 74.5, median 89, upper quartile 112.5" in text
    # No other country is named and nothing is ranked.
    for name in ("Belgium", "France", "Italy", "Spain", "Germany", "Austria"):
        assert name not in text


def test_too_few_values_show_no_distribution(released, minister):
    text = text_of(signed_in(minister).get("/overview/countries/NL/"))
    assert "Too few countries reported this indicator" in text  # VI-5: nobody reported it


def test_in_dutch(released, minister):
    client = signed_in(minister)
    client.cookies["django_language"] = "nl"
    text = text_of(client.get("/overview/", HTTP_ACCEPT_LANGUAGE="nl"))
    assert "De alliantie in één oogopslag" in text
    text = text_of(client.get("/overview/countries/NL/", HTTP_ACCEPT_LANGUAGE="nl"))
    assert "Nederland" in text and "2012 proef" in text


def current_step(response) -> str:
    found = re.search(
        r'<li class="stage-step stage-step--current" aria-current="step">([^<]*)<', response.content.decode()
    )
    return found.group(1) if found else ""


@pytest.mark.parametrize(
    "url", ["/overview/", "/overview/map/", "/overview/goals/VICTIM_ID/", "/overview/countries/NL/"]
)
def test_every_page_shows_the_rounds_step_at_once_in_english_and_dutch(released, minister, url):
    client = signed_in(minister)
    assert current_step(client.get(url)) == "Data collection"
    # The stage is not part of the cached figures' key: a step taken shows on the next request.
    EvaluationRound.objects.filter(pk=released.pk).update(stage=EvaluationRound.Stage.MEETING_HELD)
    assert current_step(client.get(url)) == "Ministerial meeting held"
    client.cookies["django_language"] = "nl"
    assert current_step(client.get(url, HTTP_ACCEPT_LANGUAGE="nl")) == "Ministeriële bijeenkomst gehouden"
