"""Downloads of published reports from the public site are counted, per report and day, with nothing
about who downloaded them (opendata.models.ReportDownloads)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.urls import reverse

from opendata.models import ReportDownloads
from reporting.models import Report
from tests.opendata.world import RELEASE

pytestmark = pytest.mark.django_db
AFTER = RELEASE + dt.timedelta(days=1)
ADDRESS = "203.0.113.77"


def published(world) -> Report:
    return Report.objects.get(evaluation_round=world.released, published_at__isnull=False)


def download(client, report, **headers):
    response = client.get(reverse("public:report", args=[report.pk]), REMOTE_ADDR=ADDRESS, headers=headers)
    if response.streaming:
        b"".join(response.streaming_content)
    return response


def test_each_download_is_counted_per_report_and_day(client, world):
    report = published(world)
    with time_machine.travel(AFTER, tick=False):
        assert download(client, report).status_code == 200
        response = download(client, report)
        assert download(client, report, **{"If-None-Match": response["ETag"]}).status_code == 304
        assert client.head(reverse("public:report", args=[report.pk])).status_code == 200
    with time_machine.travel(AFTER + dt.timedelta(days=1), tick=False):
        download(client, report)
    counts = list(ReportDownloads.objects.order_by("day").values_list("report_id", "day", "count"))
    # Two downloads on the first day (the revalidation and the HEAD are not downloads), one the next.
    assert counts == [(report.pk, AFTER.date(), 2), (report.pk, AFTER.date() + dt.timedelta(days=1), 1)]


def test_refused_downloads_are_not_counted(client, world):
    unpublished = Report.objects.get(evaluation_round=world.released, published_at__isnull=True)
    with time_machine.travel(RELEASE - dt.timedelta(seconds=1), tick=False):
        assert download(client, published(world)).status_code == 404  # a second before the release
    with time_machine.travel(AFTER, tick=False):
        assert download(client, unpublished).status_code == 404
        assert client.get(reverse("public:report", args=[999999])).status_code == 404
    assert not ReportDownloads.objects.exists()


def test_the_count_keeps_nothing_about_who_downloaded(client, world):
    with time_machine.travel(AFTER, tick=False):
        download(client, published(world), **{"User-Agent": "Probe-Agent/1.0"})
    assert {field.name for field in ReportDownloads._meta.get_fields()} == {"id", "report", "day", "count"}
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {ReportDownloads._meta.db_table}")
        stored = " ".join(str(value) for row in cursor.fetchall() for value in row)
    assert stored and ADDRESS not in stored and "Probe-Agent" not in stored
