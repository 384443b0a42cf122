"""Benchmark of the ministers' view: the alliance at a glance, the map, a goal and a country's trends.

Each page reads the released round's approved data of every participating country (report_data) and
judges it as the reports do (reporting.content.Book), so its cost grows with the countries; the queries
do not. Measured in process through Django's test client, as bench/bench_pages.py measures (median and
p95 of N requests after two warm-ups, queries of one request, peak Python memory of one request), as a
minister, beside the trivial view (/healthz) measured first in the same run (x_floor: a page's median as
a multiple of the trivial view's). Prints a table and writes bench/results/overview.json. It measures; it
never passes or fails.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/am_bench_x1 .venv/bin/python bench/bench_overview.py

The database is migrated and, when it has no values yet, loaded with ``seed_demo``. When no evaluation
round is released, the latest one is released (in this benchmark database only), since the pages show
released rounds.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "overview.json"
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_pages import configure, measure  # noqa: E402 - after the path is set


def prepare() -> dict:
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.test import Client
    from django.utils import timezone

    from commitments.models import Country, EvaluationRound, IndicatorValue, ReportingPeriod
    from commitments.seeding import seed_demo

    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    if not IndicatorValue.objects.exists():
        seed_demo(password="bench-demo-password-2014")
    released = EvaluationRound.objects.released().order_by("evaluation_period__ends_on").last()
    if released is None:
        released = EvaluationRound.objects.order_by("evaluation_period__ends_on").last()
        released.released_at = timezone.now()
        released.save(update_fields=["released_at"])
    client = Client()
    client.force_login(get_user_model().objects.get(username="minister"))
    period = released.evaluation_period
    return {
        "pages": [
            ("ministers' view", client, "/overview/"),
            ("map (goal 1)", client, "/overview/map/?goal=VICTIM_ID"),
            ("goal across countries", client, "/overview/goals/VICTIM_ID/"),
            ("country trends (NL)", client, "/overview/countries/NL/"),
        ],
        "round": released.label,
        "dataset": {
            "countries participating in the round": Country.objects.participating_between(
                released.baseline_period.starts_on, period.ends_on
            ).count(),
            "periods": ReportingPeriod.objects.count(),
            "values": IndicatorValue.objects.count(),
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=30, help="timed requests per page")
    arguments = parser.parse_args()
    configure()
    setup = prepare()
    from django.test import Client

    # The floor of the whole stack, in the same process and run: a view that touches neither the database
    # nor Redis. On a shared machine the pages' multiples of it hold better than their times.
    floor = measure(Client(), "/healthz", arguments.runs)
    results = [{"page": "trivial view (/healthz)", "as": "anonymous", **floor, "x_floor": 1.0}]
    for page, client, url in setup["pages"]:
        timing = measure(client, url, arguments.runs)
        of_floor = round(timing["median_ms"] / floor["median_ms"], 1) if floor["median_ms"] else 0
        results.append({"page": page, "as": "minister", **timing, "x_floor": of_floor})
    import django

    report = {
        "dataset": setup["dataset"],
        "round": setup["round"],
        "environment": {
            "python": platform.python_version(),
            "django": django.get_version(),
            "database": "PostgreSQL (" + os.environ["DATABASE_URL"].rsplit("/", 1)[-1] + ")",
            "cpus": os.cpu_count(),
            "load_average_1_5_15": [round(load, 2) for load in os.getloadavg()],
            "when": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        },
        "results": results,
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2) + "\n")
    print("Dataset: " + ", ".join(f"{count} {name}" for name, count in setup["dataset"].items()))
    print(
        f"{'page':<26}{'median_ms':>10}{'p95_ms':>9}{'x_floor':>8}{'queries':>8}{'peak_kib':>10}{'bytes':>9}"
    )
    for row in results:
        print(
            f"{row['page']:<26}{row['median_ms']:>10}{row['p95_ms']:>9}{row.get('x_floor', 1.0):>8}"
            f"{row['queries']:>8}{row['peak_memory_kib']:>10}{row['bytes']:>9}"
        )
    print(f"Written to {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
