"""Fixtures of the operations tests: real processes (a private redis-server, gunicorn, a Celery worker and
beat) that a test may stop and start again, on the test database.
"""

from __future__ import annotations

import os
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

# A data fixture of the report tests. (Not their session-wide Celery worker: a second one would take
# the report tests' tasks; tests that need the worker live in tests/reporting/.)
from tests.reporting.conftest import evaluation_round  # noqa: F401

BASE_DIR = Path(settings.BASE_DIR)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until(check, timeout: float = 30.0, interval: float = 0.2):
    """Call check() until it returns something true; return that, or fail after timeout seconds."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"{check.__doc__ or check} did not happen within {timeout} s")
        time.sleep(interval)


def _answers(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
        return True
    except OSError:
        return False


class RedisServer:
    """A redis-server of the test's own, on a fixed free port, that can be killed and started again."""

    def __init__(self, directory: Path) -> None:
        self.port = free_port()
        self.directory = directory
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly",
             "no", "--dir", str(self.directory)],
            stdout=subprocess.DEVNULL,
        )
        wait_until(lambda: _answers(self.port), timeout=15)

    def kill(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        wait_until(lambda: not _answers(self.port), timeout=10)


@pytest.fixture
def redis_server(tmp_path):
    server = RedisServer(tmp_path)
    server.start()
    yield server
    server.kill()


def test_database_url() -> str:
    database = settings.DATABASES["default"]
    return f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/{connection.settings_dict['NAME']}"


test_database_url.__test__ = False  # a helper, not a test


class Process:
    """A subprocess of the app (gunicorn, celery) with its output in a file."""

    def __init__(self, command: list[str], env: dict[str, str], log: Path) -> None:
        self.command, self.env, self.log = command, env, log
        self.process: subprocess.Popen | None = None

    def start(self) -> Process:
        with self.log.open("ab") as output:
            self.process = subprocess.Popen(
                self.command, cwd=BASE_DIR, env=self.env, stdout=output, stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        return self

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 30) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, sig)
        try:
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()

    def text(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""


def app_env(redis_url: str, **extra: str) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": test_database_url(),
        "REDIS_URL": redis_url,
        "SECRET_KEY": settings.SECRET_KEY,
        "DEBUG": "true",
        "PYTHONUNBUFFERED": "1",
        **extra,
    }


def start_gunicorn(env: dict[str, str], log: Path, *, workers: int = 1) -> tuple[Process, str]:
    port = free_port()
    process = Process(
        [sys.executable, "-m", "gunicorn", "alliance_monitor.wsgi", "-b", f"127.0.0.1:{port}", "-w",
         str(workers)],
        env, log,
    ).start()
    base = f"http://127.0.0.1:{port}"

    def serving() -> bool:
        """gunicorn serves"""
        try:
            urllib.request.urlopen(f"{base}/healthz", timeout=1).read()
            return True
        except OSError:
            return False

    wait_until(serving, timeout=60)
    return process, base


def get(url: str, headers: dict[str, str] | None = None, timeout: float = 30) -> tuple[int, bytes, dict]:
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.read(), dict(response.headers)
    except urllib.error.HTTPError as error:
        return error.code, error.read(), dict(error.headers)
