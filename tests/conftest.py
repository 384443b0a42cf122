"""Shared fixtures: the real PostgreSQL and Redis, one seeded database per test session, named personas.

The suite refuses to run on anything but PostgreSQL and Redis (a suite that quietly skipped the
service tests would be worse than none): ``make test`` starts with both configured.
"""

from __future__ import annotations

import email
import email.policy
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse, urlunparse

import hypothesis
import pytest
from aiosmtpd.controller import Controller
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.db import connection, connections
from django.test import override_settings

from alliance_monitor.celery import app as celery_app
from commitments.access import Role
from commitments.models import Country, CountryAssignment, Indicator, ReportingPeriod
from tests.factories import UserFactory

# Fixtures of the API tests (the world in every workflow state, partner tokens, clients).
pytest_plugins = ["tests.commitments.api_fixtures"]

# Property-based tests draw the same examples on every run, so a CI result can be reproduced;
# HYPOTHESIS_PROFILE=explore draws new ones (run it now and then to look further).
hypothesis.settings.register_profile("ci", derandomize=True, database=None)
hypothesis.settings.register_profile("explore", derandomize=False)
hypothesis.settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

START_POSTGRES = "pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start"
START_REDIS = "redis-server --daemonize yes --port 6379 --save '' --appendonly no"


def _answers(url: str, default_port: int) -> bool:
    parsed = urlparse(url)
    try:
        with socket.create_connection(
            (parsed.hostname or "127.0.0.1", parsed.port or default_port), timeout=2
        ):
            return True
    except OSError:
        return False


def pytest_configure(config: pytest.Config) -> None:
    engine = settings.DATABASES["default"]["ENGINE"]
    if engine != "django.db.backends.postgresql":
        raise pytest.UsageError(
            "The tests run on PostgreSQL: set "
            "DATABASE_URL=postgres://postgres@127.0.0.1:5432/alliance_monitor (make test does this for you)."
        )
    database_url = os.environ.get("DATABASE_URL", "")
    if not _answers(database_url, 5432):
        raise pytest.UsageError(f"PostgreSQL does not answer at {database_url}. Start it: {START_POSTGRES}")
    if not settings.REDIS_URL:
        raise pytest.UsageError(
            "The tests need Redis: set REDIS_URL=redis://127.0.0.1:6379/15 (make test does)."
        )
    if not _answers(settings.REDIS_URL, 6379):
        raise pytest.UsageError(f"Redis does not answer at {settings.REDIS_URL}. Start it: {START_REDIS}")
    # Tests sign in often; the production hasher's deliberate slowness would only slow them down.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Create the test database once and load the alliance's reference data into it, once."""
    with django_db_blocker.unblock():
        call_command("seed_alliance", verbosity=0)
        # Transactional tests (browser, worker) flush the database; serialized rollback restores this state.
        for connection in connections.all():
            connection._test_serialized_contents = connection.creation.serialize_db_to_string()


@pytest.fixture(autouse=True)
def closed_breakers():
    """Every test starts with Redis and the broker presumed reachable (alliance_monitor/breaker.py):
    an outage one test made must not make the next one skip the cache."""
    from alliance_monitor.breaker import broker_breaker, cache_breaker
    from reporting import handover

    cache_breaker.reset()
    broker_breaker.reset()
    yield
    handover.stop()  # a hand-over thread a test started ends with it
    cache_breaker.reset()
    broker_breaker.reset()


@pytest.fixture(autouse=True)
def default_language():
    """Each test starts in the default language: a view that switches its thread's language for its
    answer (the public site's /public/nl/ pages) must not make the next test's messages Dutch."""
    from django.utils import translation

    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def new_data_generation():
    """Each test's database is rolled back to the same state while Redis keeps what earlier tests stored:
    a fresh data generation, so that no page stored by an earlier test is served (sync/generation.py)."""
    from sync import generation

    generation.bump()


# --- reference data ------------------------------------------------------------------------------------


@pytest.fixture
def nl(db) -> Country:
    return Country.objects.get(code="NL")


@pytest.fixture
def be(db) -> Country:
    return Country.objects.get(code="BE")


@pytest.fixture
def baseline_period(db) -> ReportingPeriod:
    return ReportingPeriod.objects.get(label="2013 baseline")


@pytest.fixture
def progress_period(db) -> ReportingPeriod:
    return ReportingPeriod.objects.get(label="2014 progress")


@pytest.fixture
def indicator(db):
    """Look up a seeded indicator by code: ``indicator("RA-3")``."""
    return lambda code: Indicator.objects.select_related("goal").get(code=code)


# --- personas ------------------------------------------------------------------------------------------


def make_user(username: str, role: Role | None, countries: list[Country] = ()) -> object:
    user = UserFactory(username=username)
    if role is not None:
        user.groups.add(Group.objects.get(name=str(role)))
    for country in countries:
        CountryAssignment.objects.create(user=user, country=country)
    return user


@pytest.fixture
def staff_nl(nl):
    """Staff assigned to the Netherlands only."""
    return make_user("anna-nl", Role.STAFF, [nl])


@pytest.fixture
def staff_be(be):
    """Staff assigned to Belgium only."""
    return make_user("bart-be", Role.STAFF, [be])


@pytest.fixture
def reviewer(db):
    return make_user("rita-reviewer", Role.REVIEWER)


@pytest.fixture
def minister(db):
    return make_user("max-minister", Role.MINISTER)


@pytest.fixture
def administrator(db):
    user = make_user("ada-admin", Role.ADMINISTRATOR)
    user.groups.add(Group.objects.get(name=str(Role.REVIEWER)))
    user.is_staff = True
    user.save()
    return user


