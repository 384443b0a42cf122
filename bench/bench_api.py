"""Benchmark of the partner API on the full demo dataset: a page of 100 values and the CSV export of all.

Measures, in process (Django's test client: the whole middleware and view stack, no HTTP server), for a
partner token (approved values only) and for the demo's secretariat staff, signed in and assigned every
country (so they see every value, drafts included):
- the page read from the database (the page cache emptied before each request), the same page from the
  page cache (for a partner token: the fast path, commitments/api/fastpath.py; for staff:
  commitments/api/cache.py), the same page answered 304 to its ETag, and the CSV export of every
  visible value;
- for a partner token, repeated reads of lists, a detail and the change feed beside the trivial view
  (``/healthz``) in the same process: ``of_floor`` is the read's throughput as a share of the floor's;
- median and p90 time of N requests (after warm-up requests),
- the number of database queries of one request (counted on the last warm-up request),
- the peak of Python memory allocated during one request, response consumed (tracemalloc).
Prints a table and writes bench/results/api.json. It measures; it never passes or fails on time.

    createdb -h 127.0.0.1 -U postgres am_bench_api   # once
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/am_bench_api .venv/bin/python bench/bench_api.py

The database is migrated and, when it has no values yet, loaded with ``seed_demo``.

``--export-side-by-side RUNS`` measures only the CSV export, three ways in turn in this process (the
serializer path it replaced, export.py, and export.py's SQL through COPY: the floor), and prints them.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "api.json"
# Read endpoints a partner polls, each read again and again (after the first: the partner fast path).
REPEATED_READS = (
    "/api/v1/values/?page_size=100",
    "/api/v1/commitments/?page_size=100",
    "/api/v1/recommendations/?page_size=100",
    "/api/v1/countries/",
    "/api/v1/countries/NL/",
    "/api/v1/changes/?limit=100",
)


def configure() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/am_bench_api")
    os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/8")  # the bench's Redis db
    # Production-like: no DEBUG (Django would keep every query in memory), budgets out of the way.
    os.environ.update(
        DJANGO_SETTINGS_MODULE="alliance_monitor.settings",
        DEBUG="false",
        SECRET_KEY=os.environ.get("SECRET_KEY", "bench-only-secret-key-" + "x" * 40),
        ALLOWED_HOSTS="testserver",
        SECURE_SSL_REDIRECT="false",
        LOG_LEVEL="WARNING",
        API_PARTNER_RATE="1000000/hour",
        API_USER_RATE="1000000/hour",
    )
    import django

    django.setup()


def prepare() -> dict:
    """Migrate, load the demo data if missing, and make a fresh partner token; returns clients and counts."""
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.test import Client

    from commitments import services
    from commitments.models import IndicatorValue, PartnerToken, Status
    from commitments.seeding import seed_demo

    call_command("migrate", verbosity=0)
    if not IndicatorValue.objects.exists():
        seed_demo(password="bench-demo-password-2014")
    PartnerToken.objects.filter(name="Benchmark (bench/bench_api.py)").delete()  # a bench database only
    _token, key = services.partner_token_create(name="Benchmark (bench/bench_api.py)")
    partner = Client(headers={"Authorization": f"Bearer {key}"})
    # The demo's secretariat staff are assigned every country: they see every value, drafts included.
    staff = Client()
    staff.force_login(get_user_model().objects.get(username="staff-secretariat"))
    from commitments.api import sdmx

    everyone = sdmx.Viewer(
        key="bench", can_read=True, can_write=False, country_ids=None, draft_country_ids=None
    )
    return {
        "clients": {"partner token": partner, "staff session": staff},
        "dataset": {
            "values": IndicatorValue.objects.count(),
            "approved values": IndicatorValue.objects.filter(status=Status.APPROVED).count(),
            "sdmx observations": sdmx.observations(everyone, sdmx.DataQuery()).count(),
        },
    }


def request(client, url: str, headers: dict | None = None) -> tuple[int, int]:
    """One request, its body read to the end (a CSV export streams): (status, bytes).

    A streamed body is counted chunk by chunk and dropped, as a client writing it to a file would: joined
    here, it would be the benchmark's memory (80 MB at 10x) that the peak measured, not the server's.
    """
    response = client.get(url, headers=headers or {})
    if not response.streaming:
        return response.status_code, len(response.content)
    size = 0
    for chunk in response.streaming_content:
        size += len(chunk)
    return response.status_code, size


def empty_page_cache() -> None:
    """Forget every cached API page (only those: the bench's Redis db also holds throttle counters)."""
    from django.core.cache import cache

    from commitments.api.cache import KEY_PREFIX

    if hasattr(cache, "delete_pattern"):  # django-redis
        cache.delete_pattern(f"{KEY_PREFIX}*")
    else:
        cache.clear()


def measure(
    client, url: str, runs: int, headers: dict | None = None, *, warmups: int = 2, before=None
) -> dict:
    """Time ``runs`` requests; ``before`` (untimed) runs before every request, warm-ups included."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def one() -> tuple[int, int]:
        if before is not None:
            before()
        return request(client, url, headers)

    for number in range(warmups):  # warm-up: connections, caches, the token's last_used_at
        if number == warmups - 1:
            with CaptureQueriesContext(connection) as queries:
                status, size = one()
            query_count = len(queries)  # now: the next request clears the connection's query log
        else:
            status, size = one()
        assert status in (200, 304), (url, status)
    timings = []
    for _ in range(runs):
        if before is not None:
            before()
        started = time.perf_counter()
        request(client, url, headers)
        timings.append((time.perf_counter() - started) * 1000)
    if before is not None:
        before()
    tracemalloc.start()
    request(client, url, headers)
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    timings.sort()
    return {
        "url": url,
        "status": status,
        "bytes": size,
        "runs": runs,
        "median_ms": round(statistics.median(timings), 1),
        "p90_ms": round(timings[round(0.9 * (len(timings) - 1))], 1),
        "queries": query_count,
        "peak_memory_kib": round(peak / 1024),
    }


def rate(rows: int, measured: dict) -> dict:
    """Rows exported and rows per second at the median time (what an export's speed is judged by)."""
    return {
        "rows": rows,
        "rows_per_s": round(rows / (measured["median_ms"] / 1000)) if measured["median_ms"] else 0,
    }


class _Discard:
    """A file that counts what COPY writes to it and keeps none of it."""

    def __init__(self) -> None:
        self.size = 0

    def write(self, data) -> int:
        self.size += len(data)
        return len(data)


def export_side_by_side(runs: int) -> list[dict]:
    """The CSV export of every approved value three ways, in turn, in this process and run:

    - ``serializer``: the general path (views.AllianceViewSet.csv_response: DRF serializes each row,
      renderers.stream_csv writes it), the export's path before export.py;
    - ``export.py``: the path the API takes (PostgreSQL writes each line, read through a server-side
      cursor a chunk at a time);
    - ``COPY``: export.py's SQL through ``COPY ... TO STDOUT`` into a sink that keeps nothing: the pace of
      PostgreSQL itself for these lines, with no Python per row (the floor of this design).

    Each round times the three once; the medians are compared. The first two must give the same bytes.
    """
    import hashlib
    import itertools

    from django.db import connection

    from commitments.api import export
    from commitments.api.renderers import columns_of, stream_csv
    from commitments.api.serializers import IndicatorValueSerializer
    from commitments.api.views.base import CSV_CHUNK
    from commitments.models import IndicatorValue, Status

    queryset = (
        IndicatorValue.objects.filter(status=Status.APPROVED)
        .select_related("country", "indicator__goal", "period")
        .order_by("country__code", "indicator__code", "period__starts_on", "pk")
    )
    rows = queryset.count()

    def serializer_path() -> str:
        serializer = IndicatorValueSerializer(many=True)
        chunks = (
            serializer.to_representation(chunk)
            for chunk in itertools.batched(queryset.iterator(chunk_size=CSV_CHUNK), CSV_CHUNK)
        )
        digest = hashlib.sha256()
        for text in stream_csv(chunks, columns_of(serializer)):
            digest.update(text.encode())
        return digest.hexdigest()

    def export_path() -> str:
        digest = hashlib.sha256()
        for text in export.values_csv(queryset):
            digest.update(text.encode())
        return digest.hexdigest()

    def copy_path() -> int:
        sql, params = export.lines_sql(queryset)
        sink = _Discard()
        with connection.cursor() as cursor:
            cursor.execute("SET jit = off; SET work_mem = %s", [export.SORT_MEMORY])
            try:
                statement = cursor.mogrify(sql, params).decode()
                cursor.cursor.copy_expert(f"COPY ({statement}) TO STDOUT", sink)
            finally:
                cursor.execute("RESET jit; RESET work_mem")
        return sink.size

    paths = {"serializer": serializer_path, "export.py": export_path, "COPY (floor)": copy_path}
    timings: dict[str, list[float]] = {name: [] for name in paths}
    outputs: dict[str, object] = {}
    load_before = [round(load, 2) for load in os.getloadavg()]
    for _ in range(runs):
        for name, path in paths.items():
            started = time.perf_counter()
            outputs[name] = path()
            timings[name].append(time.perf_counter() - started)
    assert outputs["serializer"] == outputs["export.py"], "the two paths wrote different files"
    load_after = [round(load, 2) for load in os.getloadavg()]
    results = []
    base = statistics.median(timings["serializer"])
    for name, times in timings.items():
        median = statistics.median(times)
        results.append(
            {
                "measurement": f"CSV export side by side: {name}",
                "as": "approved values",
                "rows": rows,
                "runs": runs,
                "median_ms": round(median * 1000, 1),
                "rows_per_s": round(rows / median),
                "times_faster_than_serializer": round(base / median, 2),
                "load_average_before_after": [load_before, load_after],
            }
        )
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=30, help="timed requests per page measurement")
    parser.add_argument("--csv-runs", type=int, default=10, help="timed requests per CSV export")
    parser.add_argument(
        "--export-side-by-side",
        type=int,
        default=0,
        metavar="RUNS",
        help="only time the CSV export's paths side by side, RUNS rounds (see export_side_by_side)",
    )
    arguments = parser.parse_args()
    configure()
    if arguments.export_side_by_side:
        prepare()
        for row in export_side_by_side(arguments.export_side_by_side):
            print(json.dumps(row))
        return
    setup = prepare()
    results = []
    page_url = "/api/v1/values/?page_size=100"
    for persona, client in setup["clients"].items():
        read = measure(client, page_url, arguments.runs, before=empty_page_cache)
        results.append({"measurement": "page of 100 values, read", "as": persona, **read})
        cached = measure(client, page_url, arguments.runs)
        results.append({"measurement": "same page, from the page cache", "as": persona, **cached})
        etag = client.get(page_url)["ETag"]
        poll = measure(client, page_url, arguments.runs, {"If-None-Match": etag})
        results.append({"measurement": "same page, unchanged (304)", "as": persona, **poll})
        feed = measure(client, "/api/v1/changes/?limit=100", arguments.runs)
        results.append({"measurement": "page of 100 changes (the feed)", "as": persona, **feed})
        # One warm-up: at 10x one export takes half a minute, and it warms nothing the page did not.
        export = measure(client, "/api/v1/values/?format=csv", arguments.csv_runs, warmups=1)
        rows = setup["dataset"]["approved values" if persona == "partner token" else "values"]
        results.append(
            {"measurement": "CSV export of all values", "as": persona, **export, **rate(rows, export)}
        )
    partner = setup["clients"]["partner token"]
    # Repeated reads beside the trivial view, in the same process and run: what a polling partner costs
    # against the floor of the whole stack (a view that touches neither the database nor Redis).
    from django.test import Client

    floor = measure(Client(), "/healthz", arguments.runs)
    results.append({"measurement": "trivial view (/healthz)", "as": "anonymous", **floor})
    for path in REPEATED_READS:
        read = measure(partner, path, arguments.runs)
        of_floor = round(floor["median_ms"] / read["median_ms"], 3) if read["median_ms"] else 0
        row = {"measurement": f"repeated read {path}", "as": "partner token", **read, "of_floor": of_floor}
        results.append(row)
    observations = setup["dataset"]["sdmx observations"]
    for fmt in ("sdmx-csv", "sdmx-json"):
        data = measure(partner, f"/api/v1/sdmx/data/?format={fmt}", arguments.csv_runs, warmups=1)
        measurement = f"SDMX data ({fmt}) of all values"
        results.append(
            {"measurement": measurement, "as": "partner token", **data, **rate(observations, data)}
        )

    import django

    report = {
        "dataset": setup["dataset"],
        "environment": {
            "python": platform.python_version(),
            "django": django.get_version(),
            "database": "PostgreSQL (" + os.environ["DATABASE_URL"].rsplit("/", 1)[-1] + ")",
            "cpus": os.cpu_count(),
            "load_average_1_5_15": [round(load, 2) for load in os.getloadavg()],  # other work on the machine
            "when": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        },
        "results": results,
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2) + "\n")
    columns = [
        ("measurement", 31), ("as", 14), ("status", 6), ("median_ms", 10), ("p90_ms", 8), ("queries", 8),
        ("peak_memory_kib", 16), ("bytes", 10),
    ]  # fmt: skip
    print(f"Dataset: {setup['dataset']['values']} values ({setup['dataset']['approved values']} approved)")
    header = " ".join(f"{name:<{width}}" if width > 20 else f"{name:>{width}}" for name, width in columns)
    print(header)
    print("-" * len(header))
    for row in results:
        print(" ".join(f"{row[name]:<{w}}" if w > 20 else f"{row[name]!s:>{w}}" for name, w in columns))
    print(f"Written to {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
