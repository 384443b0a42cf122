"""Writes of the public site: a country asks to withhold one item; a reviewer other than the proposer
approves or rejects it. Each step is kept in the withholding's history (who, when, why)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from commitments import access
from commitments.models import (
    TEXT_ONLY,
    Commitment,
    CommitmentProgress,
    Country,
    Finding,
    GovernmentResponse,
    IndicatorValue,
)
from focal.models import Reply

from .models import ReportDownloads, Withholding

# Each kind: the model and the path from an item to its country's id.
ITEMS: dict[str, tuple[type, str]] = {
    Withholding.Kind.VALUE: (IndicatorValue, "country_id"),
    Withholding.Kind.PROGRESS: (CommitmentProgress, "commitment__country_id"),
    Withholding.Kind.COMMITMENT: (Commitment, "country_id"),
    Withholding.Kind.FINDING: (Finding, "country_id"),
    Withholding.Kind.RESPONSE: (GovernmentResponse, "recommendation__country_id"),
    Withholding.Kind.REPLY: (Reply, "country_id"),
}
HISTORY_REASON_LENGTH = 100


def _text(value: Any, field: str) -> str:
    if value is not None and not isinstance(value, str):
        raise ValidationError({field: [TEXT_ONLY]}, code="invalid")
    text = (value or "").strip()
    try:
        Withholding._meta.get_field(field).run_validators(text)
    except ValidationError as error:
        raise ValidationError({field: error.messages}) from None
    return text


def may_propose(user, country: Country) -> bool:
    """Those who speak for the country: its staff (and reviewers) and its focal points."""
    return access.can_edit_country(user, country) or access.focal_country_id(user) == country.pk


def withholding_propose(*, kind: Any, item_id: Any, reason: Any, user) -> Withholding:
    """Ask that one item of a country stay off the public site. Nothing is hidden until a reviewer other
    than ``user`` approves it (``withholding_decide``)."""
    if kind not in ITEMS:
        raise ValidationError(
            {"kind": _("Choose one of: %(kinds)s.") % {"kinds": ", ".join(Withholding.Kind.values)}},
            code="invalid",
        )
    if isinstance(item_id, bool) or not isinstance(item_id, int) or item_id < 1:
        raise ValidationError(
            {"item_id": _("Give the item's number (a whole number above 0).")}, code="invalid"
        )
    reason = _text(reason, "reason")
    if not reason:
        raise ValidationError({"reason": _("Say why the item should be withheld.")}, code="required")
    model, country_path = ITEMS[kind]
    country_id = model.objects.filter(pk=item_id).values_list(country_path, flat=True).first()
    exists = country_id is not None or model.objects.filter(pk=item_id).exists()
    if not exists:
        raise ValidationError(
            {
                "item_id": _("There is no %(kind)s with the number %(id)s.")
                % {"kind": Withholding.Kind(kind).label.lower(), "id": item_id}
            },
            code="not_found",
        )
    if country_id is None:
        raise ValidationError(
            {
                "item_id": _(
                    "This item belongs to the whole alliance, not to a country: no country can withhold it."
                )
            },
            code="alliance_wide",
        )
    country = Country.objects.get(pk=country_id)
    if not may_propose(user, country):
        raise PermissionDenied(
            _("Only those who speak for %(country)s may ask to withhold its items.")
            % {"country": country.name}
        )
    item = Withholding(kind=kind, item_id=item_id, country=country, reason=reason, proposed_by=user)
    item.full_clean()
    try:
        with transaction.atomic():
            item._change_reason = f"proposed: {reason}"[:HISTORY_REASON_LENGTH]
            item._history_user = user
            item.save()
    except IntegrityError:
        raise ValidationError(
            _("This item is already withheld or proposed for withholding."), code="exists"
        ) from None
    return item


def withholding_decide(*, withholding: Withholding, approve: Any, user, reason: Any = "") -> Withholding:
    """Approve (the item leaves the public site at once) or reject a proposed withholding: a reviewer who
    did not propose it (four eyes). A rejection needs a reason."""
    if not isinstance(approve, bool):
        raise ValidationError({"approve": _("Say yes or no.")}, code="invalid")
    if not access.can_review(user):
        raise PermissionDenied(_("Only reviewers decide on withholdings."))
    reason = _text(reason, "decision_reason")
    if not approve and not reason:
        raise ValidationError({"decision_reason": _("Give a reason for rejecting it.")}, code="required")
    with transaction.atomic():
        current = Withholding.objects.select_for_update().get(pk=withholding.pk)
        if current.state != Withholding.State.PROPOSED:
            raise ValidationError(
                _("This withholding was already %(state)s.") % {"state": current.get_state_display().lower()},
                code="decided",
            )
        if current.proposed_by_id == user.pk:
            raise PermissionDenied(
                _("You proposed this withholding: another reviewer must decide on it (four eyes).")
            )
        current.state = Withholding.State.APPROVED if approve else Withholding.State.REJECTED
        current.decided_by, current.decided_at, current.decision_reason = user, timezone.now(), reason
        step = "approved" if approve else "rejected"
        current._change_reason = (f"{step}: {reason}" if reason else step)[:HISTORY_REASON_LENGTH]
        current._history_user = user
        current.full_clean()
        current.save()
    return current


def report_download_count(*, report_id: int) -> None:
    """Count one download of a published report today (the public site's report log; nothing about who
    downloaded it). Two downloads at once both count: the row is created once, then incremented."""
    day = timezone.localdate()
    rows = ReportDownloads.objects.filter(report_id=report_id, day=day)
    if rows.update(count=F("count") + 1):
        return
    try:
        with transaction.atomic():
            ReportDownloads.objects.create(report_id=report_id, day=day, count=1)
    except IntegrityError:  # another request created today's row meanwhile
        rows.update(count=F("count") + 1)
