"""Benchmark of the data-entry grid and the spreadsheet dry run, beside the data-entry page as baseline.

Measured in process through Django's test client (the whole middleware, view and template stack):
- the grid of one country and period (staff-nl), aim: under 100 ms median at 1x;
- the grid of one goal across every country (staff-secretariat, who edits all), aim: under 300 ms;
- the trivial view (``/healthz``) and the data-entry page of the same country and period, the baselines
  in the same run;
- a dry run of a template of every country (55 at 1x) through the upload page (read, check, plan), aim:
  under 5 s; and the same dry run as a function call, without the HTTP part;
with the queries of one request each, so that scales can be compared (they should not grow), and the
median CPU time of the process (steadier than the wall time when other work shares the machine).
Prints a table and writes bench/results/grid.json. It measures; it never passes or fails on time.

    BENCH_DB_PREFIX=am_mine_b .venv/bin/python bench/bench_grid.py --scales 1,2

Each scale's database is built as bench/run.py builds it (bench/dataset.py), or reused if it has data.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
AIMS_MS = {"grid (NL)": 100, "goal grid (all countries)": 300, "dry run (all countries)": 5000}


def child(runs: int) -> None:
    """Runs inside a process configured for one scale's database: measure and print JSON."""
    sys.path.insert(0, str(ROOT))
    os.environ.update(
        DJANGO_SETTINGS_MODULE="alliance_monitor.settings",
        DEBUG="false",
        SECRET_KEY=os.environ.get("SECRET_KEY", "bench-only-secret-key-" + "x" * 40),
        ALLOWED_HOSTS="testserver",
        SECURE_SSL_REDIRECT="false",
        STATIC_ROOT=str(RESULTS / "staticfiles"),
        LOG_LEVEL="WARNING",
        TWO_FACTOR_REQUIRED_FOR_REVIEWERS="false",
    )
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from commitments import spreadsheet
    from commitments.models import Country, IndicatorValue, ReportingPeriod

    call_command("collectstatic", interactive=False, verbosity=0)
    users = get_user_model().objects
    periods = ReportingPeriod.objects.order_by("-starts_on")
    latest = periods.exclude(label__startswith="Synthetic period").first() or periods.first()

    def signed_in(name: str) -> Client:
        client = Client()
        client.force_login(users.get(username=name))
        return client

    staff, secretariat = signed_in("staff-nl"), signed_in("staff-secretariat")
    countries = sorted(
        Country.objects.filter(code__in=Country.objects.exclude(membership="observer").values("code")),
        key=lambda country: country.sort_key,
    )
    template = spreadsheet.template_build(
        user=users.get(username="staff-secretariat"), period=latest, countries=countries, language="en"
    )

    def timed(call, runs: int) -> dict:
        for _ in range(2):
            call()
        timings, cpu = [], []
        for _ in range(runs):
            started, started_cpu = time.perf_counter(), time.process_time()
            call()
            timings.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - started_cpu) * 1000)
        with CaptureQueriesContext(connection) as queries:
            response = call()
        count = len(queries)
        timings.sort()
        status = getattr(response, "status_code", None)
        return {
            "median_ms": round(statistics.median(timings), 1),
            "p95_ms": round(timings[round(0.95 * (len(timings) - 1))], 1),
            # The process's CPU time: on a shared, loaded machine it moves far less than the wall time
            # (the wait for a core is left out; the database's own work too).
            "cpu_median_ms": round(statistics.median(cpu), 1),
            "queries": count,
            "status": status,
            "runs": runs,
        }

    def upload():
        return secretariat.post("/spreadsheets/upload/", {"file": SimpleUploadedFile("all.xlsx", template)})

    def plan():
        return spreadsheet.import_plan(
            user=users.get(username="staff-secretariat"), upload=spreadsheet.read_upload(template)
        )

    rows = {
        # The floor: a view that touches neither the database nor Redis, in the same process and run.
        "trivial view (/healthz)": timed(lambda: Client().get("/healthz"), runs),
        "data entry (NL) baseline": timed(lambda: staff.get(f"/countries/NL/periods/{latest.pk}/"), runs),
        "grid (NL)": timed(lambda: staff.get(f"/countries/NL/periods/{latest.pk}/grid/"), runs),
        "goal grid (all countries)": timed(
            lambda: secretariat.get(f"/goals/VICTIM_ID/periods/{latest.pk}/grid/"), runs
        ),
        "dry run (all countries)": timed(upload, max(3, runs // 10)),
        "dry run, function only": timed(plan, max(3, runs // 10)),
    }
    print(
        json.dumps(
            {
                "rows": rows,
                "period": latest.label,
                "countries": len(countries),
                "template_rows": sum(1 for _ in spreadsheet.read_upload(template).rows),
                "template_bytes": len(template),
                "values": IndicatorValue.objects.count(),
            }
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scales", default="1,2")
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.child:
        child(arguments.runs)
        return
    sys.path.insert(0, str(ROOT / "bench"))
    import run as bench_run

    results = {}
    for scale in [int(s) for s in arguments.scales.split(",")]:
        counts = bench_run.build(scale, keep=True)
        env = {**os.environ, "DATABASE_URL": bench_run.database_url(scale), "REDIS_URL": bench_run.REDIS_URL}
        output = subprocess.run(
            [sys.executable, __file__, "--child", "--runs", str(arguments.runs)],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        if output.returncode:
            sys.stderr.write(output.stdout[-3000:] + output.stderr[-3000:])
            raise SystemExit(f"scale {scale} failed")
        results[scale] = {
            **json.loads(output.stdout.strip().splitlines()[-1]),
            "dataset": counts,
            "load_average": bench_run.load_average(),
        }
    print(f"{'scale':>5}  {'what':32} {'median ms':>10} {'p95 ms':>8} {'cpu ms':>8} {'queries':>8}  aim")
    for scale, result in results.items():
        for name, row in result["rows"].items():
            aim = AIMS_MS.get(name)
            verdict = (
                ""
                if aim is None or scale != 1
                else (f"< {aim} ms: {'met' if row['median_ms'] < aim else 'missed'}")
            )
            print(
                f"{scale:>5}  {name:32} {row['median_ms']:>10} {row['p95_ms']:>8} "
                f"{row['cpu_median_ms']:>8} {row['queries']:>8}  {verdict}"
            )
        print(
            f"       ({result['countries']} countries, {result['template_rows']} template rows, "
            f"{result['values']} values; load {result['load_average']})"
        )
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "grid.json").write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
