"""Reviewed texts (approved columns plus a draft), and the rapporteur's findings."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.translation import gettext as _

from ..models import Country, Finding, Goal, ReportingPeriod, Revised, Status, revised_values
from .base import (
    EditConflict,
    _require_edit,
    _revised_changes,
    _save_reviewable,
    check_types,
    country_of,
    version_required_error,
)

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
