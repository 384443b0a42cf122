"""The report pipeline on a real Celery worker (prefork, Redis, the test database).

Requested reports become ready and say what the data says; a worker process killed mid-report is
replaced and the report still completes, once; data that cannot be printed fails the report with a
readable error and no retries; a request made while Redis was down is stored and the sweep hands it
over once Redis is back.
"""

from __future__ import annotations

import hashlib
import os
import re
import signal
import socket
import time
from contextlib import contextmanager
from datetime import timedelta

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.utils import timezone

from alliance_monitor.celery import app as celery_app
from reporting import services, sweep
from reporting.models import Report, ReportPart

from .conftest import give, pdf_pages, pdf_text, wait_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def request(user, evaluation_round, *, country=None, language="en") -> Report:
    kind = Report.Kind.COUNTRY if country else Report.Kind.ALLIANCE
    return services.report_request(
        user=user, kind=kind, evaluation_round=evaluation_round, country=country, language=language
    )


def test_a_requested_country_report_becomes_ready_with_its_figures(
    celery_worker, report_media, reviewer, evaluation_round, netherlands_data
):
    report = wait_for(request(reviewer, evaluation_round, country=netherlands_data))

    assert report.status == Report.Status.READY, report.error
    path = report_media / report.file.name
    assert hashlib.sha256(path.read_bytes()).hexdigest() == report.sha256
    assert pdf_pages(path) == report.page_count
    assert len(report.snapshot) == 64 and report.attempts == 1
    text = pdf_text(path)
    assert "Netherlands" in text
    assert "568" in text and "612" in text and "+44 (+7.7%)" in text  # victims identified, and the change
    assert "2 → 3" not in text and re.search(r"\b2\s+3\s+\+1", text)  # maturity 2 -> 3, one level up
    assert "−1" in text  # takedown days 4 -> 3: a fall ...
    assert "77.7" not in text  # ... and the draft value never shows
    assert "not met" in text  # +7.7% is below the +10% ICSE target
    assert "no data" in text  # unreported indicators are shown as missing, not as zero
    assert "Double the victim-identification team" in text and "Complete" in text
    # Generation time and snapshot on every page, page numbers from the first page to the last.
    pages = text.split("\f")[: report.page_count]
    assert all(report.snapshot[:12] in page for page in pages)
    assert f"Page 1 of {report.page_count}" in pages[0]
    assert f"Page {report.page_count} of {report.page_count}" in pages[-1]


def test_the_alliance_report_joins_its_parts_with_consistent_page_numbers(
    celery_worker, report_media, reviewer, evaluation_round, several_countries
):
    report = wait_for(request(reviewer, evaluation_round, language="nl"))

    assert report.status == Report.Status.READY, report.error
    path = report_media / report.file.name
    assert pdf_pages(path) == report.page_count
    parts = list(report.parts.order_by("position"))
    assert len(parts) > 8 and all(part.status == ReportPart.Status.DONE for part in parts)
    text = pdf_text(path)
    # Dutch: the country names from the data (the interface texts come from the compiled catalogue).
    for name in ["België", "Duitsland", "Frankrijk", "Nederland", "Filipijnen", "Verenigde Staten"]:
        assert name in text
    # Every page carries its number in the joined document, and the contents point at the right pages.
    pages = text.split("\f")[: report.page_count]
    for number, page in enumerate(pages, start=1):
        assert re.search(rf"\b{number}\b\D+\b{report.page_count}\b", page.strip().splitlines()[-1]), number
    contents = "\n".join(pages[1:4])
    for country in ["Nederland", "Zweden"]:
        listed = re.search(rf"\d+\.\d+\s+{country}\s*\.[ .]*(\d+)", contents)
        assert listed, country
        profile_page = pages[int(listed.group(1)) - 1]
        assert re.search(rf"\d+\.\d+\s+{country}\n", profile_page), (country, listed.group(1))


def test_a_worker_killed_mid_report_is_replaced_and_the_report_completes_once(
    celery_worker, report_media, reviewer, evaluation_round, several_countries
):
    pool_before = celery_worker.children()
    report = request(reviewer, evaluation_round)

    killed = None
    deadline = time.monotonic() + 60
    while killed is None and time.monotonic() < deadline:
        running = ReportPart.objects.filter(report=report, status=ReportPart.Status.RUNNING).first()
        if running is None:
            time.sleep(0.02)
            continue
        pid = int(running.claimed_by.rsplit(":", 1)[1])
        os.kill(pid, signal.SIGSTOP)  # freeze it, then make sure it is still inside that part
        running.refresh_from_db()
        if running.status == ReportPart.Status.RUNNING and running.claimed_by.endswith(f":{pid}"):
            os.kill(pid, signal.SIGKILL)
            killed = (running.pk, pid)
        else:
            os.kill(pid, signal.SIGCONT)
    assert killed, "no part was caught running"

    report = wait_for(report)
    assert report.status == Report.Status.READY, report.error
    part = ReportPart.objects.get(pk=killed[0])
    assert part.status == ReportPart.Status.DONE and part.attempts == 2  # delivered again, done again
    assert not part.claimed_by.endswith(f":{killed[1]}")
    # Completed exactly once: one PDF for the report, the one its checksum describes.
    files = list((report_media / "reports" / str(report.pk)).glob("*.pdf"))
    assert [f.name for f in files] == [os.path.basename(report.file.name)]
    assert hashlib.sha256(files[0].read_bytes()).hexdigest() == report.sha256
    assert pdf_pages(files[0]) == report.page_count
    # The killed process was replaced: the pool is back to two processes, one of them new.
    deadline = time.monotonic() + 10
    while len(celery_worker.children()) != 2 and time.monotonic() < deadline:
        time.sleep(0.1)
    pool_after = celery_worker.children()
    assert len(pool_after) == 2 and killed[1] not in pool_after and pool_after != pool_before
    assert "WorkerLostError" in celery_worker.log_text() or "signal 9" in celery_worker.log_text()


