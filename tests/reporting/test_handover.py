"""Fast failure while Redis or the broker is away, and report requests handed over when it returns.

With the real Celery worker of these tests (on the tests' Redis) and a broker address where nothing
answers: a report requested meanwhile is stored, the browser is not kept waiting, and once the broker
answers again the request reaches a worker and the report becomes ready, without anyone running the
sweep and without beat.
"""

from __future__ import annotations

import time

import pytest
from django.conf import settings
from django.test import Client, override_settings

from alliance_monitor.breaker import broker_breaker, cache_breaker
from reporting.models import Report

from .conftest import give, wait_for
from .test_tasks import broker_at, closed_port

pytestmark = [pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.mark.worker
@override_settings(BREAKER_RESET_SECONDS=1)
def test_a_report_requested_while_the_broker_is_away_is_handed_over_when_it_returns(
    celery_worker, reviewer, evaluation_round, nl, baseline_period, progress_period
):
    give(nl, "VI-2", baseline_period, 568)
    give(nl, "VI-2", progress_period, 612)
    browser = Client()
    browser.force_login(reviewer)
    form = {"kind": "country", "evaluation_round": evaluation_round.pk, "country": nl.pk, "language": "en"}

    with broker_at(f"redis://127.0.0.1:{closed_port()}/{settings.REDIS_URL.rsplit('/', 1)[-1]}"):
        first = browser.post("/reports/request/", form)
        assert broker_breaker.is_open
        started = time.monotonic()
        second = browser.post("/reports/request/", form)  # the breaker is open: not even tried
        skipped_in = time.monotonic() - started
        assert first.status_code == second.status_code == 302
        reports = list(Report.objects.order_by("pk"))
        assert [r.status for r in reports] == [Report.Status.QUEUED] * 2
        assert all(r.enqueued_at is None for r in reports)  # marked "not handed over" for any process
        time.sleep(1.5)  # the hand-over thread tries again meanwhile, and fails: still down
        assert all(r.attempts == 0 for r in Report.objects.all())
    assert skipped_in < 1.0

    # The broker is back. Nobody runs the sweep; the hand-over thread notices within a second or two.
    for report in reports:
        report = wait_for(report, timeout=90)
        assert report.status == Report.Status.READY, report.error
        assert report.attempts == 1  # handed over once, built once
    assert not broker_breaker.is_open


@override_settings(BREAKER_RESET_SECONDS=30)
def test_while_its_breaker_is_open_the_cache_lives_in_the_process_and_redis_is_not_tried(reviewer):
    from django.core.cache import cache

    cache.set("probe", "in Redis")
    cache_breaker.failure("ConnectionError: pretend Redis went away")
    started = time.monotonic()
    assert all(cache.get("probe") is None for _ in range(1000))  # not tried: the process's memory is empty
    assert time.monotonic() - started < 1.0
    cache.set("page", "rendered meanwhile")
    assert cache.get("page") == "rendered meanwhile"  # kept in the process while Redis is away
    assert cache.add("hits", 1) and cache.incr("hits") == 2  # the throttle keeps counting, per process
    cache_breaker.success()  # Redis answers again: its data counts, the process's memory is emptied
    assert cache.get("probe") == "in Redis"
    assert cache.get("page") is None
    cache.delete("probe")
