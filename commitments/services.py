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

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import CharField, F, Model, TextField
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from webhooks import events as webhook_events

from . import access
from .models import (
    TEXT_ONLY,
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
    Revised,
    Status,
    revised_values,
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


class _Keep:
    """The default of a field a client did not send: the save leaves that field as it is."""

    def __repr__(self) -> str:
        return "KEEP"


KEEP: Any = _Keep()


class FourEyesRefused(PermissionDenied):
    """The person who changed or submitted an item may not also approve or return it."""


def version_required_error() -> ValidationError:
    return ValidationError(
        _(
            "This item already exists: say which version of it your change is based on (the version you "
            "loaded), so that nobody's work is overwritten. Nothing was saved."
        ),
        code="version_required",
    )


class WorkflowError(ValidationError):
    """A transition that the item's current state does not allow."""


# --- helpers ------------------------------------------------------------------------------------------


def country_of(item: Reviewable | Commitment | Recommendation) -> Country | None:
    """The country an item belongs to; None for alliance-wide recommendations."""
    if isinstance(item, IndicatorValue | Commitment):
        return item.country
    if isinstance(item, CommitmentProgress):
        return item.commitment.country
    if isinstance(item, RecommendationFollowUp | GovernmentResponse):
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


def check_types(*, model: type[Model], values: dict[str, Any]) -> None:
    """Text goes into text fields, nothing else: a number or a list is refused, not stored as "['a']".

    (Django's text fields turn anything into a string; the shell, scripts and imports must get the same
    clear error as the API.) Lengths, choices, numbers and dates are the model's full_clean().
    """
    errors = {
        name: [TEXT_ONLY]
        for name, value in values.items()
        if value is not None
        and not isinstance(value, str)
        and isinstance(model._meta.get_field(name), CharField | TextField)
    }
    if errors:
        raise ValidationError(errors, code="invalid")


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
    """Create or update one reviewable row, refusing stale, locked or invalid saves.

    Only the fields in ``values`` that are not ``KEEP`` change: a field the client did not send stays as
    it is. Changing a row that exists needs ``expected_version`` (the version the change is based on); a
    save without it is refused, never applied blindly.
    """
    values = {name: value for name, value in values.items() if value is not KEEP}
    check_types(model=model, values=values)
    _require_edit(user, country)
    _require_open(period)
    with transaction.atomic():
        current = model.objects.select_for_update().filter(**lookup).first()
        if current is None:
            if expected_version not in (None, 0):
                # The form was built on a row that has since been deleted.
                raise ValidationError(_("This item no longer exists; reload the page."), code="gone")
            item = model(
                **lookup, **values, created_by=user, updated_by=user, edited_by=user, is_demo=is_demo
            )
        else:
            if expected_version is None:
                raise version_required_error()
            if current.version != expected_version:
                # Say everything the other person changed, not only what this save touches.
                shown = dict.fromkeys(CONTENT_FIELDS.get(model, ())) | values
                raise EditConflict(current=current, changes=_changes_since(current, expected_version, shown))
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
            item.updated_by = item.edited_by = user
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
    if isinstance(current, Revised):
        return _revised_changes(current, loaded)
    changes: dict[str, tuple[Any, Any]] = {}
    for name in [*values, "status"]:
        before = getattr(loaded, name, None) if loaded is not None else None
        now = getattr(current, name)
        if before != now:
            changes[name] = (before, now)
    return changes


def _text(value: Any) -> Any:
    """A text field's value as stored: None is "", KEEP stays KEEP, anything else as given (the model's
    validators refuse what is not text)."""
    if value is None:
        return ""
    return value


# --- indicator values ---------------------------------------------------------------------------------


def indicator_value_save(
    *,
    country: Country,
    indicator: Indicator,
    period: ReportingPeriod,
    user,
    number_value: Decimal | None = KEEP,
    boolean_value: bool | None = KEEP,
    text_value: str = KEEP,
    note: str = KEEP,
    evidence_links: str = KEEP,
    expected_version: int | None = None,
    is_demo: bool = False,
) -> IndicatorValue:
    """Enter or change a country's value of an indicator for a period (stays or becomes a draft).

    Fields left out (``KEEP``) stay as they are; a new value starts with them empty. Changing an existing
    value needs ``expected_version``.
    """
    if not indicator.is_active:
        raise ValidationError(_("%(code)s is retired and takes no new values.") % {"code": indicator.code})
    return _save_reviewable(
        model=IndicatorValue,
        lookup={"country": country, "indicator": indicator, "period": period},
        values={
            "number_value": number_value,
            "boolean_value": boolean_value,
            "text_value": _text(text_value),
            "note": _text(note),
            "evidence_links": _text(evidence_links),
        },
        user=user,
        country=country,
        period=period,
        expected_version=expected_version,
        is_demo=is_demo,
    )


# --- commitments ---------------------------------------------------------------------------------------


def commitment_save(
    *, user, commitment: Commitment | None = None, expected_version: int | None = None, **fields: Any
) -> Commitment:
    """Create a commitment (``commitment=None``) or change its draft; staff of its country or reviewers.

    The words are reviewed: a change to an approved commitment waits in its draft until approved, and
    readers outside the workspace keep seeing the approved text. A commitment keeps its country.
    """
    if commitment is None:
        return _revised_create(model=Commitment, user=user, fields=fields)
    return _revised_save(item=commitment, user=user, fields=fields, expected_version=expected_version)


def commitment_progress_save(
    *,
    commitment: Commitment,
    period: ReportingPeriod,
    user,
    completion: str = KEEP,
    narrative: str = KEEP,
    evidence_links: str = KEEP,
    expected_version: int | None = None,
    is_demo: bool = False,
) -> CommitmentProgress:
    """Report how far a commitment got in a period (fields left out stay as they are)."""
    return _save_reviewable(
        model=CommitmentProgress,
        lookup={"commitment": commitment, "period": period},
        values={
            "completion": _text(completion),
            "narrative": _text(narrative),
            "evidence_links": _text(evidence_links),
        },
        user=user,
        country=commitment.country,
        period=period,
        expected_version=expected_version,
        is_demo=is_demo,
    )


# --- recommendations ----------------------------------------------------------------------------------


def recommendation_save(
    *,
    user,
    recommendation: Recommendation | None = None,
    expected_version: int | None = None,
    **fields: Any,
) -> Recommendation:
    """Record a rapporteur's recommendation, or change its draft (reviewed before readers see it)."""
    if recommendation is None:
        return _revised_create(model=Recommendation, user=user, fields=fields)
    return _revised_save(item=recommendation, user=user, fields=fields, expected_version=expected_version)


def government_response_save(
    *, user, recommendation: Recommendation, expected_version: int | None = None, **fields: Any
) -> GovernmentResponse:
    """Record the government's response to a recommendation (one per recommendation), or change its draft."""
    current = GovernmentResponse.objects.filter(recommendation=recommendation).first()
    if current is None:
        if expected_version not in (None, 0):
            raise ValidationError(_("This item no longer exists; reload the page."), code="gone")
        return _revised_create(
            model=GovernmentResponse,
            user=user,
            fields={**fields, "recommendation": recommendation},
            country=recommendation.country,
        )
    current.recommendation = recommendation
    return _revised_save(item=current, user=user, fields=fields, expected_version=expected_version)


def follow_up_save(
    *,
    recommendation: Recommendation,
    period: ReportingPeriod,
    user,
    follow_up: str = KEEP,
    narrative: str = KEEP,
    evidence_links: str = KEEP,
    expected_version: int | None = None,
    is_demo: bool = False,
) -> RecommendationFollowUp:
    """Report what became of a recommendation by the end of a period (fields left out stay as they are)."""
    return _save_reviewable(
        model=RecommendationFollowUp,
        lookup={"recommendation": recommendation, "period": period},
        values={
            "follow_up": _text(follow_up),
            "narrative": _text(narrative),
            "evidence_links": _text(evidence_links),
        },
        user=user,
        country=recommendation.country,
        period=period,
        expected_version=expected_version,
        is_demo=is_demo,
    )


# --- reviewed texts (commitments, recommendations, responses) -------------------------------------------

# Fields fixed when the item is created: its place, never part of a revision.
FIXED_FIELDS = {"country", "recommendation", "is_demo"}


def _revised_create(*, model: type[Revised], user, fields: dict[str, Any], country=None) -> Revised:
    """Create a revised item as a draft; nobody outside the workspace sees it until it is approved."""
    unknown = set(fields) - set(model.revised_fields) - FIXED_FIELDS
    if unknown:
        raise TypeError(f"{model.__name__} has no reviewed fields {sorted(unknown)}")
    check_types(model=model, values=fields)
    _require_edit(user, country if country is not None else fields.get("country"))
    item = model(**fields, created_by=user, updated_by=user, edited_by=user)
    item.full_clean(exclude=["version"])
    item._history_user = user
    item._change_reason = "created"
    try:
        with transaction.atomic():
            item.save()
    except IntegrityError:
        # Someone created the same item (same title, number or response) at the same moment.
        item.validate_constraints()
        raise
    return item


def _revised_save(*, item: Revised, user, fields: dict[str, Any], expected_version: int | None) -> Revised:
    """Change the working text of a revised item, refusing stale saves, locked items and invalid text.

    An approved item stays published: the change goes into its draft (and the item becomes a draft
    again) until a reviewer approves it. Fields not given keep their working value.
    """
    model = type(item)
    _require_edit(user, country_of(item))
    for name in FIXED_FIELDS & set(fields):
        field = model._meta.get_field(name)
        if getattr(item, field.attname) != getattr(fields[name], "pk", fields[name]):
            message = _("This cannot be changed; record a new item instead.")
            raise ValidationError({name: message}, code="fixed")
    fields = {name: value for name, value in fields.items() if name not in FIXED_FIELDS}
    unknown = set(fields) - set(model.revised_fields)
    if unknown:
        raise TypeError(f"{model.__name__} has no reviewed fields {sorted(unknown)}")
    check_types(model=model, values=fields)
    if expected_version is None:
        raise version_required_error()
    with transaction.atomic():
        current = model.objects.select_for_update().get(pk=item.pk)
        if current.version != expected_version:
            loaded = current.history.filter(version=expected_version).order_by("-history_date").first()
            raise EditConflict(current=current, changes=_revised_changes(current, loaded))
        if current.status == Status.SUBMITTED:
            raise ValidationError(
                _("This item is submitted and locked while the reviewers look at it."), code="locked"
            )
        candidate = current.working_copy()
        for name, value in fields.items():
            setattr(candidate, name, value)
        working = revised_values(candidate, model)
        if working == current.working_values():
            return current
        # The new text must be valid on its own and against the approved texts of other items.
        candidate.full_clean(exclude=["version", "draft"])
        if current.is_published:
            current.draft = current.encode_draft(working)
        else:
            for name, value in working.items():
                setattr(current, name, value)
        if current.status == Status.APPROVED:
            current.status = Status.DRAFT  # a new revision under way; the approved text stays published
        current.version = F("version") + 1
        current.updated_by = current.edited_by = user
        current._history_user = user
        current._change_reason = "edited"
        current.save()
        current.refresh_from_db()
        return current


def _revised_changes(current: Revised, loaded) -> dict[str, tuple[Any, Any]]:
    """What changed in the working text (and the status) since the version the user loaded."""
    model = type(current)
    before = revised_values(loaded, model) if loaded is not None else {}
    now = current.working_values()
    changes = {
        name.removesuffix("_id"): (before.get(name), value)
        for name, value in now.items()
        if before.get(name) != value
    }
    if loaded is None or loaded.status != current.status:
        changes["status"] = (getattr(loaded, "status", None), current.status)
    return changes


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


# --- periods ------------------------------------------------------------------------------------------


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
