"""Receivers that put what other apps keep elsewhere into the history: a user's roles (groups)."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models.signals import m2m_changed
from django.dispatch import receiver
from simple_history.signals import pre_create_historical_record

from .records import AuditedRecords

User = get_user_model()
ROLES_CHANGED = "roles changed"


@receiver(pre_create_historical_record)
def keep_roles(sender, instance, history_instance, **kwargs) -> None:
    """A user's history row holds the user's roles at that moment (one query; none for a new user)."""
    if not isinstance(instance, User) or not hasattr(history_instance, "roles"):
        return
    if history_instance.history_type == "+":
        history_instance.roles = ""
        return
    names = instance.groups.order_by("name").values_list("name", flat=True)
    history_instance.roles = ", ".join(names)


@receiver(m2m_changed, sender=User.groups.through)
def record_roles_change(sender, instance, action, reverse, pk_set, **kwargs) -> None:
    """Adding or removing a role (either side: ``user.groups`` or ``group.user_set``) is a user change."""
    if action == "pre_clear" and reverse:
        instance._audit_cleared_user_ids = list(instance.user_set.values_list("pk", flat=True))
        return
    if action not in {"post_add", "post_remove", "post_clear"}:
        return
    records = AuditedRecords.by_model[User]
    if not reverse:
        users = [instance]
    else:
        ids = pk_set if action != "post_clear" else getattr(instance, "_audit_cleared_user_ids", [])
        users = list(User._default_manager.filter(pk__in=ids))
    for user in users:
        user._change_reason = ROLES_CHANGED
        records.create_historical_record(user, "~")
        del user._change_reason
