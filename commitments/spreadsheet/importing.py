"""The dry run (``import_plan``, cell by cell) and the import (``import_apply``: all of it or nothing)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from .. import access, services
from ..models import NOTE_LIMIT, Country, Indicator, IndicatorValue, ReportingPeriod
from .common import (
    IMPORT_REASON,
    NO,
    YES,
    _importing,
    refuse,
)
from .reading import Upload


class CellState(StrEnum):
    NEW = "new"
    CHANGED = "changed"
    UNCHANGED = "unchanged"
    INVALID = "invalid"
    CONFLICT = "conflict"


@dataclass
class RowPlan:
    """What the import would do with one row of the sheet."""

    number: int
    country_code: str
    indicator_code: str
    state: CellState
    reason: str = ""
    before: str = ""
    after: str = ""
    note_before: str = ""  # the note now, and the note in the file: shown when they differ
    note_after: str = ""
    changes: dict[str, Any] = field(default_factory=dict)  # the service's keyword arguments
    version: int | None = None
    country: Country | None = None
    indicator: Indicator | None = None

    @property
    def note_changed(self) -> bool:
        return self.note_before != self.note_after


@dataclass
class ImportPlan:
    period: ReportingPeriod
    rows: list[RowPlan]

    def count(self, state: CellState) -> int:
        return sum(1 for row in self.rows if row.state == state)

    @property
    def counts(self) -> dict[str, int]:
        return {state.value: self.count(state) for state in CellState}

    @property
    def can_apply(self) -> bool:
        return (
            not self.count(CellState.INVALID)
            and not self.count(CellState.CONFLICT)
            and bool(self.count(CellState.NEW) + self.count(CellState.CHANGED))
        )

    @property
    def to_write(self) -> list[RowPlan]:
        return [row for row in self.rows if row.state in {CellState.NEW, CellState.CHANGED}]

    def as_json(self) -> dict[str, Any]:
        return {
            "period": self.period.pk,
            "counts": self.counts,
            "can_apply": self.can_apply,
            "rows": [
                {
                    "row": r.number,
                    "country": r.country_code,
                    "indicator": r.indicator_code,
                    "state": r.state.value,
                    "reason": r.reason,
                    "before": r.before,
                    "after": r.after,
                    "note_before": r.note_before,
                    "note_after": r.note_after,
                }
                for r in self.rows
                if r.state != CellState.UNCHANGED
            ],
        }


def _parse_value(indicator: Indicator, raw: Any) -> dict[str, Any]:
    """The sheet's value cell as ``indicator_value_save`` takes it; ValueError with a reason if it is not."""
    kind = indicator.value_type
    empty = raw is None or (isinstance(raw, str) and not raw.strip())
    if kind == Indicator.ValueType.BOOLEAN:
        if empty:
            return {"boolean_value": None}
        if isinstance(raw, bool):
            return {"boolean_value": raw}
        word = str(raw).strip().lower()
        if word in YES:
            return {"boolean_value": True}
        if word in NO:
            return {"boolean_value": False}
        raise ValueError(
            _("%(code)s takes yes or no, not “%(value)s”.") % {"code": indicator.code, "value": raw}
        )
    if kind == Indicator.ValueType.TEXT:
        return {"text_value": "" if empty else str(raw).strip()}
    if empty:
        return {"number_value": None}
    if isinstance(raw, bool) or isinstance(raw, dt.datetime):
        raise ValueError(
            _("%(code)s takes a number, not “%(value)s”.") % {"code": indicator.code, "value": raw}
        )
    try:
        text = str(raw).strip().replace(" ", "")
        if isinstance(raw, str) and "," in text and "." not in text:
            text = text.replace(",", ".")  # 12,5 as Dutch writes it
        number = Decimal(repr(raw) if isinstance(raw, float) else text)
    except (InvalidOperation, ValueError):
        raise ValueError(
            _("%(code)s takes a number, not “%(value)s”.") % {"code": indicator.code, "value": raw}
        ) from None
    if not number.is_finite():
        raise ValueError(
            _("%(code)s takes a number, not “%(value)s”.") % {"code": indicator.code, "value": raw}
        )
    number = number.quantize(Decimal("0.0001")) if number == number.quantize(Decimal("0.0001")) else number
    message = IndicatorValue._numeric_error(indicator, number)
    if message:
        raise ValueError(message)
    if number.as_tuple().exponent < -4:
        raise ValueError(_("Give at most four decimals (%(value)s).") % {"value": raw})
    return {"number_value": number}


def _shown(indicator: Indicator, values: dict[str, Any]) -> str:
    from ..templatetags.workspace import display_value

    return display_value(IndicatorValue(indicator=indicator, **values))


