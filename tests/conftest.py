"""Shared fixtures: the real PostgreSQL and Redis, one seeded database per test session, named personas.

The suite refuses to run on anything but PostgreSQL and Redis (a suite that quietly skipped the
service tests would be worse than none): ``make test`` starts with both configured.
"""

from __future__ import annotations

import os
import socket
from urllib.parse import urlparse

import hypothesis
import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.db import connections

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


# --- a real mail server ---------------------------------------------------------------------------------


class Mailbox:
    """What the test SMTP server received: aiosmtpd envelopes, each a whole message."""

    def __init__(self) -> None:
        self.messages: list = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        self.messages.append(envelope)
        return "250 Message accepted"

    def wait_for(self, count: int, timeout: float = 30) -> list:
        import time

        deadline = time.monotonic() + timeout
        while len(self.messages) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(self.messages) >= count, f"{len(self.messages)} emails, not {count}, in {timeout} s"
        return self.messages


@pytest.fixture(scope="session")
def smtp_server():
    """An SMTP server (aiosmtpd) on 127.0.0.1 for the whole session; ``.handler`` is its Mailbox."""
    from aiosmtpd.controller import Controller

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    controller = Controller(Mailbox(), hostname="127.0.0.1", port=port)
    controller.start()
    yield controller
    controller.stop()
