"""The schema and a running server agree: the schemathesis command line, with every check, finds nothing.

This is the outside view of tests/commitments/test_api_schema.py: gunicorn serves the app on the test
database (DEBUG on, as in development: errors under /api/ must still be JSON), and schemathesis is run as
a partner would run it, as a separate program, with ``--checks all`` (including the negative checks: a
request the schema forbids must be refused, one it allows must be accepted) and a real partner token,
then with a reviewer's session (who may write). The examples are bounded and the seed fixed, so the run
is repeatable and takes a minute or two.
"""

from __future__ import annotations

import subprocess
import sys

import pytest
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.test import Client

from alliance_monitor import auth
from commitments.access import Role
from tests.commitments.api_fixtures import quick_user

from .live import get, gunicorn

EXAMPLES = "8"
SEED = "20261129"
CSRF = "b" * 32


def schemathesis(
    base_url: str, *headers: str, workdir, config: str | None = None, extra: tuple[str, ...] = ()
) -> subprocess.CompletedProcess:
    """The command line, run in ``workdir`` (its cache of findings goes there, not into the checkout)."""
    command = [sys.executable, "-m", "schemathesis.cli"]
    if config:
        command += ["--config-file", config]
    command += [
        "run",
        f"{base_url}/api/schema/?format=json",
        "--checks",
        "all",
        "--max-examples",
        EXAMPLES,
        "--seed",
        SEED,
        "--generation-deterministic",
        "--request-timeout",
        "30",
        "--no-color",
        *extra,
    ]
    for header in headers:
        command += ["--header", header]
    return subprocess.run(command, capture_output=True, text=True, timeout=600, cwd=workdir)


@pytest.fixture
def government(world):
    """Government-reported figures (the focal app's track) for /api/v1/self-reported-values/: submitted
    ones in both periods of the round, which is released (partners read them), and a draft (no one does).
    A yes/no and a text value too, so that every column of the answer is filled somewhere."""
    from decimal import Decimal

    from django.utils import timezone

    from commitments.models import Country, EvaluationRound, Indicator
    from focal.models import SelfReportValue, SelfStatus

    evaluation_round = EvaluationRound.objects.get(label="2012–2014")
    EvaluationRound.objects.filter(pk=evaluation_round.pk).update(
        baseline_period=world.baseline,
        evaluation_period=world.progress,
        released_at=timezone.now() - timezone.timedelta(days=1),
    )
    submitted = {"status": SelfStatus.SUBMITTED, "submitted_at": timezone.now()}
    for code in ("NL", "BE"):
        country = Country.objects.get(code=code)
        for period, number in ((world.baseline, 41), (world.progress, 44)):
            SelfReportValue.objects.create(
                country=country,
                period=period,
                indicator=Indicator.objects.get(code="VI-2"),
                number_value=Decimal(number),
                note="Synthetic: as the ministry counts.",
                **submitted,
            )
        SelfReportValue.objects.create(
            country=country,
            period=world.progress,
            indicator=Indicator.objects.get(code="VI-1"),
            boolean_value=True,
            **submitted,
        )
        SelfReportValue.objects.create(
            country=country,
            period=world.progress,
            indicator=Indicator.objects.get(code="VI-4"),
            boolean_value=False,
            status=SelfStatus.DRAFT,
        )
    return world


