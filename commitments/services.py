"""Every write to the alliance's data: the browser, the API, the admin actions and the seeds call these.

Each service checks who may do it (access.py), validates with ``full_clean()``, writes inside one
transaction and leaves a history record with the reason. Saves take the ``version`` the user started
from: a save based on stale data is refused with ``EditConflict`` instead of overwriting someone's work.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Model
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import access
from .models import (
    Commitment,
    CommitmentProgress,
    Country,
    Finding,
    Goal,
    GovernmentResponse,
    Indicator,
    IndicatorValue,
    PartnerToken,
    Recommendation,
    RecommendationFollowUp,
    ReportingPeriod,
    Reviewable,
    Status,
)


@dataclass
class EditConflict(Exception):
    """Someone else saved the same item since the user loaded it. ``changes`` says what they changed."""

    current: Reviewable
    changes: dict[str, tuple[Any, Any]] = field(default_factory=dict)

    def __str__(self) -> str:
        who = self.current.updated_by or _("someone else")
        return _("%(who)s saved this item while you were editing it. Your change was not saved.") % {
            "who": who
        }


# simple_history's history_change_reason is a CharField(max_length=100).
HISTORY_REASON_LENGTH = 100


class WorkflowError(ValidationError):
    """A transition that the item's current state does not allow."""


# --- helpers ------------------------------------------------------------------------------------------


def country_of(item: Reviewable | Commitment | Recommendation) -> Country | None:
    """The country an item belongs to; None for alliance-wide recommendations."""
    if isinstance(item, IndicatorValue | Commitment):
        return item.country
    if isinstance(item, CommitmentProgress):
        return item.commitment.country
    if isinstance(item, RecommendationFollowUp):
        return item.recommendation.country
    if isinstance(item, Recommendation | Finding):
        return item.country
    raise TypeError(f"No country for {type(item).__name__}")


def _require_edit(user, country: Country | None) -> None:
    if country is None:
        if not access.is_reviewer(user):
            raise PermissionDenied(_("Only reviewers edit alliance-wide recommendations."))
    elif not access.can_edit_country(user, country):
        raise PermissionDenied(_("You are not assigned to %(country)s.") % {"country": country.name})


def _require_open(period: ReportingPeriod) -> None:
    if not period.is_open:
        raise ValidationError(
            _("The period %(period)s is closed: its data can no longer be changed.")
            % {"period": period.label},
            code="period_closed",
        )


def _diff(instance: Model, new_values: dict[str, Any]) -> dict[str, tuple[Any, Any]]:
    return {
        name: (getattr(instance, name), value)
        for name, value in new_values.items()
        if getattr(instance, name) != value
    }


def _save_reviewable(
    *,
    model: type[Reviewable],
    lookup: dict[str, Any],
    values: dict[str, Any],
    user,
    country: Country | None,
    period: ReportingPeriod,
    expected_version: int | None,
    is_demo: bool = False,
) -> Reviewable:
    """Create or update one reviewable row, refusing stale, locked or invalid saves."""
    _require_edit(user, country)
    _require_open(period)
    with transaction.atomic():
        current = model.objects.select_for_update().filter(**lookup).first()
        if current is None:
            if expected_version not in (None, 0):
                # The form was built on a row that has since been deleted.
                raise ValidationError(_("This item no longer exists; reload the page."), code="gone")
            item = model(**lookup, **values, created_by=user, updated_by=user, is_demo=is_demo)
        else:
            if expected_version is not None and current.version != expected_version:
                raise EditConflict(current=current, changes=_changes_since(current, expected_version, values))
            if not current.is_editable:
                raise ValidationError(
                    _("This item is %(status)s and locked; a reviewer must reopen it first.")
                    % {"status": current.get_status_display().lower()},
                    code="locked",
                )
            if not _diff(current, values):
                return current
            item = current
            for name, value in values.items():
                setattr(item, name, value)
            item.version = F("version") + 1
            item.updated_by = user
        item.full_clean(exclude=["version"])
        item._history_user = user
        try:
            with transaction.atomic():
                item.save()
        except IntegrityError:
            # Two people created the same row at once: the second one is a conflict, not an error page.
            current = model.objects.get(**lookup)
            raise EditConflict(current=current, changes=_diff(current, values)) from None
        item.refresh_from_db()
        return item


def _changes_since(
    current: Reviewable, expected_version: int, values: dict[str, Any]
) -> dict[str, tuple[Any, Any]]:
    """What the other person changed: the fields of the version the user loaded against the current ones."""
    loaded = current.history.filter(version=expected_version).order_by("-history_date").first()
    changes: dict[str, tuple[Any, Any]] = {}
    for name in [*values, "status"]:
        before = getattr(loaded, name, None) if loaded is not None else None
        now = getattr(current, name)
        if before != now:
            changes[name] = (before, now)
    return changes


