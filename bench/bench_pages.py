"""Benchmark of the workspace's heaviest pages on the full demo dataset.

Measures the data-entry page (all indicators of a country and period), the country page (every goal
with its indicators across periods, commitments, recommendations and a chart) and the completeness
matrix (countries x goals), in process through Django's test client (the whole middleware, view and
template stack, no HTTP server):
- median and p95 time of N requests (after two warm-up requests),
- the number of database queries of one request,
- the peak of Python memory allocated during one request (tracemalloc).
Prints a table and writes bench/results/pages.json. It measures; it never passes or fails on time.

    createdb -h 127.0.0.1 -U postgres am_bench_pages   # once
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/am_bench_pages .venv/bin/python bench/bench_pages.py

The database is migrated and, when it has no values yet, loaded with ``seed_demo``. Static files are
collected once into bench/results/staticfiles, as production serves them (DEBUG off).
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
RESULTS = ROOT / "bench" / "results" / "pages.json"


def configure() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/am_bench_pages")
    # Production-like: no DEBUG (Django would keep every query in memory), hashed static files.
    os.environ.update(
        DJANGO_SETTINGS_MODULE="alliance_monitor.settings",
        DEBUG="false",
        SECRET_KEY=os.environ.get("SECRET_KEY", "bench-only-secret-key-" + "x" * 40),
        ALLOWED_HOSTS="testserver",
        SECURE_SSL_REDIRECT="false",
        STATIC_ROOT=str(ROOT / "bench" / "results" / "staticfiles"),
        LOG_LEVEL="WARNING",
        # The reviewer's pages are measured, not the code step of their sign-in.
        TWO_FACTOR_REQUIRED_FOR_REVIEWERS="false",
    )
    import django

    django.setup()


def prepare() -> dict:
    """Migrate, load the demo data if missing, collect static files; returns the pages and dataset sizes."""
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.test import Client

    from commitments.models import (
        Commitment,
        CommitmentProgress,
        Country,
        Indicator,
        IndicatorValue,
        Recommendation,
        ReportingPeriod,
    )
    from commitments.seeding import seed_demo

    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    if not IndicatorValue.objects.exists():
        seed_demo(password="bench-demo-password-2014")

    def signed_in(username: str) -> Client:
        client = Client()
        client.force_login(get_user_model().objects.get(username=username))
        return client

    # The demo's latest period at every scale (bench/dataset.py adds later "Synthetic period"s): the same
    # page, with more data around it, so that its cost can be compared from 1x to 10x.
    periods = ReportingPeriod.objects.order_by("-starts_on")
    latest = periods.exclude(label__startswith="Synthetic period").first() or periods.first()
    staff, reviewer, minister = signed_in("staff-nl"), signed_in("reviewer"), signed_in("minister")
    entry = f"/countries/NL/periods/{latest.pk}/"
    return {
        "pages": [
            ("data entry (NL, demo's latest period)", "staff-nl", staff, entry),
            ("data entry (NL, demo's latest period)", "reviewer", reviewer, entry),
            ("country page (NL)", "staff-nl", staff, "/countries/NL/"),
            ("country page (NL)", "minister", minister, "/countries/NL/"),
            ("completeness matrix (demo's latest)", "reviewer", reviewer, f"/completeness/{latest.pk}/"),
            ("completeness matrix (demo's latest)", "staff-nl", staff, f"/completeness/{latest.pk}/"),
        ],
        "period": latest.label,
        "dataset": {
            "countries": Country.objects.count(),
            "participating in the latest period": Country.objects.participating_between(
                latest.starts_on, latest.ends_on
            ).count(),
            "active indicators": Indicator.objects.filter(is_active=True).count(),
            "periods": ReportingPeriod.objects.count(),
            "values": IndicatorValue.objects.count(),
            "commitments": Commitment.objects.count(),
            "commitment progress": CommitmentProgress.objects.count(),
            "recommendations": Recommendation.objects.count(),
        },
    }


def measure(client, url: str, runs: int) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(2):  # warm-up: connections, template loading
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        client.get(url)
        timings.append((time.perf_counter() - started) * 1000)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    # Counted now: the next request empties the connection's query log that ``queries`` reads from.
    query_count = len(queries)
    tracemalloc.start()
    client.get(url)
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    timings.sort()
    return {
        "url": url,
        "status": response.status_code,
        "bytes": len(response.content),
        "runs": runs,
        "median_ms": round(statistics.median(timings), 1),
        "p95_ms": round(timings[round(0.95 * (len(timings) - 1))], 1),
        "queries": query_count,
        "peak_memory_kib": round(peak / 1024),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=30, help="timed requests per page")
    arguments = parser.parse_args()
    configure()
    setup = prepare()
    results = [
        {"page": page, "as": persona, **measure(client, url, arguments.runs)}
        for page, persona, client, url in setup["pages"]
    ]

    import django

    report = {
        "dataset": setup["dataset"],
        "period": setup["period"],
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
    columns = [("page", 38), ("as", 9), ("status", 6), ("median_ms", 10), ("p95_ms", 8), ("queries", 8),
               ("peak_memory_kib", 16), ("bytes", 8)]  # fmt: skip
    print("Dataset: " + ", ".join(f"{count} {name}" for name, count in setup["dataset"].items()))
    header = " ".join(
        f"{name:<{width}}" if name in ("page", "as") else f"{name:>{width}}" for name, width in columns
    )
    print(header)
    print("-" * len(header))
    for row in results:
        print(
            " ".join(
                f"{row[name]!s:<{width}}" if name in ("page", "as") else f"{row[name]!s:>{width}}"
                for name, width in columns
            )
        )
    print(f"Written to {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
