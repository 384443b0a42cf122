"""python manage.py generate_report: request an evaluation report from the command line.

manage.py generate_report                       # the alliance-wide report, latest round, English
manage.py generate_report --country NL --language nl
manage.py generate_report --country NL --wait   # wait until it is ready (or failed)
manage.py generate_report --country NL --inline --output nl.pdf   # build it here, no worker needed
manage.py generate_report --sweep               # hand lost requests to the workers again

Without Redis (the embedded default of `make run`) there are no workers: the report is always built in
this process (as with --inline) and the command returns once it is ready or failed.
"""

from __future__ import annotations

import contextlib
import shutil
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from commitments.models import Country, EvaluationRound
from reporting import dispatch, services, sweep
from reporting.models import Report


class Command(BaseCommand):
    help = "Request an evaluation report (alliance-wide, or for one country with --country)."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--country", help="ISO code of the country (a country evaluation); none: alliance-wide"
        )
        parser.add_argument(
            "--round", dest="round_label", help="Label of the evaluation round (default: the latest)"
        )
        parser.add_argument("--language", default="en", choices=[code for code, _name in settings.LANGUAGES])
        parser.add_argument("--wait", action="store_true", help="Wait until the report is ready or failed")
        parser.add_argument(
            "--inline", action="store_true", help="Build the report in this process instead of by the workers"
        )
        parser.add_argument("--timeout", type=int, default=900, help="Seconds --wait waits at most")
        parser.add_argument("--output", help="Copy the finished PDF here (implies --wait)")
        parser.add_argument("--sweep", action="store_true", help="Only run the sweep for lost requests")

    def handle(self, *args, **options) -> None:
        no_workers = settings.BACKGROUND_JOBS != "celery"  # no Redis (make run): a thread would die with us
        if options["sweep"]:
            # Without workers the requests the sweep hands over are built here, before the command ends.
            with dispatch.inline_jobs() if no_workers else contextlib.nullcontext():
                result = sweep.reports_sweep()
            self.stdout.write(f"Sweep: {result}")
            return
        rounds = EvaluationRound.objects.order_by("-ministerial_date")
        evaluation_round = (
            rounds.filter(label=options["round_label"]).first() if options["round_label"] else rounds.first()
        )
        if evaluation_round is None:
            raise CommandError("No such evaluation round (run seed_alliance first?).")
        country = None
        if options["country"]:
            country = Country.objects.filter(code=options["country"].upper()).first()
            if country is None:
                raise CommandError(f"No country with the code {options['country']!r}.")
        kind = Report.Kind.COUNTRY if country else Report.Kind.ALLIANCE
        inline = options["inline"]
        if settings.BACKGROUND_JOBS == "thread" and not inline:
            # Without Redis there are no workers, and a background thread of this command would die
            # with it: the report is built here, before the command returns.
            self.stdout.write("No Redis (REDIS_URL unset): building the report in this process.")
            inline = True
        if inline:
            with dispatch.inline_jobs():
                report = services.report_request(
                    user=None,
                    kind=kind,
                    evaluation_round=evaluation_round,
                    country=country,
                    language=options["language"],
                )
        else:
            report = services.report_request(
                user=None,
                kind=kind,
                evaluation_round=evaluation_round,
                country=country,
                language=options["language"],
            )
        self.stdout.write(f"Report {report.pk} requested: {report.title} ({report.language}).")
        if options["wait"] or options["output"] or inline:
            report = self._wait(report, options["timeout"])
        if options["output"] and report.status == Report.Status.READY:
            with report.file.open("rb") as source, open(options["output"], "wb") as target:
                shutil.copyfileobj(source, target)
            self.stdout.write(f"Written to {options['output']}.")

    def _wait(self, report: Report, timeout: int) -> Report:
        deadline = time.monotonic() + timeout
        while True:
            report.refresh_from_db()
            if report.status in {Report.Status.READY, Report.Status.FAILED}:
                break
            if time.monotonic() > deadline:
                raise CommandError(f"Report {report.pk} is still {report.status} after {timeout} s.")
            time.sleep(0.5)
        if report.status == Report.Status.FAILED:
            raise CommandError(f"Report {report.pk} failed: {report.error}")
        self.stdout.write(
            self.style.SUCCESS(
                f"Report {report.pk} ready: {report.page_count} pages, sha256 {report.sha256}, "
                f"data snapshot {report.snapshot}."
            )
        )
        return report