# --- indicator values ---------------------------------------------------------------------------------


def indicator_value_save(
    *,
    country: Country,
    indicator: Indicator,
    period: ReportingPeriod,
    user,
    number_value: Decimal | None = None,
    boolean_value: bool | None = None,
    text_value: str = "",
    note: str = "",
    evidence_links: str = "",
    expected_version: int | None = None,
    is_demo: bool = False,
) -> IndicatorValue:
    """Enter or change a country's value of an indicator for a period (stays or becomes a draft)."""
    if not indicator.is_active:
        raise ValidationError(_("%(code)s is retired and takes no new values.") % {"code": indicator.code})
    return _save_reviewable(
        model=IndicatorValue,
        lookup={"country": country, "indicator": indicator, "period": period},
        values={
            "number_value": number_value,
            "boolean_value": boolean_value,
            "text_value": text_value or "",
            "note": note or "",
            "evidence_links": evidence_links or "",
        },
        user=user,
        country=country,
        period=period,
        expected_version=expected_version,
        is_demo=is_demo,
    )


# --- commitments ---------------------------------------------------------------------------------------


def _save_country_item(*, item: Commitment | Recommendation, user, fields: dict[str, Any]):
    """Create or change a row that belongs to a country (None: alliance-wide), for those who may edit it."""
    if item.pk is not None:
        # Moving an item to another country needs the right to edit the country it leaves, too.
        _require_edit(user, item.country)
    for name, value in fields.items():
        setattr(item, name, value)
    _require_edit(user, item.country)
    item.full_clean()
    item._history_user = user
    with transaction.atomic():
        item.save()
    return item


def commitment_save(*, user, commitment: Commitment | None = None, **fields: Any) -> Commitment:
    """Create a commitment (``commitment=None``) or change one; staff of its country or reviewers only."""
    return _save_country_item(item=commitment or Commitment(), user=user, fields=fields)


def commitment_progress_save(
    *,
    commitment: Commitment,
    period: ReportingPeriod,
    user,
    completion: str,
    narrative: str = "",
    evidence_links: str = "",
    expected_version: int | None = None,
    is_demo: bool = False,
) -> CommitmentProgress:
    """Report how far a commitment got in a period."""
    return _save_reviewable(
        model=CommitmentProgress,
        lookup={"commitment": commitment, "period": period},
        values={
            "completion": completion,
            "narrative": narrative or "",
            "evidence_links": evidence_links or "",
        },
        user=user,
        country=commitment.country,
        period=period,
        expected_version=expected_version,
        is_demo=is_demo,
    )


# --- recommendations ----------------------------------------------------------------------------------


def recommendation_save(
    *, user, recommendation: Recommendation | None = None, **fields: Any
) -> Recommendation:
    """Record a rapporteur's recommendation (or correct one)."""
    return _save_country_item(item=recommendation or Recommendation(), user=user, fields=fields)


def government_response_save(*, user, recommendation: Recommendation, **fields: Any) -> GovernmentResponse:
    """Record the government's response to a recommendation (one per recommendation)."""
    _require_edit(user, recommendation.country)
    with transaction.atomic():
        item = GovernmentResponse.objects.select_for_update().filter(recommendation=recommendation).first()
        item = item or GovernmentResponse(recommendation=recommendation)
        for name, value in fields.items():
            setattr(item, name, value)
        item.full_clean()
        item._history_user = user
        item.save()
    return item


def follow_up_save(
    *,
    recommendation: Recommendation,
    period: ReportingPeriod,
    user,
    follow_up: str,
    narrative: str = "",
    evidence_links: str = "",
    expected_version: int | None = None,
    is_demo: bool = False,
) -> RecommendationFollowUp:
    """Report what became of a recommendation by the end of a period."""
    return _save_reviewable(
        model=RecommendationFollowUp,
        lookup={"recommendation": recommendation, "period": period},
        values={"follow_up": follow_up, "narrative": narrative or "", "evidence_links": evidence_links or ""},
        user=user,
        country=recommendation.country,
        period=period,
        expected_version=expected_version,
        is_demo=is_demo,
    )


def finding_save(
    *,
    user,
    period: ReportingPeriod,
    country: Country | None,
    goal: Goal | None,
    text: str,
    expected_version: int | None = None,
    is_demo: bool = False,
) -> Finding:
    """Write (or rewrite) the rapporteur's findings for a period, country (None: alliance) and goal
    (None: all goals). Under the workflow like the data: editable while draft or returned."""
    return _save_reviewable(
        model=Finding,
        lookup={"period": period, "country": country, "goal": goal},
        values={"text": (text or "").strip()},
        user=user,
        country=country,
        period=period,
        expected_version=expected_version,
        is_demo=is_demo,
    )


