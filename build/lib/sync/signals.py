"""Every save and delete of the models the API shows puts a change in the outbox (changes.record), in
the same transaction. Writes that bypass signals (``update()``, ``bulk_create``) call changes.record or
changes.record_many themselves (reporting.services, commitments.seeding)."""

from __future__ import annotations

from django.db.models.signals import post_delete, post_save


def _models():
    from commitments.models import (
        Commitment,
        CommitmentProgress,
        Country,
        EvaluationRound,
        Goal,
        GovernmentResponse,
        Indicator,
        IndicatorValue,
        Recommendation,
        RecommendationFollowUp,
        ReportingPeriod,
    )
    from reporting.models import Report

    return [
        Country, Goal, Indicator, ReportingPeriod, EvaluationRound, IndicatorValue, Commitment,
        CommitmentProgress, Recommendation, GovernmentResponse, RecommendationFollowUp, Report,
    ]


def _changed(sender, instance, raw=False, **kwargs) -> None:
    if raw:  # loaddata: fixtures, not changes
        return
    from . import changes

    changes.record(instance)


def _deleted(sender, instance, **kwargs) -> None:
    from . import changes

    changes.record(instance, public=True)


def connect() -> None:
    for model in _models():
        post_save.connect(_changed, sender=model, dispatch_uid=f"sync-save-{model.__name__}")
        post_delete.connect(_deleted, sender=model, dispatch_uid=f"sync-delete-{model.__name__}")
