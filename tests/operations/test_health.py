"""Health an orchestrator can use: /healthz (alive, cheap) and /readyz (every dependency, with its state).

Readiness is checked against real processes: a private redis-server, a Celery worker and Celery beat on
it (heartbeats every second), stopped and started again.
"""

from __future__ import annotations

import json
import signal
import socket
import sys
from datetime import timedelta

import pytest
from django.conf import settings
from django.test import Client, override_settings
from django.utils import timezone

from reporting.models import Report
from tests.reporting.test_tasks import broker_at

from .conftest import Process, app_env, wait_until

pytestmark = [pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def celery(command: str, redis_url: str, log, *extra: str) -> Process:
    return Process(
        [sys.executable, "-m", "celery", "-A", "alliance_monitor", command, "-l", "INFO", *extra],
        app_env(redis_url, HEARTBEAT_SECONDS="1"),
        log,
    )


def readiness() -> tuple[int, dict]:
    response = Client().get("/readyz")
    return response.status_code, json.loads(response.content)


def test_liveness_is_cheap(django_assert_num_queries):
    with django_assert_num_queries(0):
        response = Client().get("/healthz")
    assert response.status_code == 200 and response.content == b"ok"


def test_readiness_follows_redis_and_beat_as_they_stop_and_return(redis_server, tmp_path):
    url = redis_server.url
    worker = celery(
        "worker", url, tmp_path / "worker.log", "-P", "solo", "--without-gossip", "--without-mingle",
        "-n", f"ready-test-{tmp_path.name}@%h",
    ).start()
    beat = celery("beat", url, tmp_path / "beat.log", "--schedule", str(tmp_path / "beat-schedule"))
    beat.start()
    caches = {"default": {**settings.CACHES["default"], "LOCATION": url}}
    try:
        with override_settings(REDIS_URL=url, CACHES=caches, HEARTBEAT_SECONDS=1), broker_at(url):

            def ready() -> dict | None:
                """readiness says ready"""
                status, body = readiness()
                return body if status == 200 else None

            def unready(because: str):
                def check() -> dict | None:
                    status, body = readiness()
                    return body if status == 503 and because in body["failing"] else None

                check.__doc__ = f"readiness says unready because of {because}"
                return check

            body = wait_until(ready, timeout=60)
            states = {name: check["state"] for name, check in body["checks"].items()}
            assert set(states.values()) == {"ok"} and len(states) == 6, states
            worker_name = f"ready-test-{tmp_path.name}@{socket.gethostname()}"
            assert body["checks"]["workers"]["alive"] == [worker_name]
            assert body["checks"]["broker"]["messages"] == 0

            beat.stop(signal.SIGKILL)  # beat dies
            body = wait_until(unready("beat"), timeout=15)
            assert body["failing"] == ["beat"] and body["checks"]["beat"]["state"] == "stale"
            assert body["checks"]["workers"]["state"] == "ok"

            beat.start()  # and comes back
            wait_until(ready, timeout=30)

            redis_server.kill()  # Redis dies
            body = wait_until(unready("redis"), timeout=15)
            assert body["checks"]["redis"]["state"] == "down" and body["checks"]["broker"]["state"] == "down"
            assert body["checks"]["database"]["state"] == "ok"

            redis_server.start()  # and comes back (empty: the heartbeats are written anew)
            body = wait_until(ready, timeout=60)
            assert body["checks"]["beat"]["last_heartbeat_seconds_ago"] < 3
    finally:
        beat.stop()
        worker.stop()
    assert "Traceback" not in worker.text().split(" ready.", 1)[0]


def test_a_report_waiting_too_long_is_shown_and_can_make_readiness_fail(reviewer, evaluation_round, nl):
    report = Report.objects.create(
        kind=Report.Kind.COUNTRY, evaluation_round=evaluation_round, country=nl, status=Report.Status.QUEUED
    )
    Report.objects.filter(pk=report.pk).update(requested_at=timezone.now() - timedelta(minutes=10))
    with override_settings(READY_REQUIRES=["database", "reports"], READY_REPORT_WAIT_SECONDS=300):
        status, body = readiness()
    assert status == 503 and body["failing"] == ["reports"]
    oldest = body["checks"]["reports"]["oldest_queued"]
    assert oldest["id"] == report.pk and 590 < oldest["waiting_seconds"] < 700
    with override_settings(READY_REQUIRES=["database"]):
        assert readiness()[0] == 200  # reported, not required


def test_readiness_costs_three_queries_and_can_be_asked_about_some_checks(django_assert_num_queries):
    # SELECT 1; the oldest queued report; the number of queued reports.
    with django_assert_num_queries(3):
        response = Client().get("/readyz")
    assert set(json.loads(response.content)["checks"]) == {
        "database", "redis", "broker", "workers", "beat", "reports"
    }
    response = Client().get("/readyz?require=database,redis")
    body = json.loads(response.content)
    assert response.status_code == 200 and body["required"] == ["database", "redis"], body
