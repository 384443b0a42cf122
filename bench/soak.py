"""The soak: the app under steady use while Redis dies, the worker is killed and gunicorn reloads.

    python bench/soak.py --minutes 8        (BENCH_DB_PREFIX, BENCH_DATABASE_HOST_URL as bench/run.py)

On 127.0.0.1 only, bounded in time (the run, then at most ``--grace`` seconds for the last reports):

- a fresh PostgreSQL database ``<BENCH_DB_PREFIX>soak`` with the demo data, and a private redis-server
  of the soak's own (never the machine's Redis);
- gunicorn (2 gthread workers, 4 threads each, production settings), one Celery worker (prefork, 2
  processes) and Celery beat;
- 4 staff writers, each saving one value of its own over and over through the API (increasing numbers,
  with the version it was given back), 3 partner readers polling the API lists, and a reviewer who
  requests a country report once a minute through the web page;
- the faults, at fixed fractions of the run (for 8 minutes: at 2:00 Redis is killed for a minute, at
  4:30 the whole worker (main process and pool) is SIGKILLed and started again 5 s later, as a
  supervisor would, at 6:00 gunicorn is reloaded with SIGHUP).

It prints a table a minute (requests, errors, saves, reads, throughput, latencies, readiness, events), the
throughput during the outage beside the minute before, the log lines gunicorn wrote (and tracebacks),
the writes lost (the database holds the last acknowledged value of every row and one history record per
acknowledged save: must be 0 lost) and every report's outcome. It measures; nothing passes or fails.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

# Run as a script (python bench/soak.py) or imported as bench.soak.
try:
    from .soak_helpers import (
        CSRF,
        DB_NAME,
        METRICS_TOKEN,
        ROOT,
        SETUP,
        App,
        Redis,
        answers,
        app_env,
        check,
        fetch,
        free_port,
        wait,
    )
except ImportError:
    from soak_helpers import (
        CSRF,
        DB_NAME,
        METRICS_TOKEN,
        ROOT,
        SETUP,
        App,
        Redis,
        answers,
        app_env,
        check,
        fetch,
        free_port,
        wait,
    )


# --- the load -----------------------------------------------------------------------------------------


@dataclass
class Minute:
    requests: int = 0
    errors: int = 0
    saves: int = 0
    reads: int = 0
    latencies: list[float] = field(default_factory=list)
    events: list[str] = field(default_factory=list)
    ready: set[str] = field(default_factory=set)


class Load:
    def __init__(self, base: str, setup: dict, minutes: float) -> None:
        self.base = urllib.parse.urlsplit(base)
        self.setup = setup
        self.started = time.monotonic()
        self.end = self.started + minutes * 60
        self.stats: dict[int, Minute] = defaultdict(Minute)
        self.lock = threading.Lock()
        self.acked: dict[int, list[float]] = defaultdict(list)  # row id -> acknowledged values in order
        self.unknown: dict[int, int] = defaultdict(int)  # saves whose outcome the client never learnt
        self.error_samples: list[str] = []
        self.reports_requested = 0

    def minute(self) -> int:
        return int((time.monotonic() - self.started) // 60)

    def event(self, text: str) -> None:
        with self.lock:
            self.stats[self.minute()].events.append(f"{self.clock()} {text}")

    def clock(self) -> str:
        elapsed = int(time.monotonic() - self.started)
        return f"{elapsed // 60}:{elapsed % 60:02d}"

    def record(self, started: float, ok: bool, kind: str, detail: str = "") -> None:
        elapsed = time.monotonic() - started
        with self.lock:
            minute = self.stats[self.minute()]
            minute.requests += 1
            minute.latencies.append(elapsed)
            if not ok:
                minute.errors += 1
                if len(self.error_samples) < 20:
                    self.error_samples.append(f"{self.clock()} {kind}: {detail[:200]}")
            elif kind == "save":
                minute.saves += 1
            elif kind == "read":
                minute.reads += 1

    def connection(self) -> http.client.HTTPConnection:
        return http.client.HTTPConnection(self.base.hostname, self.base.port, timeout=30)

    def send(self, conn, method: str, path: str, body: bytes | None, headers: dict) -> tuple[int, bytes]:
        for attempt in range(2):
            try:
                conn.request(method, path, body=body, headers=headers)
                response = conn.getresponse()
                return response.status, response.read()
            except (ConnectionError, http.client.HTTPException, OSError):
                conn.close()  # a keep-alive connection closed by a reloading worker: open a new one
                if attempt or method != "GET":
                    raise
        raise AssertionError("unreachable")

    def writer(self, row: dict) -> None:
        conn = self.connection()
        headers = {
            "Cookie": f"sessionid={row['session']}; csrftoken={CSRF}",
            "X-CSRFToken": CSRF,
            "Content-Type": "application/json",
            "Referer": f"http://127.0.0.1:{self.base.port}/",
        }
        version, number = row["version"], 0
        while time.monotonic() < self.end:
            number += 1
            body = json.dumps({"number_value": str(number), "version": version}).encode()
            started = time.monotonic()
            try:
                status, content = self.send(conn, "PATCH", f"/api/v1/values/{row['id']}/", body, headers)
            except OSError as error:
                self.unknown[row["id"]] += 1
                self.record(started, False, "save", repr(error))
                conn = self.connection()
                continue
            if status == 200:
                version = json.loads(content)["version"]
                self.acked[row["id"]].append(float(number))
                self.record(started, True, "save")
            else:
                self.record(started, False, "save", f"HTTP {status} {content[:150]!r}")
                if status == 409:
                    version = json.loads(content).get("current_version", version)

    def reader(self, token: str) -> None:
        conn = self.connection()
        headers = {"Authorization": f"Bearer {token}"}
        paths = [
            "/api/v1/values/?page_size=100",
            "/api/v1/countries/",
            "/api/v1/commitments/?page_size=100",
            "/api/v1/indicators/",
        ]
        turn = 0
        while time.monotonic() < self.end:
            path = paths[turn % len(paths)]
            turn += 1
            started = time.monotonic()
            try:
                status, content = self.send(conn, "GET", path, None, headers)
            except OSError as error:
                self.record(started, False, "read", repr(error))
                conn = self.connection()
                continue
            self.record(started, status == 200, "read", f"HTTP {status} {content[:150]!r}")

    def reviewer(self) -> None:
        countries = self.setup["countries"]
        while time.monotonic() < self.end:
            country = countries[self.reports_requested % len(countries)]
            form = urllib.parse.urlencode(
                {
                    "kind": "country",
                    "evaluation_round": self.setup["round"],
                    "country": country,
                    "language": "en",
                    "csrfmiddlewaretoken": CSRF,
                }
            ).encode()
            headers = {
                "Cookie": f"sessionid={self.setup['reviewer']}; csrftoken={CSRF}",
                "Content-Type": "application/x-www-form-urlencoded",
                "Referer": f"http://127.0.0.1:{self.base.port}/reports/",
            }
            conn = self.connection()
            started = time.monotonic()
            try:
                status, content = self.send(conn, "POST", "/reports/request/", form, headers)
                ok = status == 302
                self.record(started, ok, "report", f"HTTP {status} {content[:150]!r}")
                if ok:
                    self.reports_requested += 1
                    self.event("report requested")
            except OSError as error:
                self.record(started, False, "report", repr(error))
            finally:
                conn.close()
            next_minute = self.started + (self.minute() + 1) * 60 + 10
            while time.monotonic() < min(next_minute, self.end):
                time.sleep(0.5)

    def readiness(self) -> None:
        last = None
        while time.monotonic() < self.end:
            conn = self.connection()
            try:
                conn.request("GET", "/readyz")
                response = conn.getresponse()
                body = json.loads(response.read())
                state = "ready" if response.status == 200 else "unready:" + ",".join(body["failing"])
            except (OSError, ValueError, http.client.HTTPException) as error:
                state = f"no answer ({type(error).__name__})"
            finally:
                conn.close()
            with self.lock:
                self.stats[self.minute()].ready.add(state)
            if state != last:
                self.event(f"readyz {state}")
                last = state
            time.sleep(2)


# --- the run ------------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=8)
    parser.add_argument("--grace", type=int, default=180, help="seconds to wait for the last reports")
    parser.add_argument("--keep", action="store_true", help="keep the logs folder and the database")
    parser.add_argument("--reuse-database", action="store_true", help="use the database a --keep run left")
    args = parser.parse_args()
    minutes = args.minutes
    tmp = Path(tempfile.mkdtemp(prefix="soak-"))
    (tmp / "media").mkdir()
    redis = Redis(tmp)
    env = app_env(redis.url, tmp)
    print(
        f"soak: {minutes:g} min, database {DB_NAME}, private Redis on port {redis.port}, logs in {tmp}",
        flush=True,
    )

    if not args.reuse_database:
        subprocess.run(["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", DB_NAME], check=True)
        subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", DB_NAME], check=True)
    setup_run = subprocess.run(
        [sys.executable, "-c", SETUP], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600
    )
    if setup_run.returncode:
        raise SystemExit(setup_run.stderr[-3000:])
    setup = json.loads(setup_run.stdout.strip().splitlines()[-1])
    redis.start()

    port = free_port()
    gunicorn = App(
        "gunicorn",
        [
            sys.executable,
            "-m",
            "gunicorn",
            "alliance_monitor.wsgi",
            "-b",
            f"127.0.0.1:{port}",
            "-w",
            "2",
            "-k",
            "gthread",
            "--threads",
            "4",
        ],
        env,
        tmp / "gunicorn.log",
    )
    worker = App(
        "worker",
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "alliance_monitor",
            "worker",
            "-P",
            "prefork",
            "-c",
            "2",
            "-l",
            "INFO",
            "--without-gossip",
            "--without-mingle",
            "-n",
            "soak@%h",
        ],
        env,
        tmp / "worker.log",
    )
    beat = App(
        "beat",
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "alliance_monitor",
            "beat",
            "-l",
            "INFO",
            "--schedule",
            str(tmp / "beat-schedule"),
        ],
        env,
        tmp / "beat.log",
    )
    apps = [gunicorn, worker, beat]
    for app in apps:
        app.start()
    try:
        wait(lambda: answers(port), 60, "gunicorn start")
        wait(lambda: " ready." in worker.log.read_text(errors="replace"), 90, "worker start")
        load = Load(f"http://127.0.0.1:{port}", setup, minutes)
        threads = [threading.Thread(target=load.writer, args=(row,), daemon=True) for row in setup["writers"]]
        threads += [
            threading.Thread(target=load.reader, args=(token,), daemon=True) for token in setup["tokens"]
        ]
        threads += [
            threading.Thread(target=load.reviewer, daemon=True),
            threading.Thread(target=load.readiness, daemon=True),
        ]
        for thread in threads:
            thread.start()

        outage_at, outage_for = minutes * 60 * 0.25, min(60.0, minutes * 7.5)
        timeline = sorted(
            [
                (outage_at, "kill Redis", redis.kill),
                (outage_at + outage_for, "start Redis", redis.start),
                (minutes * 60 * 0.5625, "SIGKILL the whole worker", lambda: worker.signal(signal.SIGKILL)),
                (minutes * 60 * 0.5625 + 5, "start the worker", worker.start),
                (
                    minutes * 60 * 0.75,
                    "reload gunicorn (SIGHUP)",
                    lambda: gunicorn.signal(signal.SIGHUP, whole_group=False),
                ),
            ],
            key=lambda item: item[0],
        )
        gunicorn_lines_before_outage = 0
        for at, what, action in timeline:
            while time.monotonic() - load.started < at:
                time.sleep(0.2)
            if what == "kill Redis":
                gunicorn_lines_before_outage = len(gunicorn.log.read_text(errors="replace").splitlines())
            action()
            load.event(what)
            if what == "start Redis":
                gunicorn_lines_outage = (
                    len(gunicorn.log.read_text(errors="replace").splitlines()) - gunicorn_lines_before_outage
                )
        for thread in threads:
            thread.join(timeout=max(1.0, load.end - time.monotonic() + 60))

        deadline = time.monotonic() + args.grace
        outcome = check(env, setup)
        while (
            any(r["status"] in {"queued", "running"} for r in outcome["reports"])
            and time.monotonic() < deadline
        ):
            time.sleep(5)
            outcome = check(env, setup)
        status, metrics = fetch(port, "/metrics", {"Authorization": f"Bearer {METRICS_TOKEN}"})
    finally:
        for app in apps:
            app.stop()
        redis.kill()

    report(
        load,
        outcome,
        setup,
        gunicorn,
        worker,
        minutes,
        outage_at,
        outage_for,
        gunicorn_lines_outage,
        metrics if status == 200 else "",
    )
    if not args.keep:
        shutil.rmtree(tmp, ignore_errors=True)
        subprocess.run(["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", DB_NAME], check=False)


def report(load, outcome, setup, gunicorn, worker, minutes, outage_at, outage_for, outage_lines, metrics):
    print()
    print(
        f"{'min':>3} {'requests':>8} {'errors':>6} {'saves':>6} {'reads':>6} {'req/s':>6} {'p50 ms':>7} "
        f"{'p95 ms':>7}  readiness / events"
    )
    for number in sorted(load.stats):
        m = load.stats[number]
        if not m.requests and not m.events:
            continue
        lat = sorted(m.latencies) or [0.0]
        p95 = lat[min(len(lat) - 1, int(len(lat) * 0.95))]
        span = min(60.0, minutes * 60 - number * 60) or 60.0
        notes = "; ".join(m.events) or ", ".join(sorted(m.ready))
        print(
            f"{number + 1:>3} {m.requests:>8} {m.errors:>6} {m.saves:>6} {m.reads:>6} "
            f"{m.requests / span:>6.1f} "
            f"{statistics.median(lat) * 1000:>7.1f} {p95 * 1000:>7.1f}  {notes}"
        )
    total = sum(m.requests for m in load.stats.values())
    errors = sum(m.errors for m in load.stats.values())
    print(f"\nrequests {total}, errors {errors}; machine load average now {os.getloadavg()[0]:.1f}")
    for sample in load.error_samples:
        print(f"  error: {sample}")

    # Throughput while Redis was away beside the same span just before.
    def rate(start: float, end: float) -> float:
        # per-minute counts are too coarse for a span: use the latencies' minute buckets proportionally
        count = 0.0
        for number, m in load.stats.items():
            overlap = max(0.0, min(end, (number + 1) * 60) - max(start, number * 60))
            count += m.requests * overlap / 60
        return count / (end - start)

    before = rate(max(0.0, outage_at - outage_for), outage_at)
    during = rate(outage_at, outage_at + outage_for)
    print(
        f"throughput while Redis was away: {during:.1f} req/s, {during / before * 100:.0f}% of the "
        f"{before:.1f} req/s just before (per-minute counts, prorated)"
    )
    log = gunicorn.log.read_text(errors="replace")
    print(
        f"gunicorn log: {len(log.splitlines())} lines in all, {outage_lines} while Redis was away, "
        f"{log.count('Traceback')} tracebacks; "
        f"worker log: {worker.log.read_text(errors='replace').count('Traceback')} "
        "tracebacks"
    )
    outage_lines_text = [line for line in log.splitlines() if "alliance_monitor.outage" in line]
    for line in outage_lines_text[:12]:
        print(f"  {line[:220]}")

    lost = 0
    print("\nwrites (one row per writer):")
    for row, stored in zip(setup["writers"], outcome["rows"], strict=True):
        acked = load.acked[row["id"]]
        last = acked[-1] if acked else 0.0
        ordered = acked == sorted(acked)
        history_expected = row["history"] + len(acked)
        unknown = load.unknown[row["id"]]
        row_lost = 0 if stored["stored"] >= last else 1
        history_ok = history_expected <= stored["history"] <= history_expected + unknown
        lost += row_lost + (0 if history_ok else abs(stored["history"] - history_expected))
        print(
            f"  {row['user']:<18} value {row['id']}: {len(acked)} saves acknowledged, last {last:g}, stored "
            f"{stored['stored']:g}, history {stored['history']} (expected {history_expected}"
            f"{f' + up to {unknown} unanswered' if unknown else ''}), in order: {ordered}"
        )
    print(f"writes lost: {lost}")

    print("\nreports:")
    counts = defaultdict(int)
    for r in outcome["reports"]:
        counts[r["status"]] += 1
        took = f"{r['took']:.0f} s" if r["took"] is not None else "-"
        print(
            f"  #{r['pk']} {r['kind']} {r['status']} attempts {r['attempts']} request->end {took}"
            f"{'  ' + r['error'][:120] if r['error'] else ''}"
        )
    print(
        f"reports requested {load.reports_requested}: "
        + ", ".join(f"{n} {s}" for s, n in sorted(counts.items()))
    )
    if metrics:
        picked = [
            line
            for line in metrics.splitlines()
            if line.startswith(
                (
                    "am_reports_finished_total",
                    "am_dependency_outages_total",
                    "am_queue_messages",
                    "am_report_oldest_queued_seconds",
                )
            )
        ]
        print("\n/metrics (excerpt):\n  " + "\n  ".join(picked))


if __name__ == "__main__":
    main()
