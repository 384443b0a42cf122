"""Fixtures and helpers of the report tests: waiting for a report, reading its PDF, data.

The worker (``celery_worker``, with ``report_media``, in tests/conftest.py, so that the browser tests
share it) is one ``celery -A alliance_monitor worker -P prefork -c 2`` subprocess for the whole
session, pointed at the test database pytest-django created and at the same Redis as the tests. Tests
that use it are transactional (``django_db(transaction=True, serialized_rollback=True)``) so that the
worker sees the rows they commit, and they wait for their report to finish before they end.
"""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone

from commitments.models import (
    Commitment,
    CommitmentProgress,
    Country,
    EvaluationRound,
    Indicator,
    IndicatorValue,
    ReportingPeriod,
    Status,
)
from reporting.models import Report

BASE_DIR = Path(settings.BASE_DIR)


def wait_for(report: Report, *, timeout: float = 120) -> Report:
    """Wait until the worker finished the report (ready or failed), and return it fresh."""
    deadline = time.monotonic() + timeout
    while True:
        report.refresh_from_db()
        if report.status in {Report.Status.READY, Report.Status.FAILED}:
            return report
        if time.monotonic() > deadline:
            raise AssertionError(
                f"Report {report.pk} still {report.status} ({report.stage}) after {timeout} s"
            )
        time.sleep(0.2)


def pdf_text(path: Path | str, *, first: int | None = None, last: int | None = None) -> str:
    command = ["pdftotext", "-layout"]
    if first:
        command += ["-f", str(first)]
    if last:
        command += ["-l", str(last)]
    return subprocess.run([*command, str(path), "-"], check=True, capture_output=True, text=True).stdout


def pdf_pages(path: Path | str) -> int:
    info = subprocess.run(["pdfinfo", str(path)], check=True, capture_output=True, text=True).stdout
    return int(next(line for line in info.splitlines() if line.startswith("Pages:")).split()[1])


# --- data ---------------------------------------------------------------------------------------------


@pytest.fixture
def evaluation_round(db) -> EvaluationRound:
    return EvaluationRound.objects.select_related("baseline_period", "evaluation_period").get()


def approved(item, reviewer=None):
    item.status = Status.APPROVED
    item.submitted_at = item.approved_at = timezone.now()
    item.approved_by = reviewer
    item.save()
    return item


def give(country: Country, code: str, period: ReportingPeriod, value, *, status: str = Status.APPROVED):
    """Store a country's value of an indicator for a period, approved unless said otherwise."""
    indicator = Indicator.objects.get(code=code)
    item = IndicatorValue(country=country, indicator=indicator, period=period, note="Test value.")
    if indicator.value_type == Indicator.ValueType.BOOLEAN:
        item.boolean_value = value
    elif indicator.value_type == Indicator.ValueType.TEXT:
        item.text_value = value
    else:
        item.number_value = Decimal(str(value))
    if status == Status.APPROVED:
        return approved(item)
    item.status = status
    item.save()
    return item


def commit(country: Country, goal_code: str, title: str, progress: dict[ReportingPeriod, tuple[str, str]]):
    """A commitment with approved progress per period: {period: (completion, narrative)}."""
    from commitments.models import Goal

    commitment = Commitment.objects.create(
        country=country,
        goal=Goal.objects.get(code=goal_code),
        title=title,
        lead_organisation="National police",
        committed_on=dt.date(2013, 4, 15),
        target_date=dt.date(2014, 12, 31),
        status="approved",
        approved_at=timezone.now(),
    )
    for period, (completion, narrative) in progress.items():
        approved(
            CommitmentProgress(
                commitment=commitment, period=period, completion=completion, narrative=narrative
            )
        )
    return commitment


@pytest.fixture
def netherlands_data(nl, baseline_period, progress_period):
    """The Netherlands with known figures: victims identified 568 -> 612 (+7.7%, so the +10% target is
    not met), a maturity level 2 -> 3, a draft that must never show, and an indicator left unreported."""
    give(nl, "VI-2", baseline_period, 568)
    give(nl, "VI-2", progress_period, 612)
    give(nl, "VI-6", baseline_period, 2)
    give(nl, "VI-6", progress_period, 3)
    give(nl, "RA-2", baseline_period, 4)
    give(nl, "RA-2", progress_period, 3)  # days to takedown: lower is better
    give(nl, "VS-2", progress_period, "77.7", status=Status.DRAFT)
    commit(
        nl,
        "VICTIM_ID",
        "Double the victim-identification team",
        {
            baseline_period: ("limited", "Four specialists."),
            progress_period: ("complete", "Eight specialists."),
        },
    )
    return nl


@pytest.fixture
def several_countries(baseline_period, progress_period):
    """Eight countries with a few approved values each: enough parts for the alliance report to fan out."""
    codes = ["BE", "DE", "FR", "IT", "NL", "PH", "SE", "US"]
    countries = list(Country.objects.filter(code__in=codes))
    for number, country in enumerate(countries, start=1):
        give(country, "VI-2", baseline_period, 100 * number)
        give(country, "VI-2", progress_period, 100 * number + 5 * number * number)
        give(country, "VI-3", progress_period, 5 * number)
        give(country, "SU-2", baseline_period, 10 + number)
        give(country, "SU-2", progress_period, 12 + number)
        give(country, "RA-1", baseline_period, number % 2 == 0)
        give(country, "RA-1", progress_period, True)
        give(country, "PR-1", baseline_period, number % 4)
        give(country, "PR-1", progress_period, min(4, number % 4 + 1))
    return countries


@pytest.fixture
def celery_beat(celery_worker, tmp_path):
    """Celery beat, as in production, but sweeping every 5 s (REPORT_SWEEP_SECONDS)."""
    log = tmp_path / "beat.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "alliance_monitor",
                "beat",
                "-l",
                "INFO",
                "--schedule",
                str(tmp_path / "beat-schedule"),
            ],
            cwd=BASE_DIR,
            env={**celery_worker.env, "REPORT_SWEEP_SECONDS": "5"},
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    yield process
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
