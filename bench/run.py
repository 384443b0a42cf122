"""One command for every measurement: pages, API, PDF reports and a load run, from 1x to 10x the data.

    make bench                                                   # scales 1,2,5,10; everything
    make bench BENCH_ARGS="--scales 1,2 --quick --skip-reports"  # a fast look
    make bench BENCH_ARGS="--scales 1,10 --quick --skip-pages --skip-reports"  # the API's ratios only

For each scale it builds a PostgreSQL database ``am_bench_x<scale>`` (bench/dataset.py: the demo data,
then N times the countries and periods, then VACUUM ANALYZE) and runs bench/bench_pages.py,
bench/bench_overview.py, bench/bench_public.py (the public site beside the trivial view) and
bench/bench_api.py against it; at the first scale also bench/bench_reports.py (the per-country and the
alliance-wide PDF with 1 and 2 worker processes, beside WeasyPrint alone on the same HTML) and a bounded
load run (bench/load.py: gunicorn on 127.0.0.1 and wrk, each endpoint beside /healthz on the same
server); after the last scale bench/bench_grid.py (the grids and a 55-country dry run, every scale).
It prints the tables, how each cost grew beside the data it depends on, and the aims of the performance
issues met or missed, and writes bench/results/summary.json, with the machine's load average before
every step (the machine is shared: absolute times drift, ratios hold better).
It measures; nothing here passes or fails on time.

Needs PostgreSQL (BENCH_DATABASE_HOST_URL, default postgres://postgres@127.0.0.1:5432), Redis for the
API's page cache and throttle counters, the load run and the report workers (BENCH_REDIS_URL, default
redis://127.0.0.1:6379/8: emptied at the start) and wrk (apt-get install wrk).
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
# Two benchmark runs on one PostgreSQL server need their own databases: BENCH_DB_PREFIX=am_mine_x.
DB_PREFIX = os.environ.get("BENCH_DB_PREFIX", "am_bench_x")
# The load run measures capacity, not the partners' request budget (1,200 an hour per token).
UNLIMITED = {"API_PARTNER_RATE": "100000000/hour", "API_USER_RATE": "100000000/hour"}
LOAD_ENDPOINTS = (
    "/api/v1/values/?page_size=100",
    "/api/v1/changes/?limit=100",
    "/api/v1/commitments/?page_size=100",
    "/api/v1/recommendations/?page_size=100",
    "/api/v1/countries/",
    "/api/v1/countries/NL/",
    "/api/v1/indicators/",
)
# What each measured cost should grow with, at most: "constant" for one page of one country and period.
GROWS_WITH = {
    "data entry": "constant",
    "country page": "periods",
    "completeness matrix": "countries",
    "page of 100 values": "constant",
    "page of 100 changes": "constant",
    "same page": "constant",
    "repeated read": "constant",
    "trivial view": "constant",
    "CSV export": "values",
    "SDMX data": "values",
    # The ministers' view judges every participating country of the round (bench/bench_overview.py).
    "ministers' view": "countries",
    "map": "countries",
    "goal across countries": "countries",
    "country trends": "countries",
}
AIM_MEDIAN_MS = 100
AIM_COUNTRY_PDF_S = 1.5
AIM_ALLIANCE_PDF_S = 20
AIM_PDF_OVERHEAD = 0.15
AIM_CORRECTION_S = 5  # the alliance-wide report again after one country's correction
AIM_OF_FLOOR = 1 / 3
AIM_EXPORT_ROWS_PER_S = 100_000
AIM_FLAT_GROWTH = 1.5  # an API page's cost from the first scale to the last: flat, give or take noise
AIM_PUBLIC_OF_TRIVIAL = 0.5  # a public page or download, beside the trivial view (bench/bench_public.py)


def database_url(scale: int) -> str:
    return f"{SERVER}/{DB_PREFIX}{scale}"


def load_average() -> list[float]:
    return [round(load, 2) for load in os.getloadavg()]


def run(command: list[str], env: dict[str, str], timeout: int = 3600) -> str:
    completed = subprocess.run(
        command, cwd=ROOT, env={**os.environ, **env}, capture_output=True, text=True, timeout=timeout
    )
    if completed.returncode != 0:
        sys.stderr.write(completed.stdout[-4000:] + completed.stderr[-4000:])
        raise SystemExit(f"failed: {' '.join(command)}")
    return completed.stdout


def empty_redis() -> None:
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()


def build(scale: int, keep: bool = False) -> dict[str, int]:
    """A fresh database for the scale, migrated and filled (in a child process with its own settings);
    ``keep``: an existing one is migrated and used as it is (its counts read), when it has values."""
    name = f"{DB_PREFIX}{scale}"
    if keep:
        code = (
            "import django, json; django.setup();"
            "from django.core.management import call_command; call_command('migrate', verbosity=0);"
            "import sys; sys.path.insert(0, 'bench'); import dataset;"
            "from commitments.models import IndicatorValue;"
            "print(json.dumps(dataset._counts() if IndicatorValue.objects.exists() else None))"
        )
        env = {"DATABASE_URL": database_url(scale), "DJANGO_SETTINGS_MODULE": "alliance_monitor.settings"}
        try:
            counts = json.loads(run([sys.executable, "-c", code], env).strip().splitlines()[-1])
        except SystemExit:
            counts = None  # no such database yet
        if counts:
            return counts
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
    env = {"DATABASE_URL": database_url(scale), "REDIS_URL": REDIS_URL}
    run([sys.executable, f"bench/{script}", *arguments], env)
    return json.loads((RESULTS / result_file).read_text())


def csv_runs(values: int, quick: bool) -> int:
    """Timed CSV exports: fewer as they lengthen (one export of the 10x data takes a few seconds)."""
    if quick:
        return 2
    return 3 if values > 200_000 else 5


def load_run(scale: int, seconds: int) -> dict:
    """gunicorn (gthread) on 127.0.0.1; wrk against each read endpoint beside /healthz on the same server.

    The endpoints are polled with one URL each, so after the first request the API's pages come from
    the page cache (what a partner polling an unchanged list costs); a second server with the page
    cache off measures the page of values read from the database every time.
    """
    sys.path.insert(0, str(ROOT / "bench"))
    import load

    env = {"DATABASE_URL": database_url(scale), "REDIS_URL": REDIS_URL, **UNLIMITED}

    def token_headers() -> dict[str, str]:
        """A fresh partner token for each endpoint, so that every run starts alike (an empty throttle
        history: a token's requests of the last hour; measured in process, its length costs nothing)."""
        output = run(
            [sys.executable, "manage.py", "partner_token", "create", f"Load run {time.time_ns()}"],
            {**env, "DJANGO_SETTINGS_MODULE": "alliance_monitor.settings"},
        )
        key = output.strip().splitlines()[-1]  # the command prints the key alone on its last line
        return {"Authorization": f"Bearer {key}"}

    rows = []
    for cache_seconds, paths in (("300", LOAD_ENDPOINTS), ("0", LOAD_ENDPOINTS[:1])):
        server, base = load.start_gunicorn({**env, "API_CACHE_SECONDS": cache_seconds})
        label = "" if cache_seconds != "0" else " (page cache off)"
        try:
            floor = load.wrk(base + "/healthz", seconds=seconds)
            rows.append({"endpoint": f"/healthz (floor){label}", **floor, "of_floor": 1.0})
            for path in paths:
                result = load.wrk(base + path, seconds=seconds, headers=token_headers())
                of_floor = round(result["rps"] / floor["rps"], 3)
                rows.append({"endpoint": path + label, **result, "of_floor": of_floor})
        finally:
            load.stop(server)
    return {
        "scale": scale,
        "server": f"gunicorn -k gthread -w {load.WORKERS} --threads {load.THREADS}",
        "client": "wrk -t2 -c8",
        "seconds_each": seconds,
        "rows": rows,
    }


def reports_run(scale: int, quick: bool) -> dict:
    """bench/bench_reports.py on this scale's database, with real Celery workers on the bench's Redis."""
    arguments = ["--runs", "1" if quick else "3", "--workers", "1,2"]
    run(
        [sys.executable, "bench/bench_reports.py", *arguments],
        {"BENCH_DATABASE_URL": database_url(scale), "BENCH_REDIS_URL": REDIS_URL},
    )
    return json.loads((RESULTS / "reports.json").read_text())


def grid_run(scales: str, runs: str) -> dict:
    """bench/bench_grid.py on the scales' databases (built above): the grids and a 55-country dry run."""
    run([sys.executable, "bench/bench_grid.py", "--scales", scales, "--runs", runs], {})
    return json.loads((RESULTS / "grid.json").read_text())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scales", default="1,2,5,10", help="comma-separated data scale factors")
    parser.add_argument("--quick", action="store_true", help="fewer runs and a shorter load run")
    parser.add_argument("--skip-reports", action="store_true")
    parser.add_argument("--skip-load", action="store_true")
    parser.add_argument("--skip-pages", action="store_true", help="the API (and exports) only")
    parser.add_argument(
        "--keep-databases",
        action="store_true",
        help="use the scales' databases of an earlier run as they are",
    )
    arguments = parser.parse_args()
    scales = [int(part) for part in arguments.scales.split(",")]
    runs = "10" if arguments.quick else "30"
    started_at = time.time()
    summary: dict = {
        "command": " ".join([Path(sys.executable).name, "bench/run.py", *sys.argv[1:]]),
        "scales": {},
        "load": None,
        "reports": None,
        "steps": [],
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    empty_redis()

    def step(name: str, function, *args):
        before, clock = load_average(), time.perf_counter()
        result = function(*args)
        seconds = round(time.perf_counter() - clock, 1)
        summary["steps"].append({"step": name, "seconds": seconds, "load_average_before": before})
        print(f"  {name}: {seconds:.0f} s (load average before: {before[0]})", flush=True)
        return result

    for scale in scales:
        counts = step(f"build {scale}x", build, scale, arguments.keep_databases)
        print(f"scale {scale}x: {counts}", flush=True)
        pages = {"results": []}
        if not arguments.skip_pages:
            pages = step(
                f"pages {scale}x", bench_module, "bench_pages.py", "pages.json", scale, ["--runs", runs]
            )
        overview = {"results": []}
        if not arguments.skip_pages:
            overview = step(
                f"ministers' view {scale}x", bench_module, "bench_overview.py", "overview.json", scale,
                ["--runs", runs],
            )  # fmt: skip
        public = {"rows": []}
        if not arguments.skip_pages:
            public = step(
                f"public site {scale}x", bench_module, "bench_public.py", "public.json", scale,
                ["--seconds", "2" if arguments.quick else "5"],
            )  # fmt: skip
        api_arguments = ["--runs", runs, "--csv-runs", str(csv_runs(counts["values"], arguments.quick))]
        api = step(f"API {scale}x", bench_module, "bench_api.py", "api.json", scale, api_arguments)
        summary["scales"][scale] = {
            "dataset": counts,
            "period": pages.get("period"),
            "pages": pages["results"],
            "overview": overview["results"],
            "api": api["results"],
            "public": public["rows"],
        }
        if scale == scales[0] and not arguments.skip_load:
            summary["load"] = step(f"load {scale}x", load_run, scale, 4 if arguments.quick else 10)
        if scale == scales[0] and not arguments.skip_reports:
            summary["reports"] = step(f"reports {scale}x", reports_run, scale, arguments.quick)
    if not arguments.skip_pages:
        summary["grid"] = step("grid and dry run", grid_run, arguments.scales, runs)
    summary["environment"] = {
        "cpus": os.cpu_count(),
        "load_average_end": load_average(),
        "started": time.ctime(started_at),
        "finished": time.ctime(),
        "minutes": round((time.time() - started_at) / 60, 1),
    }
    (RESULTS / "summary.json").write_text(json.dumps(summary, indent=2, default=str) + "\n")
    print_summary(summary, scales)


# --- the tables -------------------------------------------------------------------------------------------


def _rows(summary: dict, scales: list[int]):
    """(label, per-scale rows) of every page and API measurement, in the order measured."""
    base = summary["scales"][scales[0]]
    for kind, label_key in (("pages", "page"), ("overview", "page"), ("api", "measurement")):
        for index, row in enumerate(base.get(kind, [])):
            label = f"{row[label_key]} [{row['as']}]"
            yield label, [summary["scales"][scale][kind][index] for scale in scales]


def _grows_with(label: str) -> str:
    return next((driver for prefix, driver in GROWS_WITH.items() if label.startswith(prefix)), "constant")


def _data_growth(summary: dict, scales: list[int]) -> dict[str, float]:
    first, last = summary["scales"][scales[0]]["dataset"], summary["scales"][scales[-1]]["dataset"]
    growth = {name: last[name] / first[name] for name in first if first[name]}
    growth["constant"] = 1.0
    return growth


def print_summary(summary: dict, scales: list[int]) -> None:
    first, last = f"{scales[0]}x", f"{scales[-1]}x"
    data = _data_growth(summary, scales)
    width = 58
    print(f"\nPages and API, in process: median ms (p95 or p90), per scale; growth {first} -> {last}")
    header = (
        f"{'measurement [as]':<{width}}"
        + "".join(f"{f'{s}x':>16}" for s in scales)
        + f"{'growth':>9}{'grows with':>12}{'data':>9}"
    )
    print(header)
    print("-" * len(header))
    for label, rows in _rows(summary, scales):
        cells = "".join(f"{f'{r["median_ms"]} ({r.get("p95_ms", r.get("p90_ms"))})':>16}" for r in rows)
        growth = rows[-1]["median_ms"] / rows[0]["median_ms"] if rows[0]["median_ms"] else 0
        driver = _grows_with(label)
        print(f"{label[: width - 1]:<{width}}{cells}{growth:>8.2f}x{driver:>12}{data[driver]:>8.2f}x")

    print("\nQueries / peak Python memory (KiB) of one request, per scale")
    header = f"{'measurement [as]':<{width}}" + "".join(f"{f'{s}x':>16}" for s in scales)
    print(header)
    print("-" * len(header))
    for label, rows in _rows(summary, scales):
        cells = "".join(f"{f'{r["queries"]} / {r["peak_memory_kib"]}':>16}" for r in rows)
        print(f"{label[: width - 1]:<{width}}{cells}")

    print("\nWhole exports: rows per second at the median time, per scale (aim: 100,000 or more)")
    header = f"{'export [as]':<{width}}" + "".join(f"{f'{s}x':>16}" for s in scales)
    print(header)
    print("-" * len(header))
    for label, rows in _rows(summary, scales):
        if "rows_per_s" in rows[0]:
            cells = "".join(f"{f'{r["rows_per_s"]:,} ({r["rows"]:,})':>16}" for r in rows)
            print(f"{label[: width - 1]:<{width}}{cells}")

    print(
        "\nIn process, one request at a time, a partner's repeated reads beside the trivial view (share\n"
        "of its rate). Each read waits for one Redis round trip, /healthz for none: on a busy machine this\n"
        "is the scheduler's latency, not work. The aim (1/3 under the same load) is judged by the load run."
    )
    header = f"{'read [as]':<{width}}" + "".join(f"{f'{s}x':>16}" for s in scales)
    print(header)
    print("-" * len(header))
    for label, rows in _rows(summary, scales):
        if "of_floor" in rows[0]:
            print(f"{label[: width - 1]:<{width}}" + "".join(f"{r['of_floor']:>16.2f}" for r in rows))

    print("\nData per scale")
    for name in summary["scales"][scales[0]]["dataset"]:
        counts = [summary["scales"][s]["dataset"][name] for s in scales]
        print(f"{name:<{width}}" + "".join(f"{c:>16}" for c in counts) + f"{data.get(name, 0):>8.2f}x")

    if summary["load"]:
        load = summary["load"]
        print(
            f"\nLoad at {load['scale']}x ({load['server']}; {load['client']}, {load['seconds_each']} s each):"
        )
        print(f"{'endpoint':<52}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'errors':>8}{'of floor':>10}")
        for row in load["rows"]:
            print(
                f"{row['endpoint']:<52}{row['rps']:>9.0f}{row['p50_ms']:>9.1f}{row['p99_ms']:>9.1f}"
                f"{row['errors']:>8}{row['of_floor']:>10.2f}"
            )

    if summary["reports"]:
        print(f"\nReports at {scales[0]}x (Celery prefork workers; wall time from request to ready):")
        print(
            f"{'report':<15}{'workers':>8}{'wall s':>9}{'pages':>7}{'WeasyPrint alone s':>20}"
            f"{'over, wall':>12}{'worker CPU s':>14}{'over, CPU':>11}{'cores used':>11}{'peak MiB/proc':>15}"
        )
        for row in summary["reports"]["results"]:
            alone, cpu = row["weasyprint_alone_seconds"], row["worker_cpu_seconds_median"]
            print(
                f"{row['report']:<15}{row['worker_processes']:>8}{row['wall_seconds_median']:>9.2f}"
                f"{row['pages']:>7}{alone:>20.2f}{row['wall_seconds_median'] / alone - 1:>+12.0%}"
                f"{cpu:>14.2f}{cpu / alone - 1:>+11.0%}"
                f"{row['cores_used']:>11.2f}{row['peak_rss_mib_one_process']:>15.1f}"
            )
        print(
            "  over, wall: wall time over WeasyPrint alone; over, CPU: the workers' CPU time over it (what\n"
            "  the pipeline itself adds, whatever else the machine runs); cores used: worker CPU / wall time."
        )
        print("\nThe 15% budget, in one process on the same HTML (CPU seconds, medians of interleaved runs):")
        print(
            f"{'report':<15}{'old: untagged WeasyPrint s':>28}{'tagged WeasyPrint s':>21}"
            f"{'ours s':>9}{'ours/old':>10}"
        )
        shown = set()
        for row in summary["reports"]["results"]:
            one = row.get("in_process")
            if not one or row["report"] in shown:
                continue
            shown.add(row["report"])
            print(
                f"{row['report']:<15}{one['old_cpu_s']:>28.2f}{one['tagged_cpu_s']:>21.2f}"
                f"{one['ours_cpu_s']:>9.2f}{one['ours_over_old']:>+10.0%}"
            )
            if one.get("spread"):
                print(f"  {one['spread']}")
        for row in summary["reports"]["results"]:
            again = row.get("after_one_correction")
            if again:
                print(
                    f"alliance-wide, {row['worker_processes']} worker(s), "
                    f"after correcting {again['corrected']}: {again['wall_seconds']:.2f} s "
                    f"({again['parts_rendered']} of {again['parts']} parts rendered)"
                )

    print_aims(summary, scales)
    loads = ", ".join(f"{s['step']} {s['load_average_before'][0]}" for s in summary["steps"])
    print(f"\nMachine: {summary['environment']['cpus']} CPUs; load average (1 min) before each step: {loads}")
    print(f"Written to {(RESULTS / 'summary.json').relative_to(ROOT)}")


def print_aims(summary: dict, scales: list[int]) -> None:
    """The issue's aims, met or missed, from this run's figures."""
    print("\nAims")

    def verdict(met: bool, text: str) -> None:
        print(f"  [{'met' if met else 'MISSED'}] {text}")

    for label, rows in _rows(summary, scales):
        if label.startswith(("CSV export", "SDMX data", "same page, unchanged")):
            continue  # the export is not a page; a 304 has no page
        counts = {row["queries"] for row in rows}
        verdict(len(counts) == 1, f"constant queries: {label}: {sorted(counts)}")
    for label, rows in _rows(summary, scales):
        if "rows_per_s" in rows[0]:
            slowest = min(row["rows_per_s"] for row in rows)
            verdict(
                slowest >= AIM_EXPORT_ROWS_PER_S,
                f"export >= 100,000 rows/s at every scale: {label}: {slowest:,}",
            )
    for label, rows in _rows(summary, scales):
        if label.startswith(("CSV export", "SDMX data")):
            continue
        median = rows[0]["median_ms"]
        verdict(median < AIM_MEDIAN_MS, f"median < {AIM_MEDIAN_MS} ms at {scales[0]}x: {label}: {median} ms")
    for label, rows in _rows(summary, scales):
        if not label.startswith(("page of 100", "same page", "repeated read")) or len(rows) < 2:
            continue
        growth = rows[-1]["median_ms"] / rows[0]["median_ms"] if rows[0]["median_ms"] else 0
        verdict(
            growth <= AIM_FLAT_GROWTH,
            f"flat from {scales[0]}x to {scales[-1]}x (<= {AIM_FLAT_GROWTH}x): {label}: {growth:.2f}x",
        )
    for row in (summary["reports"] or {}).get("results", []):
        aim = AIM_COUNTRY_PDF_S if row["report"] == "per-country" else AIM_ALLIANCE_PDF_S
        wall, alone = row["wall_seconds_median"], row["weasyprint_alone_seconds"]
        name = f"{row['report']} PDF, {row['worker_processes']} worker(s)"
        verdict(wall < aim, f"{name} < {aim} s: {wall:.2f} s")
        cpu = row["worker_cpu_seconds_median"]
        verdict(wall / alone - 1 < AIM_PDF_OVERHEAD, f"{name} overhead < 15%, wall: {wall / alone - 1:+.0%}")
        verdict(cpu / alone - 1 < AIM_PDF_OVERHEAD, f"{name} overhead < 15%, CPU: {cpu / alone - 1:+.0%}")
        one = row.get("in_process")
        if one:
            verdict(
                one["ours_over_old"] < AIM_PDF_OVERHEAD,
                f"{row['report']} PDF, ours over old in one process (CPU) < 15%: {one['ours_over_old']:+.0%}",
            )
        again = row.get("after_one_correction")
        if again:
            verdict(
                again["wall_seconds"] < AIM_CORRECTION_S,
                f"{name} after one correction < {AIM_CORRECTION_S} s: {again['wall_seconds']:.2f} s",
            )
    for row in summary["scales"][scales[0]].get("public", []):
        verdict(
            row["of_trivial"] >= AIM_PUBLIC_OF_TRIVIAL,
            f"public site, >= 1/2 of the trivial view at {scales[0]}x: {row['url']}: {row['of_trivial']}",
        )
    grid_first = (summary.get("grid") or {}).get(str(scales[0])) or (summary.get("grid") or {}).get(scales[0])
    sys.path.insert(0, str(ROOT / "bench"))
    from bench_grid import AIMS_MS as AIM_GRID_MS

    for name, row in (grid_first or {}).get("rows", {}).items():
        if name in AIM_GRID_MS:
            aim = AIM_GRID_MS[name]
            verdict(row["median_ms"] < aim, f"{name} < {aim} ms at {scales[0]}x: {row['median_ms']} ms")
    if summary["load"]:
        for row in summary["load"]["rows"]:
            if row["endpoint"].startswith("/healthz"):
                continue
            verdict(row["errors"] == 0, f"load, no errors: {row['endpoint']}: {row['errors']}")
            verdict(
                row["of_floor"] >= AIM_OF_FLOOR,
                f"load, >= 1/3 of floor: {row['endpoint']}: {row['of_floor']}",
            )


if __name__ == "__main__":
    main()
