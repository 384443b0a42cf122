"""The embedded default (`make run`): SQLite, no Redis, report jobs in a thread of the web process.

Real processes on a real SQLite file with the seeded alliance and demo data: the command line builds
the report before it returns, and a web process killed in the middle of a report is restarted and
finishes it, once.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pikepdf
import pytest
from django.conf import settings

from .test_documents import conformance_failures

BASE_DIR = Path(settings.BASE_DIR)


def run_manage(env: dict[str, str], *args: str, timeout: int = 300) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


@pytest.fixture(scope="module")
def embedded(tmp_path_factory) -> dict[str, str]:
    """The environment of `make run`: a SQLite file with the alliance and the demo data, no REDIS_URL."""
    root = tmp_path_factory.mktemp("embedded")
    env = {key: value for key, value in os.environ.items() if key not in {"REDIS_URL", "DATABASE_URL"}}
    env.update(
        DATABASE_URL=f"sqlite:///{root / 'db.sqlite3'}",
        MEDIA_ROOT=str(root / "media"),
        DEBUG="true",
        DEMO_PASSWORD="embedded-test-password",
        PYTHONUNBUFFERED="1",
        LOG_LEVEL="WARNING",
    )
    commands = (["migrate", "--no-input", "-v", "0"], ["seed_alliance"], ["seed_demo", "--without-reports"])
    for command in commands:
        done = run_manage(env, *command)
        assert done.returncode == 0, done.stderr[-3000:]
    env["_DB_FILE"] = str(root / "db.sqlite3")
    return env


def reports(env: dict[str, str]) -> list[tuple]:
    with sqlite3.connect(env["_DB_FILE"], timeout=20) as db:
        return db.execute(
            "SELECT id, status, attempts, claimed_by, file, page_count FROM reporting_report ORDER BY id"
        ).fetchall()


def test_generate_report_without_redis_builds_the_report_before_it_returns(embedded):
    before = len(reports(embedded))
    done = run_manage(embedded, "generate_report", "--country", "NL", "--language", "nl")

    assert done.returncode == 0, done.stderr[-3000:]
    assert "building the report in this process" in done.stdout
    new = reports(embedded)[before:]
    assert len(new) == 1
    report_id, status, attempts, _owner, file, pages = new[0]
    assert (status, attempts) == ("ready", 1)
    assert f"Report {report_id} ready: {pages} pages" in done.stdout
    assert (Path(embedded["MEDIA_ROOT"]) / file).stat().st_size > 10_000


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_a_restarted_web_process_finishes_the_report_its_predecessor_was_killed_in(embedded):
    before = {row[0] for row in reports(embedded)}
    # A process of the app (as the web process would) takes a request; its background thread renders.
    script = (
        "import time\n"
        "from commitments.models import Country, EvaluationRound\n"
        "from reporting import services\n"
        "services.report_request(user=None, kind='country', country=Country.objects.get(code='BE'),"
        " evaluation_round=EvaluationRound.objects.order_by('-ministerial_date').first())\n"
        "time.sleep(600)\n"
    )
    first = subprocess.Popen(
        [sys.executable, "manage.py", "shell", "-c", script],
        cwd=BASE_DIR,
        env=embedded,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            new = [row for row in reports(embedded) if row[0] not in before]
            if new and new[0][1] == "running":
                break
            time.sleep(0.05)
        else:
            pytest.fail(f"The report was never caught running: {reports(embedded)}")
        first.send_signal(signal.SIGKILL)  # mid-report: nothing gets to clean up
        first.wait(timeout=10)
    finally:
        if first.poll() is None:
            first.kill()
    report_id = new[0][0]
    row = next(row for row in reports(embedded) if row[0] == report_id)
    assert row[1] == "running" and row[3].endswith(f":{first.pid}")  # left behind, claimed by the dead

    port = free_port()
    web = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
        cwd=BASE_DIR,
        env=embedded,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        started = time.monotonic()
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as answer:
                    assert answer.status == 200
                break
            except OSError:
                assert time.monotonic() - started < 60, "runserver did not answer"
                time.sleep(0.3)
        while True:
            row = next(row for row in reports(embedded) if row[0] == report_id)
            if row[1] in {"ready", "failed"}:
                break
            assert time.monotonic() - started < 90, f"report still {row[1]} after the restart"
            time.sleep(0.3)
    finally:
        web.send_signal(signal.SIGTERM)
        try:
            web.wait(timeout=20)
        except subprocess.TimeoutExpired:
            web.kill()

    _id, status, attempts, owner, file, pages = row
    assert status == "ready" and attempts == 2 and owner.endswith(f":{web.pid}")
    # Exactly once: one PDF for the report, the one it names.
    files = list((Path(embedded["MEDIA_ROOT"]) / "reports" / str(report_id)).glob("*.pdf"))
    assert [str(path.relative_to(embedded["MEDIA_ROOT"])) for path in files] == [file]
    assert pages and pages > 5


def test_the_demo_scale_alliance_report_is_under_two_and_a_half_megabytes_and_still_tagged(
    embedded, tmp_path
):
    """The whole demo alliance (49 countries, the 2012–2014 round with its data) as ministers get it:
    one joined, tagged PDF under 2.5 MB (issue 11: 8.7 MB with a font subset per part, 2.6 MB with the
    fonts merged), PDF/UA-1 and PDF/A-3a by the independent checker."""
    output = tmp_path / "alliance.pdf"
    done = run_manage(
        embedded, "generate_report", "--round", "2012–2014", "--output", str(output), timeout=1500
    )
    assert done.returncode == 0, done.stderr[-3000:]
    info = subprocess.run(["pdfinfo", str(output)], check=True, capture_output=True, text=True).stdout
    pages = int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))
    assert pages > 150  # the demo scale: a profile for every country with data
    size = output.stat().st_size
    assert size < 2_500_000, f"{size:,} bytes for {pages} pages"
    assert conformance_failures(output, "ua1") == []
    assert conformance_failures(output, "3a") == []
    with pikepdf.open(output) as pdf:  # the structure tree is leaner, not gone: headings and cells remain
        kinds = {str(obj.S) for obj in pdf.objects if isinstance(obj, pikepdf.Dictionary) and "/S" in obj}
    assert {"/H1", "/H2", "/Table", "/TH", "/TD", "/Figure", "/Link"} <= kinds
