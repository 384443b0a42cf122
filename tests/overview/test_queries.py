"""Query counts of the ministers' view, pinned, and the same when countries and periods double.

Every page reads the round and the approved data in a fixed number of queries (the report's
``report_data``), whatever the number of countries, indicators or periods.
"""

from __future__ import annotations

import pytest
from django.test import Client

from tests.overview.world import grow

pytestmark = pytest.mark.django_db

# A first request (nothing cached): the session and the user (2), the user's roles (1), the rounds the
# user may see (1), the data version (1), then report_data: round with its periods, goals, countries,
# values, indicators, commitments, progress, recommendations with responses, consistency rules, findings
# and four max(updated_at) (14; the follow-ups of no recommendation are not asked for). Under the test's
# transaction report_data's snapshot adds no query of its own.
COLD = 2 + 1 + 1 + 1 + 14
# Any later request of the same data: the figures come from the cache, keyed on the data version.
WARM = 2 + 1 + 1 + 1
# The country page also reads the country (1), and the first time the periods up to the round (1) and
# its values (1); later its trends come from the cache too.
PAGES = {
    "/overview/": (COLD, WARM),
    "/overview/map/?goal=VICTIM_ID": (COLD, WARM),
    "/overview/goals/VICTIM_ID/": (COLD, WARM),
    "/overview/countries/NL/": (COLD + 3, WARM + 1),
}


@pytest.mark.parametrize("url", PAGES)
def test_queries_are_pinned_and_do_not_grow_with_the_data(url, released, minister, django_assert_num_queries):
    client = Client()
    client.force_login(minister)
    cold, warm = PAGES[url]
    with django_assert_num_queries(cold):
        assert client.get(url).status_code == 200
    with django_assert_num_queries(warm):
        assert client.get(url).status_code == 200
    grow(countries=12, periods=3)  # twice the countries with data and twice the periods, and more
    with django_assert_num_queries(cold):  # new data, a new version: computed again
        assert client.get(url).status_code == 200
    with django_assert_num_queries(warm):
        assert client.get(url).status_code == 200


def test_a_change_of_approved_data_is_seen_at_once(released, minister):
    from commitments.models import Country, Indicator, IndicatorValue

    client = Client()
    client.force_login(minister)
    assert 'aria-label="Austria: cannot be compared"' in client.get("/overview/map/").content.decode()
    value = IndicatorValue(
        country=Country.objects.get(code="AT"),
        indicator=Indicator.objects.get(code="VI-2"),
        period=released.baseline_period,
        number_value=50,
        status="approved",
        approved_at=released.released_at,
    )
    value.save()  # saved as the services save: the change feed's outbox moves the data version
    assert 'aria-label="Austria: improved"' in client.get("/overview/map/").content.decode()


def test_staff_read_the_same_number_of_queries(released, staff_nl, django_assert_num_queries):
    client = Client()
    client.force_login(staff_nl)
    # Staff may also see unreleased rounds: still one query for the rounds, whatever the role.
    with django_assert_num_queries(COLD):
        assert client.get("/overview/").status_code == 200
