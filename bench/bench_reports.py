"""Benchmark of the evaluation reports: a per-country and the alliance-wide report, 1 and 2 workers.

    DEMO_PASSWORD=... .venv/bin/python bench/bench_reports.py [--runs 3] [--country BE]

On the full demo dataset in PostgreSQL (database am_bench_reports, created, migrated and seeded here
when missing) and Redis (REDIS_URL, default db 12), with real Celery workers (prefork, -c 1 and -c 2).
For each report and worker count it measures:
- wall time from the request to "ready" as the requester sees it (the median of --runs);
- pages;
- peak memory: the highest resident set size (VmHWM) of any worker process, and of all together;
- after one approved value of one country is corrected, the alliance-wide report again: wall time, the
  parts rendered again and the time from the last part to ready (the joining);
- in this process, on the same HTML, interleaved document by document (median of --in-process-runs):
  WeasyPrint alone untagged ("old": rendering before tagging and PDF/A), WeasyPrint alone tagged
  (PDF/A-3a), and "ours", the whole build as the pipeline does it (tagged rendering, PDF/UA repairs, for the
  alliance-wide report the front, the overlays and the join) without the database and the queue: the
  tagged rendering measured once and what follows it on the same output. Ours over old is the 15%
  budget. Each build is charged the collection of its own garbage (see ``timed``). `--in-process-only`
  measures only this (default 9 per-country and 3 alliance-wide runs, the order of old and tagged
  turned round from one document to the next; it prints every run's CPU time and ratios, the spread).
It prints a table and writes bench/results/reports.json. It measures; it does not pass or fail.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR / "bench"))
from report_workers import Worker, pool_cpu_seconds  # noqa: E402

DATABASE_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/am_bench_reports")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/12")
RESULTS = BASE_DIR / "bench" / "results" / "reports.json"

os.environ["DATABASE_URL"] = DATABASE_URL
os.environ["REDIS_URL"] = REDIS_URL
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "alliance_monitor.settings")
os.environ.setdefault("MEDIA_ROOT", tempfile.mkdtemp(prefix="bench-reports-"))
os.environ.setdefault("LOG_LEVEL", "WARNING")
sys.path.insert(0, str(BASE_DIR))


def ensure_database() -> None:
    name = DATABASE_URL.rsplit("/", 1)[-1]
    exists = subprocess.run(
        [
            "psql",
            "-h",
            "127.0.0.1",
            "-U",
            "postgres",
            "-tAc",
            f"SELECT 1 FROM pg_database WHERE datname='{name}'",
        ],
        capture_output=True,
        text=True,
    ).stdout.strip()
    if exists != "1":
        subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", name], check=True)


def spread(one: dict) -> str:
    """The spread of an in-process comparison: CPU seconds of every run, and each run's own ratios."""
    ranges = ", ".join(
        f"{name} {min(one[f'{name}_cpu_all']):.2f}-{max(one[f'{name}_cpu_all']):.2f}"
        for name in ("old", "tagged", "ours")
    )
    ratios = ", ".join(
        f"{label} {min(one[key]):+.0%} to {max(one[key]):+.0%} (median {statistics.median(one[key]):+.0%})"
        for label, key in (("tagged", "tagged_over_old_cpu_runs"), ("ours", "ours_over_old_cpu_runs"))
    )
    return f"CPU s per run: {ranges}; over old, run by run: {ratios}"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=3, help="Measured runs per report and worker count")
    parser.add_argument("--country", default="BE", help="The country of the per-country report")
    parser.add_argument(
        "--round", dest="round_label", help="Label of the round (default: the latest with approved data)"
    )
    parser.add_argument("--workers", default="1,2", help="Worker process counts to measure")
    parser.add_argument(
        "--in-process-runs",
        default="9,3",
        help="Repetitions of the in-process comparison: per-country,alliance-wide (medians and spread)",
    )
    parser.add_argument(
        "--in-process-only",
        action="store_true",
        help="Only the in-process comparison (the 15%% budget), without workers",
    )
    parser.add_argument(
        "--baseline",
        help="reports.json of an earlier run (say, of the code before a change) to print beside this one",
    )
    args = parser.parse_args()

    ensure_database()
    import django

    django.setup()
    from django.core.management import call_command
    from django.utils import timezone, translation

    from alliance_monitor.celery import app as celery_app
    from commitments.models import Country, EvaluationRound, IndicatorValue
    from reporting import document, selectors, services
    from reporting.content import Book
    from reporting.models import Report, ReportPart
    from reporting.pdf import page_number_overlay, render_pdf

    call_command("migrate", verbosity=0)
    if not IndicatorValue.objects.filter(is_demo=True).exists():
        if not os.environ.get("DEMO_PASSWORD"):
            raise SystemExit("The bench database has no demo data: set DEMO_PASSWORD to seed it.")
        call_command("seed_demo", verbosity=0)
    if not args.in_process_only:  # (no workers then: the queue is left alone)
        celery_app.control.purge()
    # The latest round with approved values for its evaluation period (the demo's newest round is being
    # collected: a report of it has next to nothing to print, and no value to correct).
    rounds = EvaluationRound.objects.order_by("-ministerial_date")
    if args.round_label:
        evaluation_round = rounds.get(label=args.round_label)
    else:
        evaluation_round = next(
            (
                one
                for one in rounds
                if IndicatorValue.objects.filter(period=one.evaluation_period, status="approved").exists()
            ),
            rounds.first(),
        )
    print(f"round {evaluation_round.label}", flush=True)
    country = Country.objects.get(code=args.country)

    def request_and_wait(
        kind: str, worker: Worker | None = None, *, reuse: bool = False
    ) -> tuple[float, Report, float]:
        if not reuse:
            # A full render: no part taken from an earlier report (the kept parts are forgotten).
            ReportPart.objects.update(content_hash="")
        cpu_before = pool_cpu_seconds(worker.process.pid) if worker else 0.0
        started = time.perf_counter()
        report = services.report_request(
            user=None,
            kind=kind,
            evaluation_round=evaluation_round,
            country=country if kind == Report.Kind.COUNTRY else None,
            language="en",
        )
        while True:
            report.refresh_from_db()
            if report.status in {Report.Status.READY, Report.Status.FAILED}:
                break
            time.sleep(0.02)
        elapsed = time.perf_counter() - started
        if report.status != Report.Status.READY:
            raise SystemExit(f"Report {report.pk} failed: {report.error}")
        cpu = pool_cpu_seconds(worker.process.pid) - cpu_before if worker else 0.0
        return elapsed, report, cpu

    # In this process, on the same HTML, one after the other in every repetition (so that all three meet
    # the same load), the median of each:
    # - "old": WeasyPrint alone, untagged (no pdf_variant): what rendering cost before tagging;
    # - "tagged": WeasyPrint alone, PDF/A-3a (tagged);
    # - "ours": the whole build as the pipeline does it, without the database and the queue: tagged
    #   rendering, the PDF/UA repairs, and for the alliance-wide report the front, the overlays and the
    #   join (nothing taken from kept parts).
    def in_process(kind: str, repeats: int) -> dict[str, float | int]:
        from types import SimpleNamespace

        from reporting.pdf import REPORT_VARIANT, footer_overlay
        from reporting.pdfjoin import finish, join_tagged

        report = Report(
            kind=kind,
            evaluation_round=evaluation_round,
            country=country if kind == Report.Kind.COUNTRY else None,
            language="en",
        )
        with translation.override("en"):
            data = selectors.report_data(
                evaluation_round=evaluation_round,
                country=report.country if kind == Report.Kind.COUNTRY else None,
            )
            frozen = {
                "data": data,
                "snapshot": selectors.data_snapshot(data),
                "generated_at": timezone.now().isoformat(),
            }
            book = Book(data)
            if kind == Report.Kind.COUNTRY:
                documents = [document.country_report_html(book=book, frozen=frozen, report=report)]
            else:
                documents = [
                    document.alliance_part_html(book=book, frozen=frozen, report=report, key=spec.key)
                    for spec in document.alliance_plan(book)
                ]
            anchors = {entry.anchor for entry in document.alliance_toc(book)}

            rendered: list = [None] * len(documents)

            def timed(build) -> tuple[object, float, float]:
                """What ``build`` returns, its wall and CPU seconds.

                Each build starts on a collected heap and pays for collecting its own garbage: a render
                leaves about 0.1 s of cycles to collect (per-country), which otherwise lands on whichever
                build runs when the collector's threshold is reached (it alternated between old and
                tagged, and moved the ratio by about 20 points either way). But not for the collector's
                walk over the rest of this process's heap (about 0.08 s a collection here, whatever the
                build did): a collection with nothing to collect, timed right after, is taken off.
                """
                gc.collect()
                started, cpu = time.perf_counter(), time.process_time()
                result = build()
                gc.collect()
                wall, cpu = time.perf_counter() - started, time.process_time() - cpu
                started, idle = time.perf_counter(), time.process_time()
                gc.collect()
                return result, wall - (time.perf_counter() - started), cpu - (time.process_time() - idle)

            def old_and_tagged(repeat: int) -> dict[str, float]:
                """Old and tagged, document by document (the alliance-wide report's 75 parts), the order
                turned round from one document to the next: both meet the machine in the same state, which
                whole 30-second blocks of one and then the other did not (the ratio moved 9 to 23 points
                between runs)."""
                sums = {"old": 0.0, "old_cpu": 0.0, "tagged": 0.0, "tagged_cpu": 0.0}
                pages = 0
                for index, html in enumerate(documents):
                    builds = [
                        ("old", lambda html=html: render_pdf(html=html)),
                        (
                            "tagged",
                            lambda html=html: render_pdf(
                                html=html, variant=REPORT_VARIANT, joined_later=kind == Report.Kind.ALLIANCE
                            ),
                        ),
                    ]
                    if (repeat + index) % 2:
                        builds.reverse()
                    for name, build in builds:
                        one, wall, cpu = timed(build)
                        sums[name] += wall
                        sums[f"{name}_cpu"] += cpu
                        if name == "tagged":
                            rendered[index] = one
                            pages += one.pages
                if kind == Report.Kind.ALLIANCE:  # old stamped its page numbers with an overlay too
                    _none, wall, cpu = timed(lambda: page_number_overlay(pages=pages + 3))
                    sums["old"] += wall
                    sums["old_cpu"] += cpu
                return sums

            def after_tagging() -> int:
                """What ours adds to the tagged rendering (the same rendering: it is not done twice)."""
                if kind == Report.Kind.COUNTRY:
                    finish(rendered[0].pdf, **document.pdf_metadata(book, frozen, report))
                    return rendered[0].pages
                parts, pieces = [], []
                for one in rendered:
                    pieces.append(one.pdf)
                    kept = {a: p for a, p in one.anchors.items() if a in anchors}
                    parts.append(SimpleNamespace(anchors=kept, page_count=one.pages))
                front, front_pages, bookmarks = document.render_front(
                    book=book, frozen=frozen, report=report, parts=parts
                )
                total = front_pages + sum(part.page_count for part in parts)
                footer = document.common_context(book=book, frozen=frozen, report=report)["footer"]
                _pdf, pages = join_tagged(
                    pieces=[*front, *pieces],
                    numbers=page_number_overlay(pages=total),
                    footer=footer_overlay(footer=footer),
                    bookmarks=bookmarks,
                    **document.pdf_metadata(book, frozen, report),
                )
                return pages

            measured: dict[str, list[float]] = {}
            pages = 0
            for repeat in range(repeats):
                for name, value in old_and_tagged(repeat).items():
                    measured.setdefault(name, []).append(value)
                pages, wall, cpu = timed(after_tagging)
                measured.setdefault("after_tagging", []).append(wall)
                measured.setdefault("after_tagging_cpu", []).append(cpu)
                # Ours: the tagged rendering and what comes after it (the pipeline's whole build).
                for suffix in ("", "_cpu"):
                    measured.setdefault(f"ours{suffix}", []).append(
                        measured[f"tagged{suffix}"][-1] + measured[f"after_tagging{suffix}"][-1]
                    )
                print(
                    f"  in process, {kind}: run {repeat + 1} of {repeats}: "
                    f"old {measured['old_cpu'][-1]:.2f} s CPU, ours {measured['ours_cpu'][-1]:.2f} s CPU",
                    flush=True,
                )
        result: dict[str, float | int | list] = {
            name: statistics.median(times) for name, times in measured.items()
        }
        for name in ("old", "tagged", "ours"):
            result[f"{name}_cpu_all"] = [round(t, 3) for t in measured[f"{name}_cpu"]]
        # Each repetition's own ratio (the same load for the three builds): how far the figure moves.
        for name in ("tagged", "ours"):
            result[f"{name}_over_old_cpu_runs"] = [
                round(new / base - 1, 3)
                for new, base in zip(measured[f"{name}_cpu"], measured["old_cpu"], strict=True)
            ]
        result["pages"] = pages
        result["runs"] = repeats
        return result

    def font_count(report: Report) -> int | None:
        """Fonts embedded in the report (pdffonts' rows), when this code writes them somewhere readable."""
        path = Path(os.environ["MEDIA_ROOT"]) / report.file.name
        if not path.exists():
            return None
        listing = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True).stdout
        return max(0, len(listing.splitlines()) - 2)

    def measure_correction(worker: Worker) -> dict | None:
        """One approved value of one country corrected, then the alliance-wide report requested again:
        with kept parts, only what shows that value is rendered again."""
        if not hasattr(ReportPart, "reused"):
            return None  # code without kept parts
        request_and_wait(Report.Kind.ALLIANCE, worker, reuse=True)  # the parts of the current data
        value = (
            IndicatorValue.objects.filter(
                country=country,
                period=evaluation_round.evaluation_period,
                number_value__isnull=False,
                status="approved",  # (only approved values are printed)
            )
            .order_by("indicator__code")
            .first()
        )
        if value is None:
            return None
        original = value.number_value
        IndicatorValue.objects.filter(pk=value.pk).update(number_value=original + 1)
        try:
            elapsed, report, cpu = request_and_wait(Report.Kind.ALLIANCE, worker, reuse=True)
        finally:
            IndicatorValue.objects.filter(pk=value.pk).update(number_value=original)
        parts = list(report.parts.all())
        parts_done = max(part.finished_at for part in parts)
        return {
            "corrected": f"{country.code} {value.indicator.code}",
            "wall_seconds": round(elapsed, 3),
            # The pool's CPU time for it: what it costs when the machine's cores are not free.
            "worker_cpu_seconds": round(cpu, 3),
            "keys_rendered": sorted(part.key for part in parts if not part.reused),
            # From the last part done to ready: the cover, contents, overlays and the join.
            "join_seconds": round((report.finished_at - parts_done).total_seconds(), 3),
            "parts_rendered": sum(1 for part in parts if not part.reused),
            "parts": len(parts),
        }

    if args.in_process_only:
        runs = [max(1, int(n)) for n in args.in_process_runs.split(",")]
        in_process(Report.Kind.COUNTRY, 1)  # warm-up: fonts, the stylesheet
        figures = {
            "per-country": in_process(Report.Kind.COUNTRY, runs[0]),
            "alliance-wide": in_process(Report.Kind.ALLIANCE, runs[-1]),
        }
        for name, one in figures.items():
            print(
                f"{name}: old (untagged WeasyPrint) {one['old']:.2f} s wall / {one['old_cpu']:.2f} s CPU, "
                f"tagged {one['tagged']:.2f} / {one['tagged_cpu']:.2f}, ours {one['ours']:.2f} / "
                f"{one['ours_cpu']:.2f}; ours over old (CPU) {one['ours_cpu'] / one['old_cpu'] - 1:+.1%}, "
                f"(wall) {one['ours'] / one['old'] - 1:+.1%}; {one['runs']} runs, {one['pages']} pages"
            )
            print(f"  {spread(one)}")
        load = os.getloadavg()
        print(f"machine: {os.cpu_count()} CPUs, load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        (RESULTS.parent / "reports_in_process.json").write_text(
            json.dumps({"results": figures, "load_average_end": load}, indent=2) + "\n"
        )
        return

    results = []
    for processes in [int(n) for n in args.workers.split(",")]:
        for kind in [Report.Kind.COUNTRY, Report.Kind.ALLIANCE]:
            worker = Worker(processes)
            incremental = None
            try:
                request_and_wait(Report.Kind.COUNTRY, worker)  # warm the pool (imports, fonts), not measured
                count = args.runs if kind == Report.Kind.COUNTRY else max(1, args.runs - 1)
                runs = [request_and_wait(kind, worker) for _ in range(count)]
                if kind == Report.Kind.ALLIANCE:
                    incremental = measure_correction(worker)
            finally:
                peak_one, peak_all = worker.stop()
            last = runs[-1][1]
            parts = list(last.parts.all())
            results.append(
                {
                    "report": "per-country" if kind == Report.Kind.COUNTRY else "alliance-wide",
                    "country": country.code if kind == Report.Kind.COUNTRY else None,
                    "worker_processes": processes,
                    "runs": len(runs),
                    "wall_seconds_median": round(statistics.median(r[0] for r in runs), 3),
                    "wall_seconds_all": [round(r[0], 3) for r in runs],
                    "pages": last.page_count,
                    "size_bytes": last.size,
                    "parts": len(parts),
                    "weasyprint_seconds_in_workers": round(sum(p.render_seconds or 0 for p in parts), 3)
                    or None,
                    # CPU time the pool used per report; over the wall time: how many cores it got.
                    "worker_cpu_seconds_median": round(statistics.median(r[2] for r in runs), 3),
                    "cores_used": round(statistics.median(r[2] / r[0] for r in runs), 2),
                    "peak_rss_mib_one_process": round(peak_one / 1024, 1),
                    "peak_rss_mib_all_processes": round(peak_all / 1024, 1),
                    "font_subsets": font_count(last),
                    "after_one_correction": incremental,
                }
            )
            print(f"  measured {results[-1]['report']} with {processes} worker process(es)", flush=True)

    in_process_runs = [max(1, int(n)) for n in args.in_process_runs.split(",")]
    in_process(Report.Kind.COUNTRY, 1)  # warm-up: fonts, the stylesheet
    alone = {
        Report.Kind.COUNTRY: in_process(Report.Kind.COUNTRY, in_process_runs[0]),
        Report.Kind.ALLIANCE: in_process(Report.Kind.ALLIANCE, in_process_runs[-1]),
    }
    for row in results:
        kind = Report.Kind.COUNTRY if row["report"] == "per-country" else Report.Kind.ALLIANCE
        row["weasyprint_alone_seconds"] = round(alone[kind]["old"], 3)
        row["in_process"] = {
            "runs": alone[kind]["runs"],
            "old_untagged_weasyprint_s": round(alone[kind]["old"], 3),
            "tagged_weasyprint_s": round(alone[kind]["tagged"], 3),
            "ours_s": round(alone[kind]["ours"], 3),
            "old_cpu_s": round(alone[kind]["old_cpu"], 3),
            "tagged_cpu_s": round(alone[kind]["tagged_cpu"], 3),
            "ours_cpu_s": round(alone[kind]["ours_cpu"], 3),
            # On CPU time (one process, so CPU is the cost; wall time drifts with the machine's load).
            "ours_over_old": round(alone[kind]["ours_cpu"] / alone[kind]["old_cpu"] - 1, 3),
            "ours_over_old_wall": round(alone[kind]["ours"] / alone[kind]["old"] - 1, 3),
            "spread": spread(alone[kind]),
            **{key: value for key, value in alone[kind].items() if key.endswith(("_all", "_runs"))},
        }

    header = (
        f"{'report':<14} {'workers':>7} {'wall s':>8} {'pages':>6} {'WeasyPrint alone s':>19} "
        f"{'worker CPU s':>13} {'cores used':>10} {'peak MiB/proc':>14} {'peak MiB all':>13}"
    )
    print()
    print(header)
    print("-" * len(header))
    for row in results:
        print(
            f"{row['report']:<14} {row['worker_processes']:>7} {row['wall_seconds_median']:>8.2f} "
            f"{row['pages']:>6} {row['weasyprint_alone_seconds']:>19.2f} "
            f"{row['worker_cpu_seconds_median']:>13.2f} {row['cores_used']:>10.2f} "
            f"{row['peak_rss_mib_one_process']:>14.1f} "
            f"{row['peak_rss_mib_all_processes']:>13.1f}"
        )
    print(
        "\nThe 15% budget, in this process, on the same HTML (median of "
        f"{results[0]['in_process']['runs']} runs each, interleaved):"
    )
    print(
        f"{'report':<14} {'old: WeasyPrint untagged s':>27} {'tagged s':>9} {'ours s':>8} "
        f"{'old CPU s':>10} {'tagged CPU s':>13} {'ours CPU s':>11} {'ours/old CPU':>13} "
        f"{'ours/old wall':>14}"
    )
    for row in results:
        if row["worker_processes"] != results[0]["worker_processes"]:
            continue
        one = row["in_process"]
        print(
            f"{row['report']:<14} {one['old_untagged_weasyprint_s']:>27.2f} "
            f"{one['tagged_weasyprint_s']:>9.2f} {one['ours_s']:>8.2f} {one['old_cpu_s']:>10.2f} "
            f"{one['tagged_cpu_s']:>13.2f} {one['ours_cpu_s']:>11.2f} {one['ours_over_old']:>+13.0%} "
            f"{one['ours_over_old_wall']:>+14.0%}"
        )
        print(f"  {row['report']}: {one['spread']}")
    for row in results:
        if row.get("after_one_correction"):
            again = row["after_one_correction"]
            print(
                f"{row['report']} with {row['worker_processes']} worker(s), "
                f"after correcting {again['corrected']}: {again['wall_seconds']:.2f} s "
                f"(workers' CPU {again['worker_cpu_seconds']:.2f} s; joining {again['join_seconds']:.2f} s), "
                f"{again['parts_rendered']} of {again['parts']} parts rendered again"
            )
    sizes = ", ".join(
        f"{row['report']} {row['size_bytes'] / 1e6:.2f} MB ({row['font_subsets']} fonts)" for row in results
    )
    print(f"files: {sizes}")
    if args.baseline:
        baseline = json.loads(Path(args.baseline).read_text())["results"]
        print("\nbeside the baseline (" + args.baseline + "):")
        print(
            f"{'report':<14} {'workers':>7} {'wall s':>8} {'baseline s':>10} {'change':>7} "
            f"{'MB':>6} {'base MB':>8}"
        )
        for row in results:
            base = next(
                (
                    b
                    for b in baseline
                    if b["report"] == row["report"] and b["worker_processes"] == row["worker_processes"]
                ),
                None,
            )
            if base is None:
                continue
            change = row["wall_seconds_median"] / base["wall_seconds_median"] - 1
            print(
                f"{row['report']:<14} {row['worker_processes']:>7} {row['wall_seconds_median']:>8.2f} "
                f"{base['wall_seconds_median']:>10.2f} {change:>+7.0%} {row['size_bytes'] / 1e6:>6.2f} "
                f"{(base.get('size_bytes') or 0) / 1e6:>8.2f}"
            )
            row["baseline"] = {
                k: base.get(k) for k in ("wall_seconds_median", "size_bytes", "weasyprint_alone_seconds")
            }
    load = os.getloadavg()
    print(
        f"\nmachine: {os.cpu_count()} CPUs, load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} at the end"
    )
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(
        json.dumps(
            {
                "benchmark": "evaluation reports (bench/bench_reports.py)",
                "measured_at": timezone.now().isoformat(),
                "machine": {
                    "cpus": os.cpu_count(),
                    "python": platform.python_version(),
                    "load_average_end": load,
                },
                "dataset": {
                    "database": DATABASE_URL.rsplit("/", 1)[-1],
                    "indicator_values": IndicatorValue.objects.count(),
                    "countries_in_round": len(
                        selectors.report_data(evaluation_round=evaluation_round)["countries"]
                    ),
                },
                "results": results,
            },
            indent=2,
        )
        + "\n"
    )
    print(f"written: {RESULTS.relative_to(BASE_DIR)}")


if __name__ == "__main__":
    main()
