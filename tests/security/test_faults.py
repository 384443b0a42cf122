"""Faults survived: Redis down, PostgreSQL restarted. (A worker killed mid-report, and the sweep that
completes a request made while Redis was down, are in tests/reporting/test_tasks.py.)

Each fault is real: a private redis-server that the test kills, the machine's PostgreSQL restarted.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client, override_settings

from commitments.models import Country, EvaluationRound, ReportingPeriod
from reporting.models import Report
from tests.commitments.api_fixtures import make_tokens, token_client
from tests.reporting.test_tasks import broker_at


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until(check, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.2)
    raise AssertionError(f"{check.__doc__ or check} did not happen within {timeout} s")


@pytest.fixture
def private_redis(tmp_path):
    """A redis-server of this test's own on a free port, so that killing it harms no other test."""
    port = free_port()
    process = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
         "--dir", str(tmp_path)],
        stdout=subprocess.DEVNULL,
    )

    def answers() -> bool:
        """redis answers"""
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return True
        except OSError:
            return False

    wait_until(answers)
    yield process, f"redis://127.0.0.1:{port}/0"
    if process.poll() is None:
        process.kill()
    process.wait()


def redis_cache(url: str) -> dict:
    return {"default": {**settings.CACHES["default"], "LOCATION": url}}


# Transactional: the report request is handed to the broker after commit, as in production.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_pages_and_api_keep_working_while_redis_is_down(private_redis, staff_nl, reviewer):
    process, url = private_redis
    partner = token_client(make_tokens().partner)
    staff = Client()
    staff.force_login(staff_nl)
    reviewer_browser = Client()
    reviewer_browser.force_login(reviewer)
    nl = Country.objects.get(code="NL")
    period = ReportingPeriod.objects.order_by("-starts_on").first()
    pages = ["/", "/countries/NL/", f"/countries/NL/periods/{period.pk}/", "/completeness/"]
    api = ["/api/v1/values/?country=NL", "/api/v1/countries/", "/api/v1/indicators/?format=csv"]

    with override_settings(CACHES=redis_cache(url)), broker_at(url):
        assert partner.get(api[0]).status_code == 200  # the throttle's counters are in this Redis now
        process.send_signal(signal.SIGKILL)
        process.wait()

        for page in pages:
            assert staff.get(page).status_code == 200, page
        for endpoint in api:
            assert partner.get(endpoint).status_code == 200, endpoint
        response = reviewer_browser.post(
            "/reports/request/",
            {"kind": "country", "evaluation_round": EvaluationRound.objects.get().pk, "country": nl.pk,
             "language": "en"},
        )

    assert response.status_code == 302, response.content[:500]
    # The request is kept, queued for the sweep to hand to a worker once Redis answers again
    # (tests/reporting/test_tasks.py::test_the_sweep_recovers_a_request_made_while_redis_was_down).
    assert Report.objects.get().status == Report.Status.QUEUED


def _restart_postgresql() -> None:
    if not shutil.which("pg_ctlcluster"):
        raise AssertionError("pg_ctlcluster is needed to restart PostgreSQL (Debian's postgresql-common)")
    version = sorted(Path("/etc/postgresql").iterdir())[-1].name
    subprocess.run(
        ["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "restart", "-m", "fast"],
        check=True, capture_output=True, timeout=120,
    )

    def ready() -> bool:
        """PostgreSQL accepts connections again"""
        return subprocess.run(["pg_isready", "-h", "127.0.0.1", "-q"], check=False).returncode == 0

    wait_until(ready, timeout=60)


def _get(url: str, session_key: str) -> tuple[int, bytes]:
    request = urllib.request.Request(url, headers={"Cookie": f"{settings.SESSION_COOKIE_NAME}={session_key}"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


@pytest.fixture
def gunicorn_on_test_database():
    """The app as production runs it: gunicorn, persistent database connections, on the test database."""
    port = free_port()
    database = settings.DATABASES["default"]
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/{database['NAME']}",
        "DATABASE_CONN_MAX_AGE": "600",
        "SECRET_KEY": settings.SECRET_KEY,  # the sessions made by this test must be valid there
        "DEBUG": "true",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "alliance_monitor.wsgi", "-b", f"127.0.0.1:{port}", "-w", "1"],
        cwd=settings.BASE_DIR, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )

    def serving() -> bool:
        """gunicorn serves"""
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1).read()
            return True
        except OSError:
            return False

    wait_until(serving)
    yield f"http://127.0.0.1:{port}"
    process.terminate()
    process.wait(timeout=30)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_app_recovers_from_a_postgresql_restart_without_restarting(gunicorn_on_test_database, staff_nl):
    assert os.geteuid() == 0, "restarting PostgreSQL needs root (as in CI)"
    browser = Client()
    browser.force_login(staff_nl)
    session_key = browser.cookies[settings.SESSION_COOKIE_NAME].value
    page = f"{gunicorn_on_test_database}/countries/NL/"
    assert _get(page, session_key)[0] == 200  # gunicorn now holds a connection it means to keep

    _restart_postgresql()

    # That connection died with PostgreSQL. The next request finds it unusable (CONN_HEALTH_CHECKS), opens
    # a new one and answers: the app recovers without being restarted.
    status, body = _get(page, session_key)
    assert status == 200
    assert b"Netherlands" in body
    connection.close()  # this test process's own connection died too; the teardown needs a new one
