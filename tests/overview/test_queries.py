"""Query counts of the ministers' view, pinned, and the same when countries and periods double.

Every page reads the round and the approved data in a fixed number of queries (the report's
``report_data``), whatever the number of countries, indicators or periods.
"""

from __future__ import annotations

import pytest
from django.test import Client

from tests.overview.world import grow

pytestmark = pytest.mark.django_db

# Each page: the session and the user (2), the user's roles (1), the rounds the user may see (1), then
# report_data: round with its periods, goals, countries, values, indicators, commitments, progress,
# recommendations with responses, consistency rules, findings and four max(updated_at) (14; the
# follow-ups of no recommendation are not asked for). Under the test's transaction report_data's
# snapshot adds no query of its own.
OVERVIEW = 2 + 1 + 1 + 14
# The country page also reads the country (1), the periods up to the round (1) and its values (1).
COUNTRY = OVERVIEW + 3
PAGES = {
    "/overview/": OVERVIEW,
    "/overview/map/?goal=VICTIM_ID": OVERVIEW,
    "/overview/goals/VICTIM_ID/": OVERVIEW,
    "/overview/countries/NL/": COUNTRY,
}


@pytest.mark.parametrize("url", PAGES)
def test_queries_are_pinned_and_do_not_grow_with_the_data(url, released, minister, django_assert_num_queries):
    client = Client()
    client.force_login(minister)
    with django_assert_num_queries(PAGES[url]):
        assert client.get(url).status_code == 200
    grow(countries=12, periods=3)  # twice the countries with data and twice the periods, and more
    with django_assert_num_queries(PAGES[url]):
        assert client.get(url).status_code == 200


def test_staff_read_the_same_number_of_queries(released, staff_nl, django_assert_num_queries):
    client = Client()
    client.force_login(staff_nl)
    # Staff may also see unreleased rounds: still one query for the rounds, whatever the role.
    with django_assert_num_queries(OVERVIEW):
        assert client.get("/overview/").status_code == 200