def test_data_that_breaks_the_report_fails_it_with_a_readable_error(
    celery_worker, reviewer, evaluation_round, nl, baseline_period
):
    value = give(nl, "VI-2", baseline_period, 568)
    with connection.cursor() as cursor:  # no service would store this; an import script might
        cursor.execute("UPDATE commitments_indicatorvalue SET number_value = 'NaN' WHERE id = %s", [value.pk])

    report = wait_for(request(reviewer, evaluation_round, country=nl))

    assert report.status == Report.Status.FAILED
    assert "VI-2" in report.error and "Netherlands" in report.error and "NaN" in report.error
    assert "request the report again" in report.error
    assert report.attempts == 1  # not retried: only transient errors are
    assert not report.file


@contextmanager
def broker_at(url: str):
    """Point this process's Celery app (not the worker's) at another broker for a while."""
    previous = celery_app.conf.broker_url

    def switch(to: str) -> None:
        # Only forget the cached pools: kombu keeps one per broker URL, both stay usable.
        celery_app.conf.broker_url = to
        celery_app._pool = None
        celery_app.amqp._producer_pool = None

    switch(url)
    try:
        yield
    finally:
        switch(previous)


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]  # nothing listens there once the probe is closed


def test_the_sweep_recovers_a_request_made_while_redis_was_down(
    celery_worker, reviewer, evaluation_round, nl, baseline_period, progress_period
):
    give(nl, "VI-2", baseline_period, 568)
    give(nl, "VI-2", progress_period, 612)
    browser = Client()
    browser.force_login(reviewer)

    with broker_at(f"redis://127.0.0.1:{closed_port()}/{settings.REDIS_URL.rsplit('/', 1)[-1]}"):
        response = browser.post(
            "/reports/request/",
            {"kind": "country", "evaluation_round": evaluation_round.pk, "country": nl.pk, "language": "en"},
        )
    assert response.status_code == 302  # the request is stored; the browser is not kept waiting
    report = Report.objects.get()
    time.sleep(1)
    report.refresh_from_db()
    assert report.status == Report.Status.QUEUED and report.attempts == 0  # nothing reached a worker

    # Redis is back: the periodic sweep (run here as the beat would run it, a few minutes later).
    result = sweep.reports_sweep(now=timezone.now() + timedelta(minutes=5))
    assert result.requeued == [report.pk]

    report = wait_for(report)
    assert report.status == Report.Status.READY, report.error
    assert report.attempts == 1
    # A second sweep finds nothing to do.
    assert not sweep.reports_sweep(now=timezone.now() + timedelta(minutes=10))


def test_a_report_whose_whole_worker_was_killed_is_ready_within_a_minute_of_a_new_worker(
    celery_worker, celery_beat, report_media, reviewer, evaluation_round, several_countries
):
    """Issue 18: the worker (main process and pool) SIGKILLed mid-report; its messages stay unacknowledged
    in Redis for the visibility timeout (15 minutes). The lease of the part it was rendering lapses
    (no more heartbeats), the sweep hands it over, and the report completes once."""
    report = request(reviewer, evaluation_round)
    deadline = time.monotonic() + 60
    running = None
    while running is None and time.monotonic() < deadline:
        running = ReportPart.objects.filter(report=report, status=ReportPart.Status.RUNNING).first()
        time.sleep(0.02)
    assert running is not None, "no part was caught running"
    owner = running.claimed_by
    assert running.lease_expires_at > timezone.now()
    celery_worker.kill()
    killed_at = time.monotonic()
    running.refresh_from_db()

    celery_worker.start()  # a healthy worker again (the old messages are still held by the dead one)
    available = time.monotonic()
    report = wait_for(report, timeout=120)
    took = time.monotonic() - available

    assert report.status == Report.Status.READY, report.error
    assert took < 75, f"ready {took:.0f} s after a new worker was available"
    print(f"ready {took:.1f} s after the new worker, {time.monotonic() - killed_at:.1f} s after the kill")
    part = ReportPart.objects.get(pk=running.pk)
    assert part.status == ReportPart.Status.DONE and part.claimed_by != owner and part.attempts >= 2
    assert all(p.status == ReportPart.Status.DONE for p in report.parts.all())
    # Exactly once: one PDF for the report, the one its checksum describes, all pages there.
    files = list((report_media / "reports" / str(report.pk)).glob("*.pdf"))
    assert [f.name for f in files] == [os.path.basename(report.file.name)]
    assert hashlib.sha256(files[0].read_bytes()).hexdigest() == report.sha256
    assert pdf_pages(files[0]) == report.page_count
    # Nothing left to hand over.
    assert not sweep.reports_sweep()
