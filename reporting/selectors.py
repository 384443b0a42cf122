"""Reads for the reports: the frozen data a report is built from, and which reports a user may see.

``report_data`` reads every approved row a report needs in one database snapshot (REPEATABLE READ on
PostgreSQL) and returns plain JSON-ready data, so that the parts of an alliance-wide report rendered on
different workers all show the same figures, and the snapshot identifier is a hash of exactly that data.
"""

from __future__ import annotations

import hashlib
import json
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.db.models import Max, Q, QuerySet

from commitments import access
from commitments.models import (
    Commitment,
    CommitmentProgress,
    Country,
    EvaluationRound,
    Finding,
    Goal,
    GovernmentResponse,
    Indicator,
    IndicatorValue,
    Recommendation,
    RecommendationFollowUp,
    split_lines,
)
from commitments.selectors import active_rules, rule_data

from .models import Report

# Bump when the shape of report_data changes, so that old and new snapshots never compare equal.
DATA_FORMAT = 2


@contextmanager
def _one_snapshot():
    """Run the reads in one transaction that sees one state of the database (REPEATABLE READ)."""
    if connection.in_atomic_block:
        # Inside a caller's transaction (tests, the shell): its isolation applies.
        yield
        return
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        yield


def _number(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _day(value) -> str | None:
    return value.isoformat() if value else None


# Who approved a row: read with the row (no extra query), printed as "approved by ... on ...".
APPROVER = ("approved_by__first_name", "approved_by__last_name", "approved_by__username")


def _review(fields) -> list[Any]:
    """Evidence links (a list), approval time (ISO) and approver's name of an approved row."""
    links, approved_at, first, last, username = fields
    name = f"{first or ''} {last or ''}".strip() or username or ""
    return [split_lines(links), _day(approved_at), name]


def _period(period) -> dict[str, Any]:
    return {
        "id": period.pk,
        "label": period.label,
        "label_nl": period.label_nl,
        "starts_on": _day(period.starts_on),
        "ends_on": _day(period.ends_on),
    }


def report_data(*, evaluation_round: EvaluationRound, country: Country | None = None) -> dict[str, Any]:
    """Everything a report shows, approved data only, as JSON-ready data (one snapshot of the database).

    ``country=None`` is the alliance-wide report: every country that took part at any time in the round.
    Queries: round and periods (1), goals (1), countries (1), indicators (1), values (1), commitments (1),
    progress (1), recommendations with responses (1), consistency rules (1), findings (1), follow-ups (1),
    max(updated_at) (4).
    """
    with _one_snapshot():
        evaluation_round = EvaluationRound.objects.select_related("baseline_period", "evaluation_period").get(
            pk=evaluation_round.pk
        )
        baseline, evaluation = evaluation_round.baseline_period, evaluation_round.evaluation_period
        period_ids = [baseline.pk, evaluation.pk]
        goals = list(Goal.objects.order_by("order"))
        if country is None:
            countries = list(
                Country.objects.participating_between(baseline.starts_on, evaluation.ends_on).order_by(
                    "name_en"
                )
            )
        else:
            countries = [Country.objects.get(pk=country.pk)]
        country_ids = [c.pk for c in countries]

        values = list(
            IndicatorValue.objects.approved()
            .filter(country_id__in=country_ids, period_id__in=period_ids)
            .order_by("country_id", "indicator_id", "period_id")
            .values_list(
                "country_id",
                "indicator_id",
                "period_id",
                "number_value",
                "boolean_value",
                "text_value",
                "version",
                "is_demo",
                "evidence_links",
                "approved_at",
                *APPROVER,
            )
        )
        used_indicator_ids = {row[1] for row in values}
        indicators = list(
            Indicator.objects.filter(Q(is_active=True) | Q(pk__in=used_indicator_ids)).order_by(
                "goal__order", "order", "code"
            )
        )
        # Reviewed texts: the columns hold the last approved revision; never-approved items are left out.
        # A round covers the commitments made by the end of its evaluation period: those its ministers'
        # meeting decided afterwards (cycle.Decision) are the next round's.
        commitments = list(
            Commitment.objects.published()
            .filter(country_id__in=country_ids, committed_on__lte=evaluation.ends_on)
            .order_by("country_id", "goal__order", "committed_on", "id")
        )
        progress = list(
            CommitmentProgress.objects.approved()
            .filter(commitment__country_id__in=country_ids, period_id__in=period_ids)
            .filter(commitment__approved_at__isnull=False, commitment__committed_on__lte=evaluation.ends_on)
            .order_by("commitment_id", "period_id")
            .values_list(
                "commitment_id",
                "period_id",
                "completion",
                "narrative",
                "version",
                "is_demo",
                "evidence_links",
                "approved_at",
                *APPROVER,
            )
        )
        recommendation_filter = Q(country_id__in=country_ids)
        if country is None:
            recommendation_filter |= Q(country__isnull=True)
        recommendations = list(
            Recommendation.objects.published()
            .filter(recommendation_filter)
            .select_related("response")
            .order_by("issued_on", "source_document", "number", "id")
        )
        rules = [rule_data(rule) for rule in active_rules()]
        finding_filter = Q(country_id__in=country_ids)
        if country is None:
            finding_filter |= Q(country__isnull=True)
        findings = list(
            Finding.objects.approved()
            .filter(finding_filter, period=evaluation)
            .order_by("country_id", "goal_id", "id")
            .values_list("country_id", "goal_id", "text", "is_demo", "id", "approved_at", *APPROVER)
        )
        follow_ups = list(
            RecommendationFollowUp.objects.approved()
            .filter(
                recommendation__in=[r.pk for r in recommendations], period__ends_on__lte=evaluation.ends_on
            )
            .order_by("recommendation_id", "period__starts_on")
            .values_list(
                "recommendation_id",
                "period_id",
                "follow_up",
                "narrative",
                "version",
                "is_demo",
                "evidence_links",
                "approved_at",
                *APPROVER,
            )
        )
        as_of = max(
            filter(
                None,
                [
                    IndicatorValue.objects.approved()
                    .filter(country_id__in=country_ids, period_id__in=period_ids)
                    .aggregate(at=Max("updated_at"))["at"],
                    # A draft under edit changes updated_at, not the approved text: approved_at dates it.
                    Commitment.objects.filter(country_id__in=country_ids).aggregate(at=Max("approved_at"))[
                        "at"
                    ],
                    CommitmentProgress.objects.approved()
                    .filter(commitment__country_id__in=country_ids, period_id__in=period_ids)
                    .aggregate(at=Max("updated_at"))["at"],
                    Recommendation.objects.filter(recommendation_filter).aggregate(at=Max("approved_at"))[
                        "at"
                    ],
                ],
            ),
            default=None,
        )

    def response_of(recommendation: Recommendation) -> dict[str, Any] | None:
        try:
            response: GovernmentResponse = recommendation.response
        except GovernmentResponse.DoesNotExist:
            return None
        if not response.is_published:
            return None
        return {
            "response": response.response,
            "reference": response.reference,
            "responded_on": _day(response.responded_on),
            "summary": response.summary,
        }

    data = {
        "format": DATA_FORMAT,
        "scope": {"kind": "alliance" if country is None else "country", "country_id": country and country.pk},
        "round": {
            "id": evaluation_round.pk,
            "label": evaluation_round.label,
            "ministerial_date": _day(evaluation_round.ministerial_date),
            "baseline": _period(baseline),
            "evaluation": _period(evaluation),
        },
        "goals": [
            {
                "id": goal.pk,
                "code": goal.code,
                "order": goal.order,
                "policy_target": goal.policy_target,
                "title_en": goal.title_en,
                "title_nl": goal.title_nl,
                "description_en": goal.description_en,
                "description_nl": goal.description_nl,
            }
            for goal in goals
        ],
        "indicators": [
            {
                "id": indicator.pk,
                "code": indicator.code,
                "goal_id": indicator.goal_id,
                "name_en": indicator.name_en,
                "name_nl": indicator.name_nl,
                "definition": indicator.definition,
                "definition_nl": indicator.definition_nl,
                "unit_nl": indicator.unit_nl,
                "source_nl": indicator.source_nl,
                "value_type": indicator.value_type,
                "unit": indicator.unit,
                "direction": indicator.direction,
                "source": indicator.source,
                "is_active": indicator.is_active,
            }
            for indicator in indicators
        ],
        "countries": [
            {
                "id": c.pk,
                "code": c.code,
                "name_en": c.name_en,
                "name_nl": c.name_nl,
                "region": c.region,
                "membership": c.membership,
                "joined_on": _day(c.joined_on),
                "left_on": _day(c.left_on),
            }
            for c in countries
        ],
        "values": [
            [cid, iid, pid, _number(number), boolean, text, version, demo, *_review(rest)]
            for cid, iid, pid, number, boolean, text, version, demo, *rest in values
        ],
        "commitments": [
            {
                "id": item.pk,
                "country_id": item.country_id,
                "goal_id": item.goal_id,
                "title": item.title,
                "description": item.description,
                "baseline": item.baseline,
                "lead_organisation": item.lead_organisation,
                "committed_on": _day(item.committed_on),
                "target_date": _day(item.target_date),
                "is_demo": item.is_demo,
            }
            for item in commitments
        ],
        "progress": [[*row[:6], *_review(row[6:])] for row in progress],
        "recommendations": [
            {
                "id": item.pk,
                "number": item.number,
                "source_document": item.source_document,
                "country_id": item.country_id,
                "goal_id": item.goal_id,
                "text": item.text,
                "addressees": item.addressee_list,
                "issued_on": _day(item.issued_on),
                "response": response_of(item),
                "is_demo": item.is_demo,
            }
            for item in recommendations
        ],
        "follow_ups": [[*row[:6], *_review(row[6:])] for row in follow_ups],
        "rules": rules,
        "findings": [
            {
                "country_id": country_id,
                "goal_id": goal_id,
                "text": text,
                "is_demo": demo,
                "approved_at": _day(approved_at),
                "approved_by": f"{first or ''} {last or ''}".strip() or username or "",
            }
            for country_id, goal_id, text, demo, _pk, approved_at, first, last, username in findings
        ],
        "as_of": as_of.isoformat() if as_of else None,
    }
    return data


def report_data_warning(*, report: Report) -> str:
    """What the report's first page says about too little approved data ("" when there is enough),
    read again from the approved data of the report's round and country, in the report's language."""
    from django.utils import translation

    from .content import Book

    with translation.override(report.language):
        data = report_data(evaluation_round=report.evaluation_round, country=report.country)
        return Book(data).data_warning


def data_snapshot(data: dict[str, Any]) -> str:
    """The snapshot identifier: SHA-256 of the canonical JSON of the data (same data, same identifier)."""
    canonical = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


# --- which reports a user sees ----------------------------------------------------------------------------


def _report_list() -> QuerySet[Report]:
    return Report.objects.select_related(
        "evaluation_round", "country", "requested_by", "published_by"
    ).order_by("-requested_at", "-id")


def reports_published() -> QuerySet[Report]:
    """Reports a reviewer published: what ministers and partners see."""
    return _report_list().filter(status=Report.Status.READY, published_at__isnull=False)


def reports_for_partner(*, country_q: Q) -> QuerySet[Report]:
    """What an API partner sees: published reports; a token limited to some countries sees the
    alliance-wide reports and the country reports of its countries (``country_q`` from visibility.py)."""
    return reports_published().filter(country_q)


def reports_visible_to(*, user) -> QuerySet[Report]:
    """Reviewers see every report; others the published ones, and staff the reports they requested for a
    country still assigned to them (rights are those of today, not of the day of the request)."""
    if access.is_reviewer(user):
        return _report_list()
    if not user.is_authenticated:
        return Report.objects.none()
    visible = Q(status=Report.Status.READY, published_at__isnull=False)
    if access.is_staff_member(user):
        visible |= Q(
            requested_by=user, kind=Report.Kind.COUNTRY, country_id__in=access.assigned_country_ids(user)
        )
    return _report_list().filter(visible)
