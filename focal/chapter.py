"""The draft chapter of one country, as the report will print it: rendered by the reporting app."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone, translation

from commitments.models import Country, EvaluationRound


def country_chapter_html(*, evaluation_round: EvaluationRound, country: Country) -> str:
    """The country report of the round as one HTML page for a browser (focal/chapter.html frames it),
    built from the data a report would freeze now: approved data only (reporting's selectors decide)."""
    from reporting import selectors
    from reporting.content import Book
    from reporting.document import country_report_html
    from reporting.models import Report

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
    return country_report_html(
        book=Book(data),
        frozen=frozen,
        report=report,
        document_template="focal/chapter.html",
        extra_context={
            "country_name": country.name,
            "reply_url": reverse("focal_reply", kwargs={"round_id": evaluation_round.pk}),
        },
    )