@pytest.fixture
def server(world, government):
    # Budgets far above the run's requests: the throttle has its own test.
    with gunicorn(API_PARTNER_RATE="1000000/hour", API_USER_RATE="1000000/hour") as url:
        yield url
    # The run spent hundreds of requests of token 1's and the users' budgets (Redis keeps them for the
    # hour, keyed by id): tests after it, at the ordinary rate, would meet 429 with the ids reused.
    from django.core.cache import cache

    cache.delete_pattern("budget_*")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_schemathesis_finds_nothing_as_a_partner(server, tokens, tmp_path):
    bearer = f"Authorization: Bearer {tokens.partner}"
    assert get(f"{server}/api/v1/values/", {"Authorization": f"Bearer {tokens.partner}"})[0] == 200
    # The government's track has rows to serve (the released round's submitted figures, no draft).
    code, _headers, body = get(
        f"{server}/api/v1/self-reported-values/", {"Authorization": f"Bearer {tokens.partner}"}
    )
    assert code == 200 and b'"count":6' in body.replace(b" ", b""), body[:300]
    run = schemathesis(server, bearer, workdir=tmp_path)
    assert run.returncode == 0, run.stdout[-20000:] + run.stderr[-5000:]
    assert "No issues found" in run.stdout or " passed" in run.stdout, run.stdout[-3000:]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_schemathesis_finds_nothing_as_a_reviewer_who_writes(server, tmp_path):
    """Two allowances, both about what a schema cannot say, the rest of ``--checks all`` as it is:

    - a write the schema allows may still break a rule between fields or rows (a target date before
      the commitment, a second commitment of the same title, a period id that is no period): 400;
    - the session cookie reaches schemathesis as a plain header, which it cannot take away to check
      that requests without credentials are refused (the partner run checks that with the token).
    """
    config = tmp_path / "schemathesis.toml"
    config.write_text(
        "[checks.positive_data_acceptance]\n"
        'expected-statuses = ["2XX", "3XX", "400", "401", "403", "404", "409", "429"]\n'
    )
    client = Client()
    client.force_login(quick_user("live-reviewer", Role.REVIEWER))
    session = SessionStore(session_key=client.cookies[settings.SESSION_COOKIE_NAME].value)
    session[auth.SESSION_KEY] = auth.DONE  # the code step is someone else's test
    session.save()
    cookie = f"Cookie: {settings.SESSION_COOKIE_NAME}={session.session_key}; csrftoken={CSRF}"
    headers = {"Cookie": cookie.split(": ", 1)[1]}
    assert get(f"{server}/api/v1/values/", headers)[0] == 200
    assert get(f"{server}/api/v1/self-reported-values/", headers)[0] == 200
    allowances = ("--exclude-checks", "ignored_auth")
    run = schemathesis(
        server, cookie, f"X-CSRFToken: {CSRF}", workdir=tmp_path, config=str(config), extra=allowances
    )
    assert run.returncode == 0, run.stdout[-20000:] + run.stderr[-5000:]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_schemathesis_finds_nothing_as_a_focal_point(server, focal_nl, tmp_path):
    """A focal point has no use of the API (their country's self-report is in the browser): every
    operation refuses them with 403 and a message that says so, which the schema documents (401 where
    schemathesis adds a partner token of its own making: a malformed token is refused first)."""
    client = Client()
    client.force_login(focal_nl)
    session = SessionStore(session_key=client.cookies[settings.SESSION_COOKIE_NAME].value)
    session[auth.SESSION_KEY] = auth.DONE
    session.save()
    cookie = f"Cookie: {settings.SESSION_COOKIE_NAME}={session.session_key}; csrftoken={CSRF}"
    code, _headers, body = get(f"{server}/api/v1/self-reported-values/", {"Cookie": cookie.split(": ", 1)[1]})
    assert code == 403 and b"focal point" in body, body[:300]
    config = tmp_path / "schemathesis.toml"
    config.write_text('[checks.positive_data_acceptance]\nexpected-statuses = ["401", "403"]\n')
    run = schemathesis(
        server,
        cookie,
        f"X-CSRFToken: {CSRF}",
        workdir=tmp_path,
        config=str(config),
        extra=("--exclude-checks", "ignored_auth"),
    )
    assert run.returncode == 0, run.stdout[-20000:] + run.stderr[-5000:]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_errors_under_the_api_are_json_with_debug_on(server, tokens):
    partner = {"Authorization": f"Bearer {tokens.partner}"}
    for path, status in [
        ("/api/v1/no-such-thing/", 404),
        ("/api/v1/values/%C2%84/?format=csv", 404),
        ("/api/v1/values/?period=9223372036854775808", 400),
        ("/api/v1/values/?period=1e20", 400),
        ("/api/v1/commitments/?period=9223372036854775808", 400),
        ("/api/v1/recommendations/?period=1e20", 400),
        ("/api/v1/values/?page_size=null", 400),
        ("/api/v1/values/?updated_since=", 400),
        ("/api/v1/values/?ordering=nonsense", 400),
    ]:
        code, headers, body = get(server + path, partner)
        assert (code, headers["Content-Type"]) == (status, "application/json"), (path, body[:200])
