"""The draft chapter of one country, as the report will print it: rendered by the reporting app."""

from __future__ import annotations

from django.utils import timezone, translation

from commitments.models import Country, EvaluationRound


def country_chapter_html(*, evaluation_round: EvaluationRound, country: Country) -> str:
    """The country report of the round as one HTML document (what reporting renders to PDF), built from
    the data a report would freeze now: approved data only (reporting's selectors decide)."""
    from reporting import selectors
    from reporting.content import Book
    from reporting.models import Report
    from reporting.services import country_report_html

    language = translation.get_language() or "en"
    report = Report(
        kind=Report.Kind.COUNTRY, evaluation_round=evaluation_round, country=country, language=language[:2]
    )
    data = selectors.report_data(evaluation_round=evaluation_round, country=country)
    frozen = {
        "data": data,
        "snapshot": selectors.data_snapshot(data),
        "generated_at": timezone.now().isoformat(),
    }
    return country_report_html(book=Book(data), frozen=frozen, report=report)
