"""The demo's published evaluation reports: the 2012–2014 round's alliance-wide report and the
Netherlands' country report (in English and Dutch), built for real and published by the demo reviewer,
so that ministers find them on the reports page right after ``make run``.

Built in this process (as ``generate_report --inline``), with or without Redis: the seed returns when
they are ready. The demo's reports are those its reviewer requested for the round; a later seed replaces
them (it replaces the demo's rows too, so their data snapshot would differ anyway).
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import transaction

from commitments.models import Country, EvaluationRound

from . import dispatch, services
from .models import Report

DEMO_ROUND = "2012–2014"
# (country code or None for the alliance-wide report, language)
DEMO_REPORTS = [(None, "en"), ("NL", "en"), ("NL", "nl")]
PUBLISH_REASON = "Synthetic demo: published by the demo reviewer."


def seed_demo_reports(*, reports=DEMO_REPORTS) -> dict[str, int]:
    """Build and publish the demo's reports (see the module's docstring); returns how many were built.
    A report that fails raises RuntimeError with the pipeline's readable error."""
    if transaction.get_connection().in_atomic_block:
        # The pipeline's steps start when the request commits: inside a transaction nothing would be built.
        raise RuntimeError("The demo reports are built outside a transaction (they start on commit).")
    reviewer = get_user_model().objects.get(username="reviewer")
    evaluation_round = EvaluationRound.objects.get(label=DEMO_ROUND)
    built = 0
    for code, language in reports:
        country = Country.objects.get(code=code) if code else None
        kind = Report.Kind.COUNTRY if country else Report.Kind.ALLIANCE
        earlier = Report.objects.filter(
            requested_by=reviewer,
            evaluation_round=evaluation_round,
            kind=kind,
            country=country,
            language=language,
        )
        _remove(earlier)
        with dispatch.inline_jobs():
            report = services.report_request(
                user=reviewer,
                kind=kind,
                evaluation_round=evaluation_round,
                country=country,
                language=language,
            )
        report.refresh_from_db()
        if report.status != Report.Status.READY:
            raise RuntimeError(f"The demo report {report.title} ({language}) failed: {report.error}")
        services.report_publish(report=report, user=reviewer, reason=PUBLISH_REASON)
        built += 1
    return {"published reports": built}


def _remove(reports) -> None:
    """Earlier demo reports: withdrawn when someone downloaded them (the log keeps them), else deleted."""
    for report in reports:
        if report.downloads.exists():
            if report.is_published:
                services.report_unpublish(report=report, user=report.requested_by)
            continue
        if report.file:
            report.file.delete(save=False)
        report.delete()
