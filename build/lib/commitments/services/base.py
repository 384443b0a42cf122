"""What every write shares: edit conflicts, refusals, permission and period checks, the versioned save."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import CharField, F, Model, TextField
from django.utils.translation import gettext as _

from .. import access
from ..models import (
    TEXT_ONLY,
    Commitment,
    CommitmentProgress,
    Country,
    Finding,
    GovernmentResponse,
    IndicatorValue,
    Recommendation,
    RecommendationFollowUp,
    ReportingPeriod,
    Reviewable,
    Revised,
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
    if getattr(item, "is_alliance_wide", False):
        return None  # the ministers' decisions and evaluations (cycle): reviewers only
    raise TypeError(f"No country for {type(item).__name__}")


def _require_edit(user, country: Country | None) -> None:
    if country is None:
        if not access.is_reviewer(user):
            raise PermissionDenied(_("Only reviewers edit alliance-wide recommendations."))
    elif not access.can_edit_country(user, country):
        raise PermissionDenied(_("You are not assigned to %(country)s.") % {"country": country.name})


def _require_open(period: ReportingPeriod) -> None:
    from cycle.rules import assert_round_open_for  # the cycle's models import this package's

    if not period.is_open:
        raise ValidationError(
            _("The period %(period)s is closed: its data can no longer be changed.")
            % {"period": period.label},
            code="period_closed",
        )
    assert_round_open_for(period)  # a frozen evaluation round's data changes only after a reopen


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


# What a person enters in each reviewable row (for saying what changed under a reviewer's eyes).
CONTENT_FIELDS: dict[type[Reviewable], tuple[str, ...]] = {
    IndicatorValue: ("number_value", "boolean_value", "text_value", "note", "evidence_links"),
    CommitmentProgress: ("completion", "narrative", "evidence_links"),
    RecommendationFollowUp: ("follow_up", "narrative", "evidence_links"),
    Finding: ("text",),
}
