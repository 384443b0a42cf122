"""Hooks: a history record of a return (or reopen) notes the item for its staff's email; a sign-in
remembers the language the person uses."""

from __future__ import annotations

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from simple_history.signals import post_create_historical_record

from commitments.models import Reviewable

from . import services


@receiver(post_create_historical_record, dispatch_uid="notifications.item_returned")
def note_returned(sender, instance, history_instance, **kwargs) -> None:
    reason = getattr(history_instance, "history_change_reason", "") or ""
    # The workflow's history reasons start with the step: "return: ...", "reopen: ...".
    if isinstance(instance, Reviewable) and reason.startswith(("return", "reopen")):
        services.item_returned(item=instance)


@receiver(user_logged_in, dispatch_uid="notifications.remember_language")
def remember_language(sender, request, user, **kwargs) -> None:
    language = getattr(request, "LANGUAGE_CODE", "") if request is not None else ""
    if language:
        services.remember_language(user=user, language=language)
