"""The request budget is counted atomically: under parallel requests exactly the budget gets through.

A real server (gunicorn, several processes and threads) and a real Redis: the old read-modify-write
throttle let more requests through than the budget when they arrived together.
"""

from __future__ import annotations

from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.core.cache import cache

from commitments.api.throttling import count_request

from .live import get, gunicorn

BUDGET = 60
SENT = 150


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_parallel_requests_get_exactly_the_budget_through(tokens):
    cache.delete_many([f"budget_partner_{token_id}" for token_id in tokens.ids.values()])
    headers = {"Authorization": f"Bearer {tokens.partner}"}
    with gunicorn(workers=3, threads=8, API_PARTNER_RATE=f"{BUDGET}/hour", API_CACHE_SECONDS="0") as url:
        with ThreadPoolExecutor(max_workers=24) as pool:
            answers = list(pool.map(lambda _: get(f"{url}/api/v1/goals/", headers), range(SENT)))
    codes = Counter(status for status, _headers, _body in answers)
    assert codes == {200: BUDGET, 429: SENT - BUDGET}
    refused = [headers for status, headers, _body in answers if status == 429]
    assert all(0 < int(headers["Retry-After"]) <= 3600 for headers in refused)
    cache.delete_many([f"budget_partner_{token_id}" for token_id in tokens.ids.values()])


def test_one_counter_counts_every_parallel_call_once():
    key = "throttle_test_counter"
    cache.delete(key)
    with ThreadPoolExecutor(max_workers=16) as pool:
        counts = list(pool.map(lambda _: count_request(key, 60), range(200)))
    cache.delete(key)
    assert sorted(count for count, _left in counts) == list(range(1, 201))
    assert all(0 < left <= 60 for _count, left in counts)
