"""The demo's focal points: ``focal-nl`` and ``focal-be``, each with a submitted questionnaire for the
latest reporting period that agrees with the rapporteur in places and diverges in others.

Plainly synthetic (``is_demo``), deterministic, and replaced on every run like the other demo rows.
"""

from __future__ import annotations

from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from commitments.access import Role
from commitments.models import (
    Commitment,
    CommitmentProgress,
    Country,
    EvaluationRound,
    Indicator,
    IndicatorValue,
    Recommendation,
    ReportingPeriod,
)

from .models import (
    Decision,
    FocalPoint,
    Reply,
    SelfReportProgress,
    SelfReportResponse,
    SelfReportValue,
    SelfStatus,
)

FOCAL_USERS = [("focal-nl", "NL"), ("focal-be", "BE")]
# The government rates its commitments a step higher than the rapporteur, now and then.
HIGHER = {"not_started": "limited", "limited": "substantial", "substantial": "complete"}
ANSWERS = ["accepted", "partly", "noted", "accepted", "rejected"]


def seed_focal_demo(*, password: str) -> dict[str, int]:
    """Focal point accounts and their submitted self-reports; returns what was made."""
    User = get_user_model()
    group = Group.objects.get(name=str(Role.FOCAL_POINT))
    period = ReportingPeriod.objects.filter(kind=ReportingPeriod.Kind.PROGRESS).order_by("-starts_on").first()
    for model in (SelfReportValue, SelfReportProgress, SelfReportResponse, Reply):
        model.objects.filter(is_demo=True).delete()
    if period is None:
        return {"self-reported answers": 0}
    now = timezone.now()
    answers = 0
    for username, code in FOCAL_USERS:
        country = Country.objects.get(code=code)
        user, _created = User.objects.get_or_create(
            username=username,
            defaults={"first_name": f"Focal point {code}", "email": f"{username}@demo.invalid"},
        )
        user.set_password(password)
        user.save()
        user.groups.add(group)
        FocalPoint.objects.update_or_create(user=user, defaults={"country": country})
        common = {
            "country": country,
            "period": period,
            "status": SelfStatus.SUBMITTED,
            "submitted_at": now,
            "submitted_by": user,
            "updated_by": user,
            "is_demo": True,
        }
        answers += _values(country, period, common)
        answers += _progress(country, period, common)
        answers += _responses(country, period, common)
        evaluation_round = EvaluationRound.objects.order_by("-ministerial_date").first()
        if evaluation_round is not None and code == "NL":
            Reply.objects.create(
                country=country,
                evaluation_round=evaluation_round,
                updated_by=user,
                is_demo=True,
                text=(
                    "[Synthetic demo] The government welcomes the draft chapter. It notes that the hotline "
                    "figures for the last year were revised upwards after the chapter was drafted."
                ),
            )
    return {"self-reported answers": answers}


def _values(country: Country, period: ReportingPeriod, common: dict) -> int:
    theirs = {v.indicator_id: v for v in IndicatorValue.objects.filter(country=country, period=period)}
    numeric = Indicator.objects.filter(
        is_active=True, value_type__in=[Indicator.ValueType.NUMBER, Indicator.ValueType.PERCENTAGE]
    ).order_by("code")[:8]
    rows = []
    for index, indicator in enumerate(numeric):
        rapporteur = theirs.get(indicator.pk)
        base = rapporteur.number_value if rapporteur and rapporteur.number_value is not None else Decimal(40)
        # Every third figure diverges: the government counts more than the rapporteur accepts.
        number = (base * Decimal("1.25")).quantize(Decimal("0.01")) if index % 3 == 0 else base
        if indicator.value_type == Indicator.ValueType.PERCENTAGE:
            number = min(number, Decimal(100))
        if indicator.max_value is not None:
            number = min(number, indicator.max_value)
        rows.append(
            SelfReportValue(
                indicator=indicator,
                number_value=number,
                note="[Synthetic demo] As counted by the ministry.",
                **common,
            )
        )
    if len(rows) > 3:
        rows[3].decision = Decision.DIVERGED
        rows[3].decision_reason = "[Synthetic demo] The ministry counts reports, the rapporteur counts cases."
    bulk_create_with_history(rows, SelfReportValue, default_change_reason="seed_demo")
    return len(rows)


def _progress(country: Country, period: ReportingPeriod, common: dict) -> int:
    theirs = {
        p.commitment_id: p.completion
        for p in CommitmentProgress.objects.filter(commitment__country=country, period=period)
    }
    rows = []
    for index, commitment in enumerate(
        Commitment.objects.published().filter(country=country).order_by("pk")[:6]
    ):
        rapporteur = theirs.get(commitment.pk, "limited")
        completion = HIGHER.get(rapporteur, rapporteur) if index % 2 == 0 else rapporteur
        rows.append(
            SelfReportProgress(
                commitment=commitment,
                completion=completion,
                narrative="[Synthetic demo] The government's account of this commitment.",
                **common,
            )
        )
    bulk_create_with_history(rows, SelfReportProgress, default_change_reason="seed_demo")
    return len(rows)


def _responses(country: Country, period: ReportingPeriod, common: dict) -> int:
    recommendations = Recommendation.objects.published().filter(country=country).order_by("pk")[:5]
    rows = [
        SelfReportResponse(
            recommendation=recommendation,
            answer=ANSWERS[index % len(ANSWERS)],
            action="[Synthetic demo] What the government will do about it.",
            **common,
        )
        for index, recommendation in enumerate(recommendations)
    ]
    bulk_create_with_history(rows, SelfReportResponse, default_change_reason="seed_demo")
    return len(rows)
