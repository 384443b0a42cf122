"""A meeting, an evaluation or a decision that changes is a change of its round in the change feed:
partners following /api/v1/changes/ learn to read the round's meeting again, and the API's page cache
(keyed on the data version) never serves a stale meeting or decision."""

from __future__ import annotations

from django.db.models.signals import post_save


def _round_changed(sender, instance, raw=False, **kwargs) -> None:
    if raw:
        return
    from sync import changes

    meeting = getattr(instance, "meeting", instance)
    changes.record(meeting.evaluation_round)


def connect() -> None:
    from .models import Decision, Meeting, MeetingEvaluation

    for model in (Meeting, MeetingEvaluation, Decision):
        post_save.connect(_round_changed, sender=model, dispatch_uid=f"cycle-save-{model.__name__}")
