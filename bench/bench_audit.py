"""What sealing the audit costs: a save with and without the seal triggers, and verify_audit's time.

Saves one indicator value N times through the service (each a real change, each its own transaction,
so each takes the chain's lock and writes one history row and one audit record), first with the
triggers of the values' history table switched off (the baseline: history as before), then on.
Then times ``verify_audit`` over the whole database. Prints a table and writes
bench/results/audit.json. It measures; it never passes or fails on time.

    createdb -h 127.0.0.1 -U postgres am_bench_audit   # once
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/am_bench_audit .venv/bin/python bench/bench_audit.py

The database is migrated and, when it has no values yet, loaded with ``seed_demo``. It switches
triggers off and on (ALTER TABLE): use a database of its own, never production.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "audit.json"
TABLE = "commitments_historicalindicatorvalue"


def configure() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/am_bench_audit")
    os.environ.setdefault("DEMO_PASSWORD", "bench-demo-password-1")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "alliance_monitor.settings")
    import django

    django.setup()


def triggers(enabled: bool) -> None:
    from django.db import connection

    verb = "ENABLE" if enabled else "DISABLE"
    with connection.cursor() as cursor:
        for name in ("audit_skip_noop", "audit_seal"):
            cursor.execute(f"ALTER TABLE {TABLE} {verb} TRIGGER {name}")


def _forget_unsealed() -> None:
    """The baseline's history rows were written with the seal off: remove them, the chain stays whole."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {TABLE} h WHERE NOT EXISTS (SELECT 1 FROM audit_auditrecord r "
            "WHERE r.table_name = %s AND r.history_id = h.history_id)",
            [TABLE],
        )


def time_saves(runs: int, start: int) -> list[float]:
    from django.contrib.auth import get_user_model

    from commitments.models import IndicatorValue
    from commitments.services import indicator_value_save

    value = (
        IndicatorValue.objects.filter(indicator__value_type="number", period__is_open=True, status="draft")
        .select_related("country", "indicator", "period")
        .first()
    )
    if value is None:
        raise SystemExit("No draft number value in an open period to save: seed the demo data first.")
    user = get_user_model().objects.get(username="admin")
    times = []
    for index in range(runs):
        began = time.perf_counter()
        indicator_value_save(
            country=value.country, indicator=value.indicator, period=value.period, user=user,
            number_value=Decimal(start + index),
        )
        times.append((time.perf_counter() - began) * 1000)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=200)
    args = parser.parse_args()
    configure()
    from django.core.management import call_command

    from audit import sealing
    from commitments.models import IndicatorValue

    call_command("migrate", verbosity=0)
    if not IndicatorValue.objects.exists():
        call_command("seed_alliance", verbosity=0)
        call_command("seed_demo", "--without-reports", verbosity=0)
    load = os.getloadavg()[0]
    try:
        triggers(False)
        without = time_saves(args.runs, 100_000)
    finally:
        triggers(True)
    _forget_unsealed()
    with_seal = time_saves(args.runs, 200_000)
    began = time.perf_counter()
    result = sealing.verify()
    verify_s = time.perf_counter() - began

    summary = {
        "runs": args.runs,
        "load_average": load,
        "save_ms_without_seal": {"median": statistics.median(without), "p95": _p95(without)},
        "save_ms_with_seal": {"median": statistics.median(with_seal), "p95": _p95(with_seal)},
        "verify_s": verify_s,
        "records": result.records,
        "problems": len(result.problems),
    }
    print(f"{'':32}{'median ms':>12}{'p95 ms':>12}")
    for label, key in (("save, triggers off", "save_ms_without_seal"), ("save, sealed", "save_ms_with_seal")):
        print(f"{label:32}{summary[key]['median']:12.2f}{summary[key]['p95']:12.2f}")
    print(f"verify_audit: {verify_s:.2f} s for {result.records} records (load average {load:.1f})")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(summary, indent=2))


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[int(0.95 * (len(ordered) - 1))]


if __name__ == "__main__":
    main()
