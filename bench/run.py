"""One command for every measurement: pages, API, PDF reports and a load run, from 1x to 10x the data.

    make bench                                   # scales 1,2,5,10; everything
    make bench BENCH_ARGS="--scales 1 --quick"   # a fast look

For each scale it builds a PostgreSQL database ``am_bench_x<scale>`` (bench/dataset.py: the demo data,
then N times the countries and periods), runs bench/bench_pages.py and bench/bench_api.py against it,
and at scale 1 also bench/bench_reports.py (PDFs with 1 and 2 workers, beside WeasyPrint alone) and a
bounded load run (bench/load.py: gunicorn on 127.0.0.1 and wrk, each endpoint beside /healthz). It
prints one table and writes bench/results/summary.json. It measures; nothing here passes or fails on time.

Needs PostgreSQL (BENCH_DATABASE_HOST_URL, default postgres://postgres@127.0.0.1:5432), Redis for the
report workers (BENCH_REDIS_URL, default redis://127.0.0.1:6379/8) and wrk (apt-get install wrk).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
SERVER = os.environ.get("BENCH_DATABASE_HOST_URL", "postgres://postgres@127.0.0.1:5432")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/8")


def database_url(scale: int) -> str:
    return f"{SERVER}/am_bench_x{scale}"


def run(command: list[str], env: dict[str, str], timeout: int = 3600) -> str:
    completed = subprocess.run(
        command, cwd=ROOT, env={**os.environ, **env}, capture_output=True, text=True, timeout=timeout
    )
    if completed.returncode != 0:
        sys.stderr.write(completed.stdout[-4000:] + completed.stderr[-4000:])
        raise SystemExit(f"failed: {' '.join(command)}")
    return completed.stdout


def build(scale: int) -> dict[str, int]:
    """A fresh database for the scale, migrated and filled (in a child process with its own settings)."""
    name = f"am_bench_x{scale}"
    subprocess.run(["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", name], check=True)
    subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", name], check=True)
    code = (
        "import django, json; django.setup();"
        "from django.core.management import call_command; call_command('migrate', verbosity=0);"
        "import sys; sys.path.insert(0, 'bench'); import dataset;"
        f"print(json.dumps(dataset.build(scale={scale})))"
    )
    output = run(
        [sys.executable, "-c", code],
        {"DATABASE_URL": database_url(scale), "DJANGO_SETTINGS_MODULE": "alliance_monitor.settings"},
    )
    return json.loads(output.strip().splitlines()[-1])


def bench_module(script: str, result_file: str, scale: int, arguments: list[str]) -> dict:
    run([sys.executable, f"bench/{script}", *arguments], {"DATABASE_URL": database_url(scale), "REDIS_URL": ""})
    return json.loads((RESULTS / result_file).read_text())


def load_run(scale: int, seconds: int) -> list[dict]:
    """gunicorn (3 workers) on 127.0.0.1, wrk against each read endpoint and the trivial view."""
    sys.path.insert(0, str(ROOT / "bench"))
    import load

    env = {"DATABASE_URL": database_url(scale), "REDIS_URL": ""}
    output = run(
        [sys.executable, "manage.py", "partner_token", "create", f"Load run {time.time():.0f}"],
        {**env, "DJANGO_SETTINGS_MODULE": "alliance_monitor.settings"},
    )
    key = output.strip().splitlines()[-1]  # the command prints the key alone on its last line
    headers = {"Authorization": f"Bearer {key}"}
    server, base = load.start_gunicorn(env)
    try:
        rows = []
        floor = load.wrk(base + "/healthz", seconds=seconds)
        rows.append({"endpoint": "/healthz (floor)", **floor, "of_floor": 1.0})
        for path in ("/api/v1/values/?page_size=100", "/api/v1/countries/", "/api/v1/indicators/"):
            result = load.wrk(base + path, seconds=seconds, headers=headers)
            rows.append({"endpoint": path, **result, "of_floor": round(result["rps"] / floor["rps"], 3)})
        return rows
    finally:
        load.stop(server)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scales", default="1,2,5,10", help="comma-separated data scale factors")
    parser.add_argument("--quick", action="store_true", help="fewer runs and a shorter load run")
    parser.add_argument("--skip-reports", action="store_true")
    parser.add_argument("--skip-load", action="store_true")
    arguments = parser.parse_args()
    scales = [int(part) for part in arguments.scales.split(",")]
    runs = ["--runs", "10" if arguments.quick else "30"]
    summary: dict = {"scales": {}, "load": None, "reports": None}
    RESULTS.mkdir(parents=True, exist_ok=True)
    for scale in scales:
        started = time.perf_counter()
        counts = build(scale)
        print(f"scale {scale}x: {counts} (built in {time.perf_counter() - started:.0f} s)", flush=True)
        pages = bench_module("bench_pages.py", "pages.json", scale, runs)
        api_runs = ["--runs", runs[1], "--csv-runs", "3" if arguments.quick else "10"]
        api = bench_module("bench_api.py", "api.json", scale, api_runs)
        summary["scales"][scale] = {"dataset": counts, "pages": pages["results"], "api": api["results"]}
        if scale == scales[0] and not arguments.skip_load:
            summary["load"] = {"scale": scale, "rows": load_run(scale, 4 if arguments.quick else 10)}
        if scale == scales[0] and not arguments.skip_reports and (ROOT / "bench" / "bench_reports.py").exists():
            run(
                [sys.executable, "bench/bench_reports.py", *(["--quick"] if arguments.quick else [])],
                {"DATABASE_URL": database_url(scale), "REDIS_URL": REDIS_URL},
            )
            summary["reports"] = json.loads((RESULTS / "reports.json").read_text())
    summary["environment"] = {"cpus": os.cpu_count(), "load_average": os.getloadavg(), "when": time.ctime()}
    (RESULTS / "summary.json").write_text(json.dumps(summary, indent=2, default=str) + "\n")
    print_summary(summary, scales)


def print_summary(summary: dict, scales: list[int]) -> None:
    first = scales[0]
    print("\nPages and API: median ms / p95-or-p90 ms / queries / peak KiB, per scale")
    header = f"{'measurement':<46}" + "".join(f"{f'{s}x':>26}" for s in scales) + f"{'growth':>9}"
    print(header)
    print("-" * len(header))
    base = summary["scales"][first]
    for kind, label_key in (("pages", "page"), ("api", "measurement")):
        for index, row in enumerate(base[kind]):
            label = f"{row[label_key]} [{row['as']}]"[:45]
            cells, medians = "", []
            for scale in scales:
                other = summary["scales"][scale][kind][index]
                tail = other.get("p95_ms", other.get("p90_ms"))
                cells += f"{f'{other['median_ms']}/{tail}/{other['queries']}/{other['peak_memory_kib']}':>26}"
                medians.append(other["median_ms"])
            growth = medians[-1] / medians[0] if medians[0] else 0
            print(f"{label:<46}{cells}{f'{growth:.2f}x':>9}")
    values = [summary["scales"][s]["dataset"]["values"] for s in scales]
    print(f"{'values in the database':<46}" + "".join(f"{v:>26}" for v in values) + f"{values[-1] / values[0]:>8.2f}x")
    if summary["load"]:
        print(f"\nLoad at {summary['load']['scale']}x (gunicorn, 3 workers, wrk -t2 -c8):")
        print(f"{'endpoint':<36}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'errors':>8}{'of floor':>10}")
        for row in summary["load"]["rows"]:
            print(
                f"{row['endpoint']:<36}{row['rps']:>9.0f}{row['p50_ms']:>9.1f}{row['p99_ms']:>9.1f}"
                f"{row['errors']:>8}{row['of_floor']:>10.2f}"
            )
    print(f"\nWritten to {(RESULTS / 'summary.json').relative_to(ROOT)}")


if __name__ == "__main__":
    main()