# --- workflow -----------------------------------------------------------------------------------------

# What a person enters in each reviewable row (for saying what changed under a reviewer's eyes).
CONTENT_FIELDS: dict[type[Reviewable], tuple[str, ...]] = {
    IndicatorValue: ("number_value", "boolean_value", "text_value", "note", "evidence_links"),
    CommitmentProgress: ("completion", "narrative", "evidence_links"),
    RecommendationFollowUp: ("follow_up", "narrative", "evidence_links"),
    Finding: ("text",),
}

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


def period_of(item: Reviewable) -> ReportingPeriod:
    return item.period


def reviewable_transition(
    *, item: Reviewable, action: str, user, reason: str = "", expected_version: int | None = None
) -> Reviewable:
    """Move an item through the workflow; the history records who, when and why.

    submit: staff of the country (draft/returned -> submitted); approve: a reviewer (submitted -> approved);
    return: a reviewer, with a reason (submitted -> returned); reopen: a reviewer, with a reason
    (approved -> returned, so that staff can correct it).
    """
    if action not in TRANSITIONS:
        raise ValidationError(_("Unknown action %(action)s.") % {"action": action})
    sources, target, needs_reviewer, needs_reason = TRANSITIONS[action]
    reason = (reason or "").strip()
    if needs_reviewer and not access.can_review(user):
        raise PermissionDenied(_("Only reviewers may %(action)s.") % {"action": ACTION_NAMES[action]})
    _require_edit(user, country_of(item))
    _require_open(period_of(item))
    if needs_reason and not reason:
        raise ValidationError(
            {"reason": _("Give a reason: the staff who entered it will see it.")}, code="required"
        )
    with transaction.atomic():
        current = type(item).objects.select_for_update().get(pk=item.pk)
        if expected_version is not None and current.version != expected_version:
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
        now = timezone.now()
        current.status = target
        current.updated_by = user
        current.version = F("version") + 1
        if action == "submit":
            current.submitted_at = now
        if action == "approve":
            current.approved_at, current.approved_by = now, user
            current.review_reason = ""
        if needs_reason:
            current.review_reason = reason
        # The history's reason column holds 100 characters; the whole reason is kept in review_reason.
        current._change_reason = (f"{action}: {reason}" if reason else action)[:HISTORY_REASON_LENGTH]
        current._history_user = user
        current.save()
        current.refresh_from_db()
    return current


def reviewable_transition_many(*, items: list[Reviewable], action: str, user, reason: str = "") -> int:
    """Apply one action to several items at once (all or none); returns how many moved."""
    with transaction.atomic():
        for item in items:
            reviewable_transition(item=item, action=action, user=user, reason=reason)
    return len(items)


# --- periods ------------------------------------------------------------------------------------------


def period_set_open(*, period: ReportingPeriod, is_open: bool, user, reason: str = "") -> ReportingPeriod:
    """Open or close a reporting period for data entry (reviewers only)."""
    if not access.can_review(user):
        raise PermissionDenied(_("Only reviewers open and close periods."))
    period.is_open = is_open
    period._change_reason = (reason or ("opened" if is_open else "closed"))[:HISTORY_REASON_LENGTH]
    period.full_clean()
    period._history_user = user
    period.save(update_fields=["is_open"])
    return period


# --- partner tokens -----------------------------------------------------------------------------------


def partner_token_create(
    *,
    name: str,
    countries: Iterable[Country] = (),
    expires_at: dt.datetime | None = None,
    created_by=None,
) -> tuple[PartnerToken, str]:
    """Create a read-only API token for a partner system; returns the token and its key.

    The key is returned here and nowhere else: only its SHA-256 hash is stored, so whoever creates a token
    must pass the key on at once.
    """
    if expires_at is not None and expires_at <= timezone.now():
        raise ValidationError({"expires_at": _("The expiry date must be in the future.")}, code="expired")
    key = secrets.token_urlsafe(32)
    token = PartnerToken(
        name=(name or "").strip(),
        key_prefix=key[:8],
        key_hash=PartnerToken.hash_key(key),
        expires_at=expires_at,
        created_by=created_by,
    )
    token.full_clean()
    token._change_reason = "created"
    token._history_user = created_by
    with transaction.atomic():
        token.save()
        token.countries.set(countries)
    return token, key


def partner_token_revoke(*, token: PartnerToken, user=None) -> PartnerToken:
    """Revoke a token: its next request is refused. Revoking twice keeps the first revocation."""
    with transaction.atomic():
        current = PartnerToken.objects.select_for_update().get(pk=token.pk)
        if current.revoked_at is None:
            current.revoked_at, current.revoked_by = timezone.now(), user
            current._change_reason = "revoked"
            current._history_user = user
            current.save(update_fields=["revoked_at", "revoked_by"])
    token.refresh_from_db()
    return token
