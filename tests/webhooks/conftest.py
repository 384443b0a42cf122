"""Fixtures of the webhook tests: a real receiver, a real SMTP server and a real Celery worker.

- ``receiver``: an HTTP server on 127.0.0.1 that verifies every request with the ``standardwebhooks``
  package (as a partner would) and answers with the statuses a test gives it.
- ``smtp``: an aiosmtpd server on 127.0.0.1 that keeps the messages it is sent.
- ``webhook_worker``: ``celery worker -Q webhooks`` on the test database and the tests' Redis, with fast
  retries, a low switch-off limit, private addresses allowed (the receiver is on 127.0.0.1) and the
  SMTP server as its mail server. Tests that use it are transactional, so that it sees their rows.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlparse, urlunparse

import pytest
from aiosmtpd.controller import Controller
from django.conf import settings
from django.db import connection
from django.test import override_settings
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from alliance_monitor.celery import app as celery_app

BASE_DIR = Path(settings.BASE_DIR)
# The worker's webhook settings (and the tests' own, so that both sides agree).
WORKER_SETTINGS = {
    "WEBHOOK_ALLOW_PRIVATE_ADDRESSES": True,
    "WEBHOOK_RETRY_BASE_SECONDS": 0.5,
    "WEBHOOK_RETRY_MAX_SECONDS": 2.0,
    "WEBHOOK_MAX_ATTEMPTS": 3,
    "WEBHOOK_DISABLE_AFTER": 3,
    "WEBHOOK_TIMEOUT_SECONDS": 5.0,
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# --- the partner's receiver ----------------------------------------------------------------------------


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes
    verified_with: list[str]  # the secrets whose signature matched
    payload: dict | None


@dataclass
class Receiver:
    """What the receiver was sent, and what it answers next (then 200 for ever)."""

    url: str
    secrets: list[str] = field(default_factory=list)
    answers: list[int] = field(default_factory=list)
    received: list[Received] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def wait_for(self, count: int, timeout: float = 30) -> list[Received]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                if len(self.received) >= count:
                    return list(self.received)
            time.sleep(0.05)
        raise AssertionError(f"The receiver got {len(self.received)} requests, not {count}, in {timeout} s")


@pytest.fixture
def receiver():
    state = Receiver(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - http.server's name
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            headers = {name.lower(): value for name, value in self.headers.items()}
            verified, payload = [], None
            for secret in state.secrets:
                try:
                    payload = Webhook(secret).verify(body, headers)
                    verified.append(secret)
                except WebhookVerificationError:
                    pass
            with state.lock:
                state.received.append(Received(headers, body, verified, payload))
                status = state.answers.pop(0) if state.answers else 200
            answer = json.dumps({"received": headers.get("webhook-id")}).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{server.server_address[1]}/hooks/alliance"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield state
    server.shutdown()
    server.server_close()


# --- the mail server -----------------------------------------------------------------------------------


class Mailbox:
    def __init__(self) -> None:
        self.messages: list = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        self.messages.append(envelope)
        return "250 Message accepted"

    def wait_for(self, count: int, timeout: float = 30) -> list:
        deadline = time.monotonic() + timeout
        while len(self.messages) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(self.messages) >= count, f"{len(self.messages)} emails, not {count}, in {timeout} s"
        return self.messages


@pytest.fixture(scope="session")
def smtp_server():
    mailbox = Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller
    controller.stop()


@pytest.fixture
def smtp(smtp_server):
    smtp_server.handler.messages.clear()
    mailer = {
        "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "OPTIONS": {"host": "127.0.0.1", "port": smtp_server.port, "timeout": 10},
    }
    with override_settings(MAILERS={"default": mailer}):
        yield smtp_server.handler


# --- the worker ----------------------------------------------------------------------------------------


def _test_database_url() -> str:
    parsed = urlparse(os.environ["DATABASE_URL"])
    return urlunparse(parsed._replace(path="/" + connection.settings_dict["NAME"]))


def _purge_webhook_queue() -> None:
    with celery_app.connection_for_write() as conn:
        conn.default_channel.queue_purge("webhooks")


@pytest.fixture(scope="session")
def webhook_worker(django_db_setup, django_db_blocker, smtp_server, tmp_path_factory):
    """``celery worker -Q webhooks`` (prefork, 2 processes) on the test database and Redis."""
    log = tmp_path_factory.mktemp("webhook-worker") / "worker.log"
    _purge_webhook_queue()
    env = {
        **os.environ,
        "DATABASE_URL": _test_database_url(),
        "REDIS_URL": settings.REDIS_URL,
        "DEBUG": "true",
        "PYTHONUNBUFFERED": "1",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(smtp_server.port),
        **{
            name: str(value).lower() if isinstance(value, bool) else str(value)
            for name, value in WORKER_SETTINGS.items()
        },
    }
    with log.open("wb") as output:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "alliance_monitor",
                "worker",
                "-Q",
                "webhooks",
                "-P",
                "prefork",
                "-c",
                "2",
                "-l",
                "INFO",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "-n",
                f"webhooks-test-{os.getpid()}@%h",
            ],  # fmt: skip
            cwd=BASE_DIR,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    deadline = time.monotonic() + 60
    while " ready." not in log.read_text(errors="replace"):
        if process.poll() is not None or time.monotonic() > deadline:
            os.killpg(process.pid, signal.SIGKILL)
            pytest.fail(f"The webhook worker did not start:\n{log.read_text(errors='replace')[-4000:]}")
        time.sleep(0.2)
    yield log
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    _purge_webhook_queue()


@pytest.fixture
def worker_settings():
    with override_settings(**WORKER_SETTINGS):
        yield