def import_plan(*, user, upload: Upload, period: ReportingPeriod | None = None) -> ImportPlan:
    """What importing ``upload`` would do, row by row, without writing anything (a constant 4 queries).

    ``period``: the period the upload is meant for (a page or request names it); a template of another
    period is refused.
    """
    the_period = ReportingPeriod.objects.filter(pk=upload.period_id).first()
    if the_period is None or (period is not None and period.pk != the_period.pk):
        raise refuse(
            _("This template is for another period; download the template of this period."), "wrong_period"
        )
    if not (access.is_staff_member(user) or access.can_review(user)):
        raise PermissionDenied(_("Only staff and reviewers import values."))
    codes = {row.country for row in upload.rows}
    countries = {c.code: c for c in Country.objects.filter(code__in=codes)}
    editable = {c.pk for c in countries.values() if access.can_edit_country(user, c)}
    indicators = {
        i.code: i for i in Indicator.objects.filter(code__in={row.indicator for row in upload.rows})
    }
    current = {
        (v.country_id, v.indicator_id): v
        for v in IndicatorValue.objects.filter(period=the_period, country_id__in=editable)
        .defer("evidence_links")
        .select_related("updated_by")
    }
    plans: list[RowPlan] = []
    seen: set[tuple[str, str]] = set()
    for row in upload.rows:
        plan = RowPlan(
            number=row.number,
            country_code=row.country,
            indicator_code=row.indicator,
            state=CellState.UNCHANGED,
        )
        plans.append(plan)
        country, indicator = countries.get(row.country), indicators.get(row.indicator)
        if country is None or indicator is None:
            plan.state, plan.reason = CellState.INVALID, _("Unknown country or indicator code.")
            continue
        plan.country, plan.indicator = country, indicator
        if (row.country, row.indicator) in seen:
            plan.state, plan.reason = CellState.INVALID, _("This country and indicator appear twice.")
            continue
        seen.add((row.country, row.indicator))
        if country.pk not in editable:
            plan.state = CellState.INVALID
            plan.reason = _("You are not assigned to %(country)s.") % {"country": country.name}
            continue
        value = current.get((country.pk, indicator.pk))
        if value is not None:
            value.indicator = indicator
        try:
            values = _parse_value(indicator, row.value)
        except ValueError as error:
            plan.state, plan.reason = CellState.INVALID, str(error)
            plan.after = str(row.value)
            continue
        note = "" if row.note is None else str(row.note).strip()
        if len(note) > NOTE_LIMIT:
            plan.state = CellState.INVALID
            plan.reason = _("The note is longer than %(n)d characters.") % {"n": NOTE_LIMIT}
            continue
        plan.after = _shown(indicator, values)
        plan.note_after = note
        if value is not None:
            plan.note_before = value.note
        if value is None:
            if all(v in (None, "") for v in values.values()) and not note:
                continue  # nothing entered, nothing there: unchanged
            plan.state, plan.version = CellState.NEW, 0
        else:
            plan.before = _shown(indicator, {name: getattr(value, name) for name in values})
            differs = any(getattr(value, name) != new for name, new in values.items()) or value.note != note
            if not differs:
                continue
            try:
                version = int(row.version) if row.version not in (None, "") else 0
            except (TypeError, ValueError):
                version = -1
            if version != value.version:
                plan.state = CellState.CONFLICT
                plan.reason = _(
                    "Changed by %(who)s since the template was made (version %(then)s, now %(now)s)."
                ) % {
                    "who": value.updated_by_id and value.updated_by or _("someone"),
                    "then": row.version,
                    "now": value.version,
                }
                continue
            if not value.is_editable:
                plan.state = CellState.INVALID
                plan.reason = _("This value is %(status)s and locked.") % {
                    "status": value.get_status_display().lower()
                }
                continue
            plan.state, plan.version = CellState.CHANGED, value.version
        if not the_period.is_open:
            plan.state = CellState.INVALID
            plan.reason = _("The period %(period)s is closed.") % {"period": the_period.name}
            continue
        if not indicator.is_active:
            plan.state, plan.reason = CellState.INVALID, _("%(code)s is retired.") % {"code": indicator.code}
            continue
        plan.changes = {**values, "note": note}
    return ImportPlan(period=the_period, rows=plans)


def import_apply(
    *, user, upload: Upload, period: ReportingPeriod | None = None, name: str = ""
) -> ImportPlan:
    """Import every new and changed row at once, or nothing: a row that is invalid or in conflict (now,
    not only at the dry run) stops the whole import. Each change is in the history as an import."""
    token = _importing.set(f"{IMPORT_REASON}: {name}"[:100] if name else IMPORT_REASON)
    try:
        return _apply(user=user, upload=upload, period=period)
    finally:
        _importing.reset(token)


def _apply(*, user, upload: Upload, period: ReportingPeriod | None) -> ImportPlan:
    with transaction.atomic():
        plan = import_plan(user=user, upload=upload, period=period)
        if plan.count(CellState.INVALID) or plan.count(CellState.CONFLICT):
            raise refuse(
                _(
                    "Some rows are invalid or changed since the download (see the dry run); "
                    "nothing was imported."
                ),
                "not_clean",
            )
        for row in plan.to_write:
            try:
                services.indicator_value_save(
                    country=row.country,
                    indicator=row.indicator,
                    period=plan.period,
                    user=user,
                    expected_version=row.version,
                    **row.changes,
                )
            except services.EditConflict:
                raise refuse(
                    _("Row %(row)d was changed by someone else during the import; nothing was imported.")
                    % {"row": row.number},
                    "conflict",
                ) from None
            except ValidationError as error:
                raise refuse(
                    _("Row %(row)d: %(error)s Nothing was imported.")
                    % {"row": row.number, "error": " ".join(error.messages)},
                    "invalid",
                ) from None
    return plan
