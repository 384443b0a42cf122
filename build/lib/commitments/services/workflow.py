"""The review workflow: transitions between statuses, and the four-eyes rule."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from webhooks import events as webhook_events

from .. import access
from ..models import TEXT_ONLY, IndicatorValue, ReportingPeriod, Reviewable, Revised, Status
from .base import (
    CONTENT_FIELDS,
    HISTORY_REASON_LENGTH,
    EditConflict,
    FourEyesRefused,
    WorkflowError,
    _changes_since,
    _require_edit,
    _require_open,
    country_of,
    version_required_error,
)

# The actions as a sentence names them ("Only reviewers may approve."), translated.
ACTION_NAMES = {
    "submit": gettext_lazy("submit"),
    "approve": gettext_lazy("approve"),
    "return": gettext_lazy("return"),
    "reopen": gettext_lazy("reopen"),
}

# action: (states it may start from, state it ends in, needs a reviewer, needs a reason)
TRANSITIONS: dict[str, tuple[set[str], str, bool, bool]] = {
    "submit": ({Status.DRAFT, Status.RETURNED}, Status.SUBMITTED, False, False),
    "approve": ({Status.SUBMITTED}, Status.APPROVED, True, False),
    "return": ({Status.SUBMITTED}, Status.RETURNED, True, True),
    "reopen": ({Status.APPROVED}, Status.RETURNED, True, True),
}


# The steps that judge someone else's work: never by the person who last changed it or submitted it.
FOUR_EYES_ACTIONS = frozenset({"approve", "return"})
FOUR_EYES_OFF = "four eyes off"


def period_of(item: Reviewable) -> ReportingPeriod | None:
    """The reporting period an item belongs to; None for reviewed texts, which belong to no period."""
    return getattr(item, "period", None)


def four_eyes_required() -> bool:
    """settings.FOUR_EYES_REQUIRED (default on); a deployment with a single reviewer may turn it off."""
    return bool(getattr(settings, "FOUR_EYES_REQUIRED", True))


def is_own_work(*, item: Reviewable, user) -> bool:
    """Whether ``user`` last changed what the item says or submitted it."""
    return user.pk is not None and user.pk in {item.edited_by_id, item.submitted_by_id}


def _check_four_eyes(*, item: Reviewable, action: str, user) -> None:
    if action in FOUR_EYES_ACTIONS and four_eyes_required() and is_own_work(item=item, user=user):
        raise FourEyesRefused(
            _("You changed or submitted this item yourself: another reviewer must %(action)s it (four eyes).")
            % {"action": ACTION_NAMES[action]}
        )


def reviewable_transition(
    *, item: Reviewable, action: str, user, reason: str = "", expected_version: int | None
) -> Reviewable:
    """Move an item through the workflow; the history records who, when and why.

    submit: staff of the country (draft/returned -> submitted); approve: a reviewer (submitted -> approved);
    return: a reviewer, with a reason (submitted -> returned); reopen: a reviewer, with a reason
    (approved -> returned, so that staff can correct it). ``expected_version`` is the version the user
    looked at: a step on an item that changed since is refused (EditConflict), and a step without it is
    refused too. Approving and returning need four eyes: someone other than the person who last changed
    the content or submitted it (``FOUR_EYES_REQUIRED``; when that is off, the history says so).
    """
    if action not in TRANSITIONS:
        raise ValidationError(_("Unknown action %(action)s.") % {"action": action})
    sources, target, needs_reviewer, needs_reason = TRANSITIONS[action]
    if reason is not None and not isinstance(reason, str):
        raise ValidationError({"reason": [TEXT_ONLY]}, code="invalid")
    reason = (reason or "").strip()
    try:
        type(item)._meta.get_field("review_reason").run_validators(reason)
    except ValidationError as error:
        raise ValidationError({"reason": error.messages}) from None
    if needs_reviewer and not access.can_review(user):
        raise PermissionDenied(_("Only reviewers may %(action)s.") % {"action": ACTION_NAMES[action]})
    _require_edit(user, country_of(item))
    if period_of(item) is not None:
        _require_open(period_of(item))
    if needs_reason and not reason:
        raise ValidationError(
            {"reason": _("Give a reason: the staff who entered it will see it.")}, code="required"
        )
    if expected_version is None:
        raise version_required_error()
    with transaction.atomic():
        current = type(item).objects.select_for_update().get(pk=item.pk)
        if current.version != expected_version:
            # A reviewer must not approve a figure that changed after they looked at it.
            content = dict.fromkeys(CONTENT_FIELDS.get(type(current), ()))
            raise EditConflict(current=current, changes=_changes_since(current, expected_version, content))
        if current.status not in sources:
            raise WorkflowError(
                _("Cannot %(action)s an item that is %(status)s.")
                % {"action": ACTION_NAMES[action], "status": current.get_status_display().lower()},
                code="invalid_transition",
            )
        if action == "submit" and isinstance(current, IndicatorValue) and not current.has_value:
            raise ValidationError(_("Enter a value before submitting."), code="empty")
        _check_four_eyes(item=current, action=action, user=user)
        now = timezone.now()
        current.status = target
        current.updated_by = user
        current.version = F("version") + 1
        if action == "submit":
            current.submitted_at, current.submitted_by = now, user
        if action == "approve":
            current.approved_at, current.approved_by = now, user
            current.review_reason = ""
            if isinstance(current, Revised):
                current.publish_draft()  # the reviewed words become what readers see
                current.full_clean(exclude=["version"])
        if needs_reason:
            current.review_reason = reason
        # The history's reason column holds 100 characters; the whole reason is kept in review_reason.
        step = action
        if action in FOUR_EYES_ACTIONS and not four_eyes_required():
            step = f"{action} ({FOUR_EYES_OFF})"  # the audit shows that nobody else had to look
        current._change_reason = (f"{step}: {reason}" if reason else step)[:HISTORY_REASON_LENGTH]
        current._history_user = user
        current.save()
        current.refresh_from_db()
        webhook_events.reviewable_moved(item=current, action=action)  # sent after the commit
    return current


def reviewable_transition_many(*, items: list[Reviewable], action: str, user, reason: str = "") -> int:
    """Apply one action to several items at once (all or none); returns how many moved.

    Each item's ``version`` is the version the user saw: an item that changed since stops the batch.
    """
    with transaction.atomic():
        for item in items:
            reviewable_transition(
                item=item, action=action, user=user, reason=reason, expected_version=item.version
            )
    return len(items)
