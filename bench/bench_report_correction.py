"""The alliance-wide report again after one correction, in this process (no workers, no queue).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/am_bench .venv/bin/python bench/bench_report_correction.py

On a database seeded with the demo data (see bench_reports.py): builds the 2012–2014 alliance-wide report
inline (every step in this process, as `generate_report --inline`), corrects one approved value of
Belgium (+1), builds it again with the parts kept by the first, and puts the value back. Prints wall and
CPU time of both builds, the parts rendered again and the load average. It measures; it does not pass or
fail. bench_reports.py measures the same with real Celery workers.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "alliance_monitor.settings")
os.environ["MEDIA_ROOT"] = tempfile.mkdtemp(prefix="bench-correction-")
os.environ.setdefault("LOG_LEVEL", "WARNING")


def main() -> None:
    import django

    django.setup()
    from commitments.models import Country, EvaluationRound, IndicatorValue
    from reporting import dispatch, services
    from reporting.models import Report

    evaluation_round = EvaluationRound.objects.get(label="2012–2014")

    def build():
        wall, cpu = time.perf_counter(), time.process_time()
        with dispatch.inline_jobs():
            report = services.report_request(
                user=None, kind=Report.Kind.ALLIANCE, evaluation_round=evaluation_round, language="en"
            )
        report.refresh_from_db()
        if report.status != Report.Status.READY:
            raise SystemExit(f"Report {report.pk} failed: {report.error}")
        return report, time.perf_counter() - wall, time.process_time() - cpu

    report, wall, cpu = build()
    print(
        f"full: {wall:.1f} s wall, {cpu:.1f} s CPU, {report.page_count} pages, {report.size} bytes",
        flush=True,
    )
    value = (
        IndicatorValue.objects.filter(
            country=Country.objects.get(code="BE"),
            period=evaluation_round.evaluation_period,
            number_value__isnull=False,
            status="approved",
        )
        .order_by("indicator__code")
        .first()
    )
    original = value.number_value
    IndicatorValue.objects.filter(pk=value.pk).update(number_value=original + 1)
    try:
        report, wall, cpu = build()
    finally:
        IndicatorValue.objects.filter(pk=value.pk).update(number_value=original)
    rendered = sorted(part.key for part in report.parts.filter(reused=False))
    print(
        f"after correcting BE {value.indicator.code}: {wall:.1f} s wall, {cpu:.1f} s CPU; rendered again "
        f"{rendered} of {report.parts.count()} parts"
    )
    load = os.getloadavg()
    print(f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")


if __name__ == "__main__":
    main()
