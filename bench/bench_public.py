"""Benchmark of the public open-data site beside the trivial view, in one process and one run.

Each public page and download is requested repeatedly, taking turns with the trivial view (/healthz, a
view that touches neither the database nor Redis) in slices of a quarter second, so both see the same
load on a shared machine (a load that changes during the run moves both alike):
- throughput of each (requests a second, one request at a time, through Django's test client and the
  whole middleware stack) and its share of the trivial view's throughput (the aim: at least 0.5);
- the same page revalidated (If-None-Match: 304);
- the first request (a cache miss: the page is built) separately.
Prints a table with the load average and writes bench/results/public.json. It measures; it never passes
or fails on time.

    createdb -h 127.0.0.1 -U postgres am_pub_bench   # once; migrate, seed_alliance, seed_demo into it
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/am_pub_bench REDIS_URL=redis://127.0.0.1:6379/6 \\
      .venv/bin/python bench/bench_public.py --seconds 5
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "public.json"


def configure() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.update(
        DJANGO_SETTINGS_MODULE="alliance_monitor.settings",
        DEBUG="false",
        SECRET_KEY=os.environ.get("SECRET_KEY", "bench-only-secret-key-" + "x" * 40),
        ALLOWED_HOSTS="testserver",
        SECURE_SSL_REDIRECT="false",
        STATIC_ROOT=str(ROOT / "bench" / "results" / "staticfiles"),
        LOG_LEVEL="WARNING",
    )
    import django

    django.setup()


SLICE = 0.25  # seconds: the trivial view and the answer take turns this long, so both see the same load


def side_by_side(client, url: str, seconds: float) -> tuple[float, float, int]:
    """Requests a second of the trivial view and of ``url``, measured in alternating slices of ``SLICE``
    seconds until each had ``seconds``, and the status of the answer's last request."""
    counts, spent, status = [0, 0], [0.0, 0.0], 0
    while spent[1] < seconds:
        for index, target in enumerate(("/healthz", url)):
            started = time.perf_counter()
            while time.perf_counter() - started < SLICE:
                answer = client.get(target).status_code
                counts[index] += 1
            spent[index] += time.perf_counter() - started
            if index:
                status = answer
    return counts[0] / spent[0], counts[1] / spent[1], status


def rate(client, url: str, seconds: float, headers: dict | None = None) -> tuple[float, int]:
    """Requests a second over ``seconds`` and the status of the last answer."""
    count, status, started = 0, 0, time.perf_counter()
    while time.perf_counter() - started < seconds:
        status = client.get(url, headers=headers or {}).status_code
        count += 1
    return count / (time.perf_counter() - started), status


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=5.0, help="per measurement and per floor beside it")
    arguments = parser.parse_args()
    configure()
    from django.core.cache import cache
    from django.core.management import call_command
    from django.test import Client

    call_command("collectstatic", interactive=False, verbosity=0)  # DEBUG off: hashed static files

    from opendata import released

    evaluation_round = released.rounds().last()
    if evaluation_round is None:
        sys.exit("No released round: seed the demo (seed_demo) into this database first.")
    client = Client()
    urls = [
        "/public/en/",
        "/public/nl/goals/VICTIM_ID/",
        "/public/en/countries/NL/",
        f"/public/data/round-{evaluation_round.pk}.csv",
        f"/public/data/round-{evaluation_round.pk}.xlsx",
        f"/public/data/round-{evaluation_round.pk}/country-NL.csv",
        "/public/catalogue.jsonld",
    ]
    cache.clear()
    rows = []
    for url in urls:
        started = time.perf_counter()
        response = client.get(url)
        first_ms = (time.perf_counter() - started) * 1000
        assert response.status_code == 200, (url, response.status_code)
        etag = response["ETag"]
        trivial, page, status = side_by_side(client, url, arguments.seconds)
        revalidated, status_304 = rate(client, url, arguments.seconds, {"If-None-Match": etag})
        rows.append(
            {
                "url": url,
                "first_ms": round(first_ms, 1),
                "trivial_per_s": round(trivial, 1),
                "page_per_s": round(page, 1),
                "of_trivial": round(page / trivial, 2),
                "revalidated_per_s": round(revalidated, 1),
                "revalidated_status": status_304,
                "status": status,
                "load_average": [round(value, 2) for value in os.getloadavg()],
            }
        )
        print(
            f"{url:45} first {first_ms:7.1f} ms | trivial {trivial:7.1f}/s | page {page:7.1f}/s "
            f"({page / trivial:.2f} of trivial) | 304 {revalidated:7.1f}/s | load {os.getloadavg()[0]:.2f}",
            flush=True,
        )
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps({"seconds": arguments.seconds, "rows": rows}, indent=1))


if __name__ == "__main__":
    main()
