"""Opening and closing reporting periods."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from .. import access
from ..models import TEXT_ONLY, ReportingPeriod
from .base import HISTORY_REASON_LENGTH


def period_set_open(*, period: ReportingPeriod, is_open: bool, user, reason: str) -> ReportingPeriod:
    """Open or close a reporting period for data entry: reviewers only, always with a reason.

    The workspace's period page and the admin's actions both call this; the history records who opened
    or closed the period, and why ("closed: all countries reported").
    """
    if not access.can_review(user):
        raise PermissionDenied(_("Only reviewers open and close periods."))
    if reason is not None and not isinstance(reason, str):
        raise ValidationError({"reason": [TEXT_ONLY]}, code="invalid")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(
            {"reason": _("Give a reason for opening or closing the period: it is kept in its history.")},
            code="required",
        )
    step = "opened" if is_open else "closed"
    with transaction.atomic():
        current = ReportingPeriod.objects.select_for_update().get(pk=period.pk)
        current.is_open = is_open
        current._change_reason = f"{step}: {reason}"[:HISTORY_REASON_LENGTH]
        current.full_clean()
        current._history_user = user
        current.save(update_fields=["is_open"])
    period.is_open = is_open
    return period