# --- a real SMTP server ------------------------------------------------------------------------------------


def _wait_for(messages: list, count: int, timeout: float) -> list:
    deadline = time.monotonic() + timeout
    while len(messages) < count and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(messages) >= count, f"{len(messages)} emails, not {count}, in {timeout} s"
    return messages


@dataclass
class Envelopes:
    """The same mail as aiosmtpd envelopes (sender, recipients, raw content), for tests of the envelope."""

    messages: list = field(default_factory=list)

    def wait_for(self, count: int, timeout: float = 30) -> list:
        return _wait_for(self.messages, count, timeout)


@dataclass
class SmtpServer:
    """The suite's mail server (aiosmtpd on a free port): where it listens and what it received, parsed
    (``messages``) and as envelopes (``handler.messages``)."""

    host: str
    port: int
    messages: list = field(default_factory=list)  # email.message.EmailMessage, parsed
    handler: Envelopes = field(default_factory=Envelopes)

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        self.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
        self.handler.messages.append(envelope)
        return "250 Message accepted"

    def wait_for(self, count: int, timeout: float = 30) -> list:
        return _wait_for(self.messages, count, timeout)


@pytest.fixture(scope="session")
def smtp_server():
    """A real SMTP server for the session; ``mailbox`` points Django's mail at it for one test."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = SmtpServer(host="127.0.0.1", port=port)
    controller = Controller(server, hostname=server.host, port=server.port)
    controller.start()
    yield server
    controller.stop()


@pytest.fixture
def mailbox(smtp_server):
    """Django's mail goes to the suite's SMTP server (over SMTP, as in production); starts empty."""
    smtp_server.messages.clear()
    mailer = {
        "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "OPTIONS": {"host": smtp_server.host, "port": smtp_server.port, "timeout": 10},
    }
    with override_settings(MAILERS={"default": mailer}):
        yield smtp_server


def make_focal_point(username: str, country: Country):
    """A focal point of one country (the role and the link to the country)."""
    from focal.services import focal_point_add

    user = UserFactory(username=username)
    focal_point_add(user=user, country=country)
    return user


@pytest.fixture
def focal_nl(nl):
    return make_focal_point("femke-focal-nl", nl)


@pytest.fixture
def focal_be(be):
    return make_focal_point("bram-focal-be", be)


# --- the report worker: one for the whole session, whichever folder's tests ask for it first --------------
# (Defined here, once: a session fixture imported into a test module becomes a second fixture, and a
# second worker with its own MEDIA_ROOT would take the first one's tasks.)

WORKER_START_TIMEOUT = 60
BASE_DIR = Path(settings.BASE_DIR)


@pytest.fixture(scope="session")
def report_media(tmp_path_factory):
    """Where reports are written, shared by the tests and the worker (MEDIA_ROOT for both)."""
    root = tmp_path_factory.mktemp("report-media")
    with override_settings(MEDIA_ROOT=str(root)):
        yield root


@dataclass
class Worker:
    process: subprocess.Popen
    log: Path
    env: dict

    def start(self) -> None:
        """Start a (new) worker process, and wait until it is ready."""
        with self.log.open("ab") as output:
            offset = output.tell()
            self.process = subprocess.Popen(
                _worker_command(),
                cwd=BASE_DIR,
                env=self.env,
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: stopped as a whole, never our signals
            )
        deadline = time.monotonic() + WORKER_START_TIMEOUT
        while " ready." not in self.log_text()[offset:]:
            if self.process.poll() is not None or time.monotonic() > deadline:
                os.killpg(self.process.pid, signal.SIGKILL)
                pytest.fail(f"The Celery worker did not start:\n{self.log_text()[-4000:]}")
            time.sleep(0.2)

    def kill(self) -> None:
        """SIGKILL the whole worker, its main process and its pool: nothing gets to clean up."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()

    def children(self) -> list[int]:
        """The pool's processes (the worker's children), from /proc."""
        pids = []
        for status in Path("/proc").glob("[0-9]*/status"):
            try:
                lines = dict(
                    line.split(":\t", 1) for line in status.read_text().splitlines() if ":\t" in line
                )
            except OSError:
                continue
            if lines.get("PPid", "").strip() == str(self.process.pid):
                pids.append(int(status.parent.name))
        return sorted(pids)

    def log_text(self) -> str:
        return self.log.read_text(errors="replace")


def _worker_command() -> list[str]:
    return [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "alliance_monitor",
        "worker",
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
        f"reports-test-{os.getpid()}@%h",
    ]


def _test_database_url() -> str:
    parsed = urlparse(os.environ["DATABASE_URL"])
    return urlunparse(parsed._replace(path="/" + connection.settings_dict["NAME"]))


@pytest.fixture(scope="session")
def celery_worker(django_db_setup, django_db_blocker, report_media, tmp_path_factory):
    """A real Celery worker (prefork, 2 processes) on the test database and the tests' Redis."""
    log = tmp_path_factory.mktemp("worker") / "worker.log"
    celery_app.control.purge()  # messages a crashed earlier run may have left
    env = {
        **os.environ,
        "DATABASE_URL": _test_database_url(),
        "REDIS_URL": settings.REDIS_URL,
        "MEDIA_ROOT": str(report_media),
        "DEBUG": "true",
        "PYTHONUNBUFFERED": "1",
    }
    log.write_bytes(b"")
    worker = Worker(None, log, env)
    worker.start()
    yield worker
    os.killpg(worker.process.pid, signal.SIGTERM)
    try:
        worker.process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(worker.process.pid, signal.SIGKILL)
        worker.process.wait()
    celery_app.control.purge()
