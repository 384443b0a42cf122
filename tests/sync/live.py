"""The app as production runs it, for tests that probe it from outside: gunicorn on the test database.

The test that uses it must be transactional (``django_db(transaction=True)``): gunicorn's processes read
what the test committed, never what an open test transaction holds.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator

from django.conf import settings


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


@contextlib.contextmanager
def gunicorn(*, workers: int = 2, threads: int = 1, **environment: str) -> Iterator[str]:
    """Serve the app on a free port of 127.0.0.1 and yield its base URL; ``environment`` adds settings."""
    port = free_port()
    database = settings.DATABASES["default"]
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/{database['NAME']}",
        "REDIS_URL": settings.REDIS_URL,
        "SECRET_KEY": settings.SECRET_KEY,  # sessions made by the test must be valid there
        "DEBUG": "true",
        **environment,
    }
    command = [
        sys.executable, "-m", "gunicorn", "alliance_monitor.wsgi",
        "-b", f"127.0.0.1:{port}", "-w", str(workers), "--threads", str(threads),
    ]
    process = subprocess.Popen(
        command, cwd=settings.BASE_DIR, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )

    def serving() -> bool:
        """gunicorn serves"""
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1).read()
            return True
        except OSError:
            return False

    try:
        wait_until(serving, timeout=60)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=30)


def get(url: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    """One GET: status, headers, body (errors included)."""
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def get_json(url: str, headers: dict[str, str] | None = None) -> tuple[int, dict]:
    status, _headers, body = get(url, headers)
    return status, json.loads(body)
