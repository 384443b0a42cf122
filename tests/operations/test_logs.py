"""Logs an operator can read: every line with its UTC time, level, logger and request id; a Redis outage
told in a handful of lines (start, a summary a minute, end), never a traceback per request.

The outage is real: a private redis-server killed under a running gunicorn for several seconds while a
partner keeps reading the API (the API's page cache and throttle live in that Redis), then started again.
"""

from __future__ import annotations

import json
import math
import re
import time
from datetime import UTC, datetime

import pytest

from tests.commitments.api_fixtures import make_tokens

from .conftest import app_env, get, start_gunicorn, wait_until

TEXT_LINE = re.compile(
    r"^(?P<time>\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z) (?P<level>DEBUG|INFO|WARNING|ERROR|CRITICAL) "
    r"(?P<logger>[\w.]+) \[(?P<request_id>[^\]\s]+)\] (?P<message>.*)$"
)
OUTAGE_SECONDS = 6
SUMMARY_SECONDS = 2


def parse(line: str, log_format: str) -> dict:
    if log_format == "json":
        record = json.loads(line)
        assert {"timestamp", "level", "logger", "request_id", "message"} <= set(record), line
        assert record["timestamp"].endswith("+00:00"), line  # UTC
        return record
    match = TEXT_LINE.match(line)
    assert match, f"not a log line: {line!r}"
    return match.groupdict()


@pytest.mark.parametrize("log_format", ["text", "json"])
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_redis_outage_is_logged_once_then_per_interval_then_once_when_it_ends(
    redis_server, tmp_path, log_format
):
    key = make_tokens().partner
    partner = {"Authorization": f"Bearer {key}"}
    env = app_env(
        redis_server.url,
        LOG_FORMAT=log_format,
        BREAKER_RESET_SECONDS="1",
        OUTAGE_SUMMARY_SECONDS=str(SUMMARY_SECONDS),
    )
    gunicorn, base = start_gunicorn(env, tmp_path / "gunicorn.log")
    try:
        for _ in range(5):
            assert get(f"{base}/api/v1/countries/", partner)[0] == 200
        status, _body, headers = get(f"{base}/no-such-page/", {"X-Request-ID": "probe-4711-abcdef"})
        assert status == 404 and headers["X-Request-ID"] == "probe-4711-abcdef"

        redis_server.kill()
        answered, started = [], time.monotonic()
        while time.monotonic() - started < OUTAGE_SECONDS:
            answered.append(get(f"{base}/api/v1/countries/", partner)[0])
        redis_server.start()

        def outage_over() -> bool:
            """the outage's end is logged"""
            answered.append(get(f"{base}/api/v1/countries/", partner)[0])
            return "reachable again" in gunicorn.text()

        wait_until(outage_over, timeout=20)
    finally:
        gunicorn.stop()

    assert set(answered) == {200}, "pages kept answering while Redis was away"
    assert len(answered) > 50
    lines = [line for line in gunicorn.text().splitlines() if line.strip()]
    assert "Traceback" not in gunicorn.text()
    records = [parse(line, log_format) for line in lines]  # every line: UTC time, level, logger, id
    if log_format == "text":
        assert all(datetime.strptime(r["time"], "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC) for r in records)
    assert any(r["request_id"] == "probe-4711-abcdef" and r["logger"] == "django.request" for r in records)

    outage = [r for r in records if r["logger"] == "alliance_monitor.outage"]
    started_lines = [r for r in outage if "unreachable (" in r["message"]]
    summaries = [r for r in outage if "still unreachable" in r["message"]]
    ended = [r for r in outage if "reachable again" in r["message"]]
    assert len(started_lines) == 1 and started_lines[0]["level"] == "WARNING"
    assert len(ended) == 1 and ended[0]["level"] == "INFO"
    assert 1 <= len(summaries) <= math.ceil(OUTAGE_SECONDS / SUMMARY_SECONDS) + 3
    assert "calls skipped" in summaries[0]["message"]
    # Bounded: a few lines for the whole outage, however many requests met it. (commitments.api writes its
    # one line per partner request by design, outage or not: who read what.)
    per_request = [r for r in records if r["logger"] == "commitments.api"]
    others = [r for r in records if r["logger"] != "commitments.api"]
    assert len(per_request) >= len(answered)
    assert len(outage) <= 10 and len(others) < 25, [r["message"] for r in others]
