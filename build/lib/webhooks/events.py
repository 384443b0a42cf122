"""The events the other apps' services raise: one call each, made inside their transaction.

commitments.services calls ``reviewable_moved`` after a workflow step, reporting.services calls
``report_published``. The deliveries are written in the same transaction and sent after it commits
(services.event_emit), so a step that is rolled back tells nobody.
"""

from __future__ import annotations

from .models import Event
from .services import event_emit


def reviewable_moved(*, item, action: str) -> None:
    """An indicator value approved (``value.approved``, with the value as the API shows it) or reopened
    after approval (``value.withdrawn``: it left partners' view)."""
    from commitments.api.serializers import IndicatorValueSerializer  # the serializers import the services
    from commitments.models import IndicatorValue

    if not isinstance(item, IndicatorValue) or action not in ("approve", "reopen"):
        return
    if action == "approve":
        value = IndicatorValue.objects.select_related("country", "indicator__goal", "period").get(pk=item.pk)
        event_emit(
            event=Event.VALUE_APPROVED, data=IndicatorValueSerializer(value).data, country_id=item.country_id
        )
    else:
        data = {
            "id": item.pk,
            "country": item.country.code,
            "indicator": item.indicator.code,
            "period": item.period_id,
            "deleted": True,
        }
        event_emit(event=Event.VALUE_WITHDRAWN, data=data, country_id=item.country_id)


def report_published(*, report) -> None:
    """A report published (``report.published``); an alliance-wide one releases its evaluation round's
    results (``round.released``)."""
    data = {
        "id": report.pk,
        "kind": report.kind,
        "evaluation_round": report.evaluation_round_id,
        "country": report.country.code if report.country_id else None,
        "language": report.language,
        "published_at": report.published_at,
        "url": f"/api/v1/reports/{report.pk}/",
    }
    event_emit(event=Event.REPORT_PUBLISHED, data=data, country_id=report.country_id)
    if report.kind == report.Kind.ALLIANCE:
        round_ = report.evaluation_round
        event_emit(
            event=Event.ROUND_RELEASED,
            data={
                "id": round_.pk,
                "label": round_.label,
                "baseline_period": round_.baseline_period_id,
                "evaluation_period": round_.evaluation_period_id,
                "ministerial_date": round_.ministerial_date,
                "report": data["url"],
            },
        )
