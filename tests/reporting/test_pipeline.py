"""The pipeline's steps run in this process: claims, duplicates, the sweep, the command line."""

from __future__ import annotations

import socket
import subprocess
import time
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from reporting import leases, pipeline, services, sweep
from reporting.models import Report

from .conftest import pdf_text


@pytest.fixture
def queued(reviewer, evaluation_round, nl):
    """A stored country report request whose message went nowhere (no commit in these tests)."""
    return services.report_request(
        user=reviewer, kind=Report.Kind.COUNTRY, evaluation_round=evaluation_round, country=nl
    )


def test_a_report_is_built_once_however_often_its_message_arrives(
    queued, report_media, netherlands_data, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        pipeline.report_generate(report_id=queued.pk, task_id="first")
        pipeline.report_generate(report_id=queued.pk, task_id="duplicate")  # finds it ready: nothing to do
    queued.refresh_from_db()
    assert queued.status == Report.Status.READY and queued.attempts == 1
    assert len(list((report_media / "reports" / str(queued.pk)).iterdir())) == 1


def test_a_redelivered_message_takes_over_its_own_claim(queued, report_media, netherlands_data):
    Report.objects.filter(pk=queued.pk).update(
        status=Report.Status.RUNNING, stage=Report.Stage.PREPARING, claimed_task_id="task-1", attempts=1
    )
    pipeline.report_generate(report_id=queued.pk, task_id="task-2")  # someone else's claim: left alone
    queued.refresh_from_db()
    assert queued.status == Report.Status.RUNNING and queued.claimed_task_id == "task-1"

    pipeline.report_generate(report_id=queued.pk, task_id="task-1")  # the same task, delivered again
    queued.refresh_from_db()
    assert queued.status == Report.Status.READY and queued.attempts == 2


def test_the_sweep_hands_over_lost_requests_and_gives_up_in_the_end(
    queued, django_capture_on_commit_callbacks
):
    now = timezone.now()
    assert not sweep.reports_sweep(now=now)  # just requested: the message may still be on its way

    with django_capture_on_commit_callbacks() as sent:
        assert sweep.reports_sweep(now=now + timedelta(minutes=3)).requeued == [queued.pk]
    assert len(sent) == 1

    # A worker claimed it on another machine: while its lease is renewed, the claim is left alone ...
    Report.objects.filter(pk=queued.pk).update(
        status=Report.Status.RUNNING,
        stage=Report.Stage.PREPARING,
        claimed_task_id="gone",
        claimed_by="elsewhere:1",
        claimed_at=now - timedelta(minutes=5),
        heartbeat_at=now - timedelta(seconds=2),
        lease_expires_at=now + timedelta(seconds=28),
        attempts=1,
    )
    assert not sweep.reports_sweep(now=now)
    # ... and once the heartbeats stop (the worker vanished), the lapsed lease is handed over.
    dead = now - timedelta(seconds=1)
    Report.objects.filter(pk=queued.pk).update(lease_expires_at=dead)
    assert sweep.reports_sweep(now=now).requeued == [queued.pk]
    queued.refresh_from_db()
    assert queued.status == Report.Status.QUEUED and queued.claimed_task_id == ""

    assert queued.lease_expires_at is None and queued.claimed_by == ""
    Report.objects.filter(pk=queued.pk).update(
        status=Report.Status.RUNNING,
        stage=Report.Stage.PREPARING,
        claimed_by="elsewhere:1",
        lease_expires_at=dead,
        attempts=pipeline.MAX_ATTEMPTS,
    )
    assert sweep.reports_sweep(now=now).given_up == [queued.pk]
    queued.refresh_from_db()
    assert queued.status == Report.Status.FAILED and "never finished" in queued.error


def test_a_template_error_fails_the_report_readably_without_retrying(queued, netherlands_data, settings):
    settings.TEMPLATES = [
        {
            **settings.TEMPLATES[0],
            "DIRS": [
                settings.BASE_DIR / "tests" / "reporting" / "broken_templates",
                *settings.TEMPLATES[0]["DIRS"],
            ],
        }
    ]
    pipeline.report_generate(report_id=queued.pk, task_id="t")
    queued.refresh_from_db()
    assert queued.status == Report.Status.FAILED and queued.attempts == 1
    assert "template" in queued.error and "cover.html" in queued.error


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_command_builds_a_report_here_and_writes_it_out(tmp_path, report_media, netherlands_data, capsys):
    output = tmp_path / "nl.pdf"
    call_command("generate_report", country="NL", language="nl", inline=True, output=str(output))
    report = Report.objects.get()
    assert report.status == Report.Status.READY and report.requested_by is None
    assert "Nederland" in pdf_text(output)
    assert f"Report {report.pk} ready" in capsys.readouterr().out


def test_a_claim_of_a_process_of_this_machine_that_is_gone_is_handed_over_at_once(queued):
    gone = subprocess.Popen(["true"])
    gone.wait()  # its pid names no process any more
    now = timezone.now()
    Report.objects.filter(pk=queued.pk).update(
        status=Report.Status.RUNNING,
        stage=Report.Stage.PREPARING,
        claimed_task_id="gone",
        claimed_by=f"{socket.gethostname()}:{gone.pid}",
        claimed_at=now,
        **leases.lease_fields(now),
        attempts=1,
    )
    assert sweep.reports_sweep(now=now).requeued == [queued.pk]  # no need to wait for the lease


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_worker_renews_its_lease_while_it_works_and_stops_when_it_is_done(queued, settings):
    settings.REPORT_HEARTBEAT_SECONDS = 0.2
    now = timezone.now()
    Report.objects.filter(pk=queued.pk).update(
        status=Report.Status.RUNNING,
        stage=Report.Stage.PREPARING,
        claimed_task_id="mine",
        claimed_at=now,
        **leases.lease_fields(now),
    )
    with leases.heartbeat(model=Report, pk=queued.pk, task_id="mine"):
        time.sleep(1.1)
        queued.refresh_from_db()
        assert queued.heartbeat_at > now + timedelta(seconds=0.5)
        assert queued.lease_expires_at == queued.heartbeat_at + leases.lease_duration()
    last = queued.heartbeat_at
    time.sleep(0.5)
    queued.refresh_from_db()
    assert queued.heartbeat_at == last  # no beat once the work is over
    # A claim taken away (handed over by the sweep) is not renewed by its former owner.
    Report.objects.filter(pk=queued.pk).update(claimed_task_id="someone-else", heartbeat_at=now)
    with leases.heartbeat(model=Report, pk=queued.pk, task_id="mine"):
        time.sleep(0.6)
    queued.refresh_from_db()
    assert queued.heartbeat_at == now


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_without_workers_the_command_builds_the_report_before_it_ends(
    report_media, netherlands_data, settings, capsys
):
    """make run (no Redis): a thread would die with the command and leave the report queued for ever."""
    settings.BACKGROUND_JOBS = "thread"
    call_command("generate_report", country="NL")
    report = Report.objects.get()
    assert report.status == Report.Status.READY
    assert f"Report {report.pk} ready" in capsys.readouterr().out



@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_without_workers_the_sweep_command_builds_what_it_hands_over(
    evaluation_round, nl, report_media, netherlands_data, settings
):
    """make run's restart advice (README): the request picked up is built before the command ends."""
    settings.BACKGROUND_JOBS = "thread"
    lost = Report.objects.create(  # a request whose thread ended with a restart of the web process
        kind=Report.Kind.COUNTRY,
        evaluation_round=evaluation_round,
        country=nl,
        language="en",
        status=Report.Status.QUEUED,
        enqueued_at=timezone.now() - timedelta(hours=1),
    )
    call_command("generate_report", sweep=True)
    lost.refresh_from_db()
    assert lost.status == Report.Status.READY and lost.attempts == 1
