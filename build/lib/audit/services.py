"""Writes to the audit trail beyond what django-simple-history records on save()."""

from __future__ import annotations

from django.db import models
from django.utils import timezone

# simple_history's history_change_reason is a CharField(max_length=100).
REASON_LENGTH = 100


def history_record(*, instance: models.Model, reason: str, user=None) -> None:
    """Record the current state of ``instance`` as a "changed" history row with ``reason``.

    For state changes made with ``QuerySet.update()`` (conditional updates that claim a row), which
    write no history by themselves. A row identical to the previous one is dropped by the database.
    """
    history_model = type(instance).history.model
    history_model._default_manager.create(
        history_type="~",
        history_date=timezone.now(),
        history_user_id=user.pk if user is not None and getattr(user, "pk", None) else None,
        history_change_reason=reason[:REASON_LENGTH],
        **{f.attname: getattr(instance, f.attname) for f in history_model.tracked_fields},
    )
