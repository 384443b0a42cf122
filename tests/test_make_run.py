"""The README's first command, ``make run``: the app on SQLite, without Redis, with the alliance and demo
data. The suite runs on PostgreSQL, so this test builds a SQLite database in a child process the way the
Makefile does (migrate, seed_alliance, seed_demo) and reads the pages and downloads there to their end:
a streamed download whose SQL only PostgreSQL knows used to break off after its header line. seed_demo
builds and publishes the demo's reports in the process (no Redis, no workers): the minister finds them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[1]

SCRIPT = """
import json, django
django.setup()
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

call_command("migrate", verbosity=0)
call_command("seed_alliance", verbosity=0)
call_command("seed_demo", verbosity=0)
client = Client(SERVER_NAME="127.0.0.1")
client.force_login(get_user_model().objects.get(username="admin"))
results = {}
for url in [
    "/", "/countries/NL/", "/completeness/", "/reports/", "/audit/", "/admin/webhooks/webhookendpoint/",
    "/api/v1/values/?format=csv", "/api/v1/commitments/?format=csv",
    "/api/v1/sdmx/structure/", "/api/v1/sdmx/data/?format=sdmx-csv", "/api/v1/sdmx/data/?format=sdmx-json",
]:
    response = client.get(url)
    body = b"".join(response.streaming_content) if response.streaming else response.content
    results[url] = [response.status_code, body.count(b"\\n"), body[-200:].decode("utf-8", "replace")]
# The minister finds the demo's published reports, built by seed_demo without any worker, and reads one.
from cycle.selectors import open_items_in_frozen_rounds
from reporting.models import Report
minister = Client(SERVER_NAME="127.0.0.1")
minister.force_login(get_user_model().objects.get(username="minister"))
response = minister.get("/reports/")
published = list(
    Report.objects.filter(published_at__isnull=False, status="ready")
    .order_by("kind", "language")
    .values_list("pk", "kind", "country__code", "language")
)
results["published reports"] = [list(row[1:]) for row in published]
results["listed on /reports/ for the minister"] = [
    f"/reports/{pk}/download/".encode() in response.content for pk, *_rest in published
]
download = minister.get(f"/reports/{published[0][0]}/download/")
results["download"] = [download.status_code, b"".join(download.streaming_content)[:5].decode()]
results["open items in frozen rounds"] = [list(key) for key in open_items_in_frozen_rounds()]
# The demo's focal point reads the Netherlands' self-report.
focal = Client(SERVER_NAME="127.0.0.1")
focal.force_login(get_user_model().objects.get(username="focal-nl"))
response = focal.get("/focal/")
results["/focal/ as focal-nl"] = [response.status_code, 0, ""]
try:
    call_command("verify_audit", verbosity=0)
    results["verify_audit"] = "ok"
except CommandError as error:
    results["verify_audit"] = str(error)
print("RESULTS " + json.dumps(results))
"""


def test_make_run_on_sqlite_serves_whole_pages_and_downloads(tmp_path):
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL"}
    }
    env.update(
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        DEBUG="true",
        DEMO_PASSWORD="alliance-demo-2014",
        DJANGO_SETTINGS_MODULE="alliance_monitor.settings",
        MEDIA_ROOT=str(tmp_path / "media"),
    )
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT], cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=900
    )
    assert result.returncode == 0, result.stderr[-5000:]
    line = next(line for line in result.stdout.splitlines() if line.startswith("RESULTS "))
    results = json.loads(line.removeprefix("RESULTS "))
    verdict = results.pop("verify_audit")
    assert sorted(results.pop("published reports")) == [
        ["alliance", None, "en"],
        ["country", "NL", "en"],
        ["country", "NL", "nl"],
    ]
    assert results.pop("listed on /reports/ for the minister") == [True, True, True]
    assert results.pop("download") == [200, "%PDF-"]
    assert results.pop("open items in frozen rounds") == []
    for url, (status, _lines, _tail) in results.items():
        assert status == 200, (url, status)
    # The downloads hold the demo data, not just their header line.
    for url in ("/api/v1/values/?format=csv", "/api/v1/commitments/?format=csv"):
        assert results[url][1] > 100, (url, results[url])
    sdmx_csv = results["/api/v1/sdmx/data/?format=sdmx-csv"]
    assert sdmx_csv[1] > 100, sdmx_csv
    sdmx_json = results["/api/v1/sdmx/data/?format=sdmx-json"]
    assert sdmx_json[2].endswith("}}}"), sdmx_json
    # verify_audit explains itself on SQLite rather than failing with a traceback.
    assert "PostgreSQL" in verdict
