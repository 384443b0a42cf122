"""The focal pages: what each reader gets, a probe of everything a focal point can reach, pinned queries."""

from __future__ import annotations

import re
from collections import deque
from decimal import Decimal
from urllib.parse import urljoin, urlsplit

import pytest
from django.test import Client
from django.utils import timezone

from alliance_monitor import auth
from commitments.models import IndicatorValue, Status
from focal.models import SelfReportProgress, SelfReportValue, SelfStatus
from tests.commitments.api_fixtures import token_client

pytestmark = pytest.mark.django_db


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    session = client.session
    session[auth.SESSION_KEY] = auth.DONE
    session.save()
    return client


@pytest.fixture
def world(nl, be, focal_nl, staff_nl, indicator, open_period, nl_commitment):
    """Both countries' self-reports and a rapporteur's draft of the Netherlands, each text marked."""
    for country, code in ((nl, "NL"), (be, "BE")):
        SelfReportValue.objects.create(
            country=country,
            period=open_period,
            indicator=indicator("VI-3"),
            number_value=Decimal(7),
            note=f"GOV-{code}-MARK",
            status=SelfStatus.SUBMITTED,
            submitted_at=timezone.now(),
        )
    SelfReportProgress.objects.create(
        country=nl,
        period=open_period,
        commitment=nl_commitment,
        completion="complete",
        narrative="GOV-NL-MARK",
    )
    IndicatorValue.objects.create(
        country=nl,
        indicator=indicator("VI-3"),
        period=open_period,
        number_value=Decimal(3),
        note="RAPPORTEUR-DRAFT-MARK",
        status=Status.DRAFT,
    )
    return open_period


SKIP = re.compile(r"^/(admin|i18n|accounts/logout|static|media)/")


def test_everything_a_focal_point_reaches_shows_their_country_only_and_no_draft(world, focal_nl):
    """Follow every link from the focal point's pages (GET, the site's own), and read every page."""
    client = signed_in(focal_nl)
    queue = deque(["/", "/focal/", f"/focal/periods/{world.pk}/", "/countries/NL/"])
    seen: set[str] = set()
    bodies = []
    while queue and len(seen) < 400:
        url = queue.popleft()
        if url in seen:
            continue
        seen.add(url)
        response = client.get(url)
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        body = response.content.decode()
        bodies.append((url, body))
        for href in re.findall(r'href="([^"#]+)', body):
            target = urlsplit(urljoin(url, href.replace("&amp;", "&")))
            if target.netloc in ("", "testserver") and not SKIP.match(target.path):
                queue.append(target.path + (f"?{target.query}" if target.query else ""))

    leaks = [
        (url, mark)
        for url, body in bodies
        for mark in ("GOV-BE-MARK", "RAPPORTEUR-DRAFT-MARK")
        if mark in body
    ]
    assert leaks == []
    # The probe means something: the focal point does read their own country's self-report.
    assert any("GOV-NL-MARK" in body for _url, body in bodies)
    assert len(bodies) > 5


def test_a_focal_point_finds_no_other_countrys_review_and_no_staff_page(world, focal_nl):
    client = signed_in(focal_nl)
    for url in (
        f"/focal/countries/BE/periods/{world.pk}/review/",
        f"/focal/countries/NL/periods/{world.pk}/review/",
        f"/countries/NL/periods/{world.pk}/",
        "/completeness/",
    ):
        assert client.get(url).status_code == 403, url
    assert client.get("/api/v1/self-reported-values/").status_code == 403
    # Their own country only: another country's page does not exist for them.
    assert client.get("/countries/BE/").status_code == 404
    assert client.get("/countries/NL/").status_code == 200


def test_staff_of_the_country_review_it_and_see_both_tracks(world, staff_nl, staff_be):
    page = signed_in(staff_nl).get(f"/focal/countries/NL/periods/{world.pk}/review/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "GOV-NL-MARK" in text and "GOV-BE-MARK" not in text
    assert "The rapporteur has 3 % where the government reports 7 %." in text
    assert signed_in(staff_be).get(f"/focal/countries/NL/periods/{world.pk}/review/").status_code == 403


def test_the_questionnaire_saves_only_what_changed_and_says_what_failed(world, focal_nl, indicator):
    client = signed_in(focal_nl)
    vi2 = indicator("VI-2").pk
    response = client.post(
        f"/focal/periods/{world.pk}/",
        {f"values-{vi2}-value": "12", f"values-{vi2}-expected_version": "0"},
    )
    assert response.status_code == 302
    assert SelfReportValue.objects.get(indicator_id=vi2).number_value == Decimal(12)
    refused = client.post(
        f"/focal/periods/{world.pk}/",
        {f"values-{vi2}-value": "many", f"values-{vi2}-expected_version": "1"},
    )
    assert refused.status_code == 400
    assert SelfReportValue.objects.get(indicator_id=vi2).number_value == Decimal(12)
    stale = client.post(
        f"/focal/periods/{world.pk}/",
        {f"values-{vi2}-value": "13", f"values-{vi2}-expected_version": "0"},
    )
    assert stale.status_code == 400 and "while you were editing" in stale.content.decode()


def test_pages_take_a_fixed_number_of_queries(world, focal_nl, staff_nl, django_assert_num_queries):
    focal = signed_in(focal_nl)
    staff = signed_in(staff_nl)
    # session, user, groups, focal point, country, periods, rounds (with their reply windows)
    with django_assert_num_queries(7):
        assert focal.get("/focal/").status_code == 200
    # session, user, groups, focal point, country, period; indicators, commitments, recommendations and
    # the three kinds of answers (6); the navigation's roles
    with django_assert_num_queries(13):
        assert focal.get(f"/focal/periods/{world.pk}/").status_code == 200
    # session, user, country, groups, assignments, period; the two tracks (the rapporteur's values and
    # progress, the government's submitted ones: 4); the rapporteur's rows with their versions (2); the
    # questionnaire's responses (6)
    with django_assert_num_queries(18):
        assert staff.get(f"/focal/countries/NL/periods/{world.pk}/review/").status_code == 200


def test_the_api_serves_no_government_figure_before_the_round_is_released(world, tokens, staff_nl):
    response = token_client(tokens.partner).get("/api/v1/self-reported-values/")
    assert response.status_code == 200 and "GOV-" not in response.content.decode()
    # The secretariat reads its country's submitted figures at once.
    own = signed_in(staff_nl).get("/api/v1/self-reported-values/").content.decode()
    assert "GOV-NL-MARK" in own and "GOV-BE-MARK" not in own
