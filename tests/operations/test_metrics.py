"""Prometheus metrics at /metrics: request rates and latencies by route, partner use by token, reports'
outcomes and durations, queue depth. Read back with prometheus_client's own text parser; under gunicorn
with several worker processes, the counts of all of them add up.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client, override_settings
from django.utils import timezone
from prometheus_client.parser import text_string_to_metric_families

from reporting.models import Report
from tests.commitments.api_fixtures import make_tokens, token_client
from tests.reporting.conftest import evaluation_round  # noqa: F401

from .conftest import app_env, get, start_gunicorn

SCRAPER = "scrape-secret-for-tests-0123456789"


def samples(text: str) -> list:
    return [sample for family in text_string_to_metric_families(text) for sample in family.samples]


def value(found: list, name: str, **labels) -> float:
    """The sum of the samples of that name whose labels include these."""
    return sum(
        s.value for s in found if s.name == name and all(s.labels.get(k) == v for k, v in labels.items())
    )


@pytest.mark.django_db
@override_settings(METRICS_TOKEN=SCRAPER)
def test_metrics_count_routes_partners_and_reports(evaluation_round, nl, django_assert_num_queries):  # noqa: F811
    partner = token_client(make_tokens().partner)
    now = timezone.now()
    for took, status in [(20, Report.Status.READY), (200, Report.Status.READY), (50, Report.Status.FAILED)]:
        report = Report.objects.create(
            kind=Report.Kind.COUNTRY, evaluation_round=evaluation_round, country=nl, status=status,
            **({"file": "reports/x.pdf", "sha256": "0" * 64, "page_count": 3} if status == "ready" else {}),
        )
        Report.objects.filter(pk=report.pk).update(
            requested_at=now - timedelta(seconds=took), finished_at=now
        )
    Report.objects.create(kind=Report.Kind.ALLIANCE, evaluation_round=evaluation_round, status="queued")
    scraper = Client(headers={"Authorization": f"Bearer {SCRAPER}"})
    before = samples(scraper.get("/metrics").content.decode())

    for _ in range(3):
        assert partner.get("/api/v1/countries/").status_code == 200
    assert partner.get("/api/v1/countries/NL/").status_code == 200
    # Reports by kind and status; the duration histogram; the oldest queued report.
    with django_assert_num_queries(3):
        response = scraper.get("/metrics")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/plain; version=")
    after = samples(response.content.decode())

    def grew(name: str, **labels) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    assert grew("am_http_requests_total", route="/api/v1/countries/", method="GET", status="200") == 3
    assert grew("am_http_request_duration_seconds_count", route="/api/v1/countries/", method="GET") == 3
    assert grew("am_http_requests_total", route="/api/v1/countries/<code>/", status="200") == 1
    assert grew("am_api_partner_requests_total", token="Interpol ICSE sync") == 4
    assert value(after, "am_reports", kind="country", status="ready") == 2
    assert value(after, "am_reports_finished_total", kind="country", outcome="failed") == 1
    assert value(after, "am_report_duration_seconds_bucket", kind="country", le="30.0") == 1
    assert value(after, "am_report_duration_seconds_bucket", kind="country", le="60.0") == 2
    assert value(after, "am_report_duration_seconds_count", kind="country") == 3
    assert 265 < value(after, "am_report_duration_seconds_sum", kind="country") < 280
    assert value(after, "am_report_oldest_queued_seconds") < 60
    assert value(after, "am_queue_messages", queue="celery") >= 0  # the broker's queue, asked live


@pytest.mark.django_db
@override_settings(METRICS_TOKEN=SCRAPER, METRICS_ALLOWED_IPS=[])
def test_metrics_are_for_administrators_and_scrapers_only(admin_user, reviewer, administrator):
    assert Client().get("/metrics").status_code == 403
    assert Client(headers={"Authorization": "Bearer wrong"}).get("/metrics").status_code == 403
    assert token_client(make_tokens().partner).get("/metrics").status_code == 403  # partner tokens neither
    signed_in = Client()
    signed_in.force_login(reviewer)
    assert signed_in.get("/metrics").status_code == 403
    signed_in.force_login(administrator)
    assert signed_in.get("/metrics").status_code == 200
    signed_in.force_login(admin_user)  # a superuser
    assert signed_in.get("/metrics").status_code == 200
    with override_settings(METRICS_ALLOWED_IPS=["127.0.0.1"]):
        assert Client(REMOTE_ADDR="127.0.0.1").get("/metrics").status_code == 200


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_under_gunicorn_the_counts_of_every_worker_process_add_up(tmp_path):
    env = app_env(
        "redis://127.0.0.1:6379/" + __import__("django.conf").conf.settings.REDIS_URL.rsplit("/", 1)[-1],
        PROMETHEUS_MULTIPROC_DIR=str(tmp_path / "prometheus"),
        METRICS_TOKEN=SCRAPER,
    )
    gunicorn, base = start_gunicorn(env, tmp_path / "gunicorn.log", workers=3)
    try:
        for _ in range(60):
            assert get(f"{base}/healthz")[0] == 200
        status, body, _headers = get(f"{base}/metrics", {"Authorization": f"Bearer {SCRAPER}"})
    finally:
        gunicorn.stop()
    assert status == 200
    found = samples(body.decode())
    assert value(found, "am_http_requests_total", route="/healthz", status="200") >= 60 + 1  # + the wait
    pids = {path.name.rsplit("_", 1)[-1] for path in (tmp_path / "prometheus").glob("counter_*.db")}
    assert len(pids) >= 2, "the requests were served by more than one process"
