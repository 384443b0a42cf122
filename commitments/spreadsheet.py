"""Indicator values as a spreadsheet: a template to download, and an upload that is dry-run first.

The template (XLSX, openpyxl) holds one row per country and indicator of one period: the previous
period's value, the current value and note, the status, and - hidden - the version each row was at when
the template was made. Cells carry validation from the indicator's type and bounds; an instructions sheet
says how to fill it in, in English or Dutch.

An upload is read without trusting it (``read_upload``): it must be an XLSX made from our template, of the
right period and template format, no larger than SPREADSHEET_MAX_BYTES, without macros, without
formulas in the cells we read, and its zip may not unpack to more than SPREADSHEET_MAX_UNPACKED_BYTES
(checked in the zip's directory before openpyxl reads a byte). Then ``import_plan`` says, cell by cell,
what would happen (new, changed, unchanged, invalid with the reason, conflict: changed by someone since
the download) without writing; ``import_apply`` writes all of it in one transaction through
``services.indicator_value_save`` (with each row's version), or nothing.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import io
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.dispatch import receiver
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from simple_history.signals import pre_create_historical_record

from . import access, services
from .models import NOTE_LIMIT, Country, Indicator, IndicatorValue, ReportingPeriod, Status
from .selectors import period_before, periods_in_order

# Bumped whenever the layout changes: an upload of an older template is refused, not misread.
TEMPLATE_FORMAT = "alliance-values-2"
VALUES_SHEET = "values"
META_SHEET = "meta"
COLUMNS = (
    "country",
    "country_name",
    "indicator",
    "indicator_name",
    "type",
    "allowed",
    "previous",
    "value",
    "note",
    "status",
    "version",
)
VALUE_COL = COLUMNS.index("value") + 1
NOTE_COL = COLUMNS.index("note") + 1
VERSION_COL = COLUMNS.index("version") + 1
YES = {"yes", "ja", "true", "1", "y", "j"}
NO = {"no", "nee", "false", "0", "n"}
IMPORT_REASON = "import"

# Set while an import writes: each history record it makes says "import" (who: the history's user).
_importing: contextvars.ContextVar[str | None] = contextvars.ContextVar("spreadsheet_import", default=None)


@receiver(pre_create_historical_record, dispatch_uid="commitments.spreadsheet.import_reason")
def _import_reason(sender, instance, history_instance, **kwargs) -> None:
    reason = _importing.get()
    if reason and isinstance(instance, IndicatorValue):
        history_instance.history_change_reason = reason


def max_bytes() -> int:
    return int(getattr(settings, "SPREADSHEET_MAX_BYTES", 20 * 1024 * 1024))


def max_unpacked_bytes() -> int:
    return int(getattr(settings, "SPREADSHEET_MAX_UNPACKED_BYTES", 100 * 1024 * 1024))


class SpreadsheetRefused(ValidationError):
    """The file as a whole is refused (not a template of ours, unsafe, wrong period); nothing changes."""


# --------------------------------------------------------------------------------------------------
# The template
# --------------------------------------------------------------------------------------------------


def _headers() -> list[str]:
    return [
        _("Country code"),
        _("Country"),
        _("Indicator code"),
        _("Indicator"),
        _("Type"),
        _("Allowed"),
        _("Previous period"),
        _("Value"),
        _("Note"),
        _("Status"),
        _("Version (do not change)"),
    ]


def _allowed_text(indicator: Indicator) -> str:
    kind = indicator.value_type
    if kind == Indicator.ValueType.BOOLEAN:
        return _("yes or no")
    if kind == Indicator.ValueType.TEXT:
        return _("text, at most %(n)d characters") % {"n": NOTE_LIMIT}
    if kind == Indicator.ValueType.MATURITY:
        return _("a whole number from 0 to 4")
    low, high = _numeric_bounds(indicator)
    if low is None and high is None:
        return _("a number")
    return _("a number from %(low)s to %(high)s") % {
        "low": _plain(low) if low is not None else "−∞",
        "high": _plain(high) if high is not None else "∞",
    }


def _numeric_bounds(indicator: Indicator) -> tuple[Decimal | None, Decimal | None]:
    low, high = indicator.bounds()
    if indicator.value_type == Indicator.ValueType.PERCENTAGE and low is None and high is None:
        low, high = Decimal(0), Decimal(100)
    return low, high


def _plain(number: Decimal | None) -> str:
    if number is None:
        return ""
    return format(number.normalize(), "f")


def _cell_value(value: IndicatorValue | None) -> Any:
    """A value as the sheet holds it: a number, yes/no in the sheet's language, or text."""
    if value is None:
        return None
    kind = value.indicator.value_type
    if kind == Indicator.ValueType.BOOLEAN:
        return {True: _("yes"), False: _("no")}.get(value.boolean_value)
    if kind == Indicator.ValueType.TEXT:
        return value.text_value or None
    if value.number_value is None:
        return None
    number = value.number_value
    return int(number) if number == number.to_integral_value() else number


def template_build(*, user, period: ReportingPeriod, countries: list[Country], language: str) -> bytes:
    """An XLSX template of ``period`` for ``countries`` (those the user may edit), in ``language``."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill, Protection
    from openpyxl.worksheet.datavalidation import DataValidation

    with translation.override(language):
        periods = periods_in_order()
        previous = period_before(period=period, periods=periods)
        wanted = [period.pk] + ([previous.pk] if previous else [])
        indicators = list(
            Indicator.objects.filter(is_active=True)
            .select_related("goal")
            .order_by("goal__order", "order", "code")
        )
        values = {
            (v.country_id, v.indicator_id, v.period_id): v
            for v in IndicatorValue.objects.filter(country__in=countries, period_id__in=wanted).defer(
                "evidence_links", "review_reason"
            )
        }
        book = Workbook()
        intro = book.active
        intro.title = _("Instructions")[:31]
        sheet = book.create_sheet(VALUES_SHEET)
        meta = book.create_sheet(META_SHEET)
        meta.sheet_state = "veryHidden"
        for row in (
            ("format", TEMPLATE_FORMAT),
            ("period", period.pk),
            ("period_label", period.label),
            ("language", language),
            ("created_at", timezone.now().isoformat()),
            ("created_by", user.get_username()),
        ):
            meta.append(row)

        lines = [
            _("Alliance Monitor: indicator values for %(period)s") % {"period": period.name},
            "",
            _("1. Enter values in the sheet '%(sheet)s', column 'Value' (and a note if you like).")
            % {"sheet": VALUES_SHEET},
            _(
                "2. Each cell accepts what its indicator allows (see column 'Allowed'): a number within "
                "its bounds, a whole level from 0 to 4, yes or no, or text."
            ),
            _("3. Type values, not formulas: a file with formulas in the value or note columns is refused."),
            _(
                "4. Do not change the codes or the hidden version column: they tell us which row you "
                "started from. A row someone changed since you downloaded is shown as a conflict."
            ),
            _(
                "5. Upload the file in the workspace ('Upload spreadsheet'). You first see what would "
                "change (a dry run); nothing is saved until you confirm."
            ),
            _("6. Submitted and approved rows are locked; values you change stay drafts until submitted."),
            "",
            _(
                "Template made on %(date)s for period %(period)s; a template of another period or an older "
                "template is refused."
            )
            % {"date": timezone.localdate().isoformat(), "period": period.label},
        ]
        for line in lines:
            intro.append([line])
        intro.column_dimensions["A"].width = 120
        intro["A1"].font = Font(bold=True, size=14)

        sheet.append(_headers())
        for cell in sheet[1]:
            cell.font = Font(bold=True)
            cell.fill = PatternFill("solid", fgColor="E8EFF6")
        widths = (8, 22, 10, 50, 14, 26, 16, 16, 40, 12, 8)
        for index, width in enumerate(widths, start=1):
            sheet.column_dimensions[sheet.cell(row=1, column=index).column_letter].width = width
        sheet.column_dimensions[sheet.cell(row=1, column=VERSION_COL).column_letter].hidden = True
        sheet.freeze_panes = "E2"

        validations: dict[str, DataValidation] = {}

        def validation(indicator: Indicator) -> DataValidation:
            kind = indicator.value_type
            low, high = _numeric_bounds(indicator)
            key = f"{kind}:{low}:{high}"
            if key in validations:
                return validations[key]
            error = _("This cell takes %(allowed)s.") % {"allowed": _allowed_text(indicator)}
            if kind == Indicator.ValueType.BOOLEAN:
                rule = DataValidation(type="list", formula1=f'"{_("yes")},{_("no")}"', allow_blank=True)
            elif kind == Indicator.ValueType.TEXT:
                rule = DataValidation(
                    type="textLength", operator="lessThanOrEqual", formula1=str(NOTE_LIMIT), allow_blank=True
                )
            elif kind == Indicator.ValueType.MATURITY:
                rule = DataValidation(
                    type="whole", operator="between", formula1="0", formula2="4", allow_blank=True
                )
            elif low is not None and high is not None:
                rule = DataValidation(
                    type="decimal",
                    operator="between",
                    formula1=_plain(low),
                    formula2=_plain(high),
                    allow_blank=True,
                )
            elif low is not None:
                rule = DataValidation(
                    type="decimal", operator="greaterThanOrEqual", formula1=_plain(low), allow_blank=True
                )
            elif high is not None:
                rule = DataValidation(
                    type="decimal", operator="lessThanOrEqual", formula1=_plain(high), allow_blank=True
                )
            else:
                rule = DataValidation(
                    type="decimal", operator="between", formula1="-1E+15", formula2="1E+15", allow_blank=True
                )
            rule.error, rule.errorTitle, rule.showErrorMessage = error, _("Not allowed"), True
            sheet.add_data_validation(rule)
            validations[key] = rule
            return rule

        note_rule = DataValidation(
            type="textLength", operator="lessThanOrEqual", formula1=str(NOTE_LIMIT), allow_blank=True
        )
        sheet.add_data_validation(note_rule)
        type_names = dict(Indicator.ValueType.choices)
        statuses = dict(Status.choices)
        row_number = 1
        for country in countries:
            for indicator in indicators:
                row_number += 1
                value = values.get((country.pk, indicator.pk, period.pk))
                before = values.get((country.pk, indicator.pk, previous.pk)) if previous else None
                for item in (value, before):
                    if item is not None:
                        item.indicator = indicator
                sheet.append(
                    [
                        country.code,
                        country.name,
                        indicator.code,
                        indicator.name,
                        str(type_names[indicator.value_type]),
                        _allowed_text(indicator),
                        _cell_value(before),
                        _cell_value(value),
                        (value.note if value else None) or None,
                        str(statuses[value.status]) if value else _("Not entered"),
                        value.version if value else 0,
                    ]
                )
                value_cell = sheet.cell(row=row_number, column=VALUE_COL)
                note_cell = sheet.cell(row=row_number, column=NOTE_COL)
                if value is None or value.is_editable:
                    validation(indicator).add(value_cell)
                    note_rule.add(note_cell)
                    for cell in (value_cell, note_cell):
                        cell.protection = Protection(locked=False)
                        cell.fill = PatternFill("solid", fgColor="FFFBE6")
                note_cell.alignment = Alignment(wrap_text=True, vertical="top")
        # Codes, versions and locked rows are protected (no password: a guard against slips, not a lock).
        sheet.protection.sheet = True
        sheet.protection.formatRows = False
        sheet.protection.formatColumns = False
        output = io.BytesIO()
        book.save(output)
        return output.getvalue()


# --------------------------------------------------------------------------------------------------
# Reading an upload, without trusting it
# --------------------------------------------------------------------------------------------------


@dataclass
class SheetRow:
    number: int  # the row number people see in the spreadsheet
    country: str
    indicator: str
    value: Any
    note: Any
    version: Any


@dataclass
class Upload:
    period_id: int
    language: str
    rows: list[SheetRow]


def _refuse(message: str, code: str) -> SpreadsheetRefused:
    return SpreadsheetRefused(message, code=code)


def check_container(data: bytes, *, name: str = "") -> None:
    """The checks made before any spreadsheet library reads the file: size, zip, macros, zip bomb."""
    if len(data) > max_bytes():
        raise _refuse(
            _("The file is larger than %(mb)d MB; nothing was imported.") % {"mb": max_bytes() // 2**20},
            "too_large",
        )
    if name.lower().endswith((".xlsm", ".xltm", ".xlsb", ".xls")):
        raise _refuse(
            _("Only .xlsx files made from the template are accepted (no macros, no old formats)."), "not_xlsx"
        )
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise _refuse(_("This is not an XLSX spreadsheet; nothing was imported."), "not_spreadsheet")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        raise _refuse(
            _("This is not an XLSX spreadsheet; nothing was imported."), "not_spreadsheet"
        ) from None
    names = {member.filename for member in members}
    if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
        raise _refuse(_("This is not an XLSX spreadsheet; nothing was imported."), "not_spreadsheet")
    if len(members) > 1000:
        raise _refuse(_("The file holds too many parts to be a template; nothing was imported."), "zip_bomb")
    unpacked = 0
    for member in members:
        lowered = member.filename.lower()
        if lowered.endswith("vbaproject.bin") or lowered.endswith(".bin") and "vba" in lowered:
            raise _refuse(
                _("The file contains macros; they are never accepted. Nothing was imported."), "macros"
            )
        unpacked += member.file_size
        # A part that unpacks to hundreds of times its packed size is how zip bombs are made.
        if member.file_size > 10 * 2**20 and member.file_size > 200 * max(member.compress_size, 1):
            raise _refuse(
                _("The file unpacks to far more than it holds (a zip bomb?); nothing was imported."),
                "zip_bomb",
            )
    if unpacked > max_unpacked_bytes():
        raise _refuse(
            _("The file unpacks to far more than it holds (a zip bomb?); nothing was imported."), "zip_bomb"
        )
    try:
        content_types = archive.read("[Content_Types].xml")
    except (KeyError, zipfile.BadZipFile, OSError):
        raise _refuse(
            _("This is not an XLSX spreadsheet; nothing was imported."), "not_spreadsheet"
        ) from None
    if b"macroEnabled" in content_types or b"vbaProject" in content_types:
        raise _refuse(_("The file contains macros; they are never accepted. Nothing was imported."), "macros")


def read_upload(data: bytes, *, name: str = "") -> Upload:
    """Read an uploaded template: refuses (``SpreadsheetRefused``) what is not a safe, current template."""
    check_container(data, name=name)
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=False, keep_links=False)
    except Exception:  # openpyxl raises many kinds for a damaged file; each means the same to the user
        raise _refuse(_("The spreadsheet could not be read; nothing was imported."), "unreadable") from None
    try:
        if META_SHEET not in book.sheetnames or VALUES_SHEET not in book.sheetnames:
            raise _refuse(
                _("This is not a template from Alliance Monitor: download one from the workspace."),
                "not_template",
            )
        meta = {str(row[0]): row[1] for row in book[META_SHEET].iter_rows(values_only=True) if row and row[0]}
        if meta.get("format") != TEMPLATE_FORMAT:
            raise _refuse(
                _("This template is of an older version; download a new one. Nothing was imported."),
                "stale_template",
            )
        try:
            period_id = int(meta.get("period"))
        except (TypeError, ValueError):
            raise _refuse(
                _("The template does not say its period; download a new one."), "not_template"
            ) from None
        rows = []
        for number, cells in enumerate(
            book[VALUES_SHEET].iter_rows(min_row=2, max_col=len(COLUMNS)), start=2
        ):
            cells = list(cells) + [None] * (len(COLUMNS) - len(cells))
            for index in (VALUE_COL, NOTE_COL):
                cell = cells[index - 1]
                if cell is not None and (
                    getattr(cell, "data_type", None) == "f"
                    or (isinstance(cell.value, str) and cell.value.startswith("="))
                    or not isinstance(
                        cell.value, str | int | float | bool | type(None) | dt.datetime | Decimal
                    )
                ):
                    raise _refuse(
                        _("Row %(row)d holds a formula; type values instead. Nothing was imported.")
                        % {"row": number},
                        "formula",
                    )

            def value_of(index: int, cells=cells) -> Any:
                cell = cells[index - 1]
                return None if cell is None else cell.value

            country, indicator = value_of(1), value_of(3)
            if country is None and indicator is None:
                continue
            rows.append(
                SheetRow(
                    number=number,
                    country=str(country or "").strip().upper(),
                    indicator=str(indicator or "").strip().upper(),
                    value=value_of(VALUE_COL),
                    note=value_of(NOTE_COL),
                    version=value_of(VERSION_COL),
                )
            )
            if len(rows) > 50000:
                raise _refuse(
                    _("The file has more rows than any template; nothing was imported."), "too_large"
                )
        return Upload(period_id=period_id, language=str(meta.get("language") or "en"), rows=rows)
    finally:
        book.close()


# --------------------------------------------------------------------------------------------------
# The dry run and the import
# --------------------------------------------------------------------------------------------------


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
    changes: dict[str, Any] = field(default_factory=dict)  # the service's keyword arguments
    version: int | None = None
    country: Country | None = None
    indicator: Indicator | None = None


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
    from .templatetags.workspace import display_value

    return display_value(IndicatorValue(indicator=indicator, **values))


def import_plan(*, user, upload: Upload, period: ReportingPeriod | None = None) -> ImportPlan:
    """What importing ``upload`` would do, row by row, without writing anything (a constant 4 queries).

    ``period``: the period the upload is meant for (a page or request names it); a template of another
    period is refused.
    """
    the_period = ReportingPeriod.objects.filter(pk=upload.period_id).first()
    if the_period is None or (period is not None and period.pk != the_period.pk):
        raise _refuse(
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
            raise _refuse(
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
                raise _refuse(
                    _("Row %(row)d was changed by someone else during the import; nothing was imported.")
                    % {"row": row.number},
                    "conflict",
                ) from None
            except ValidationError as error:
                raise _refuse(
                    _("Row %(row)d: %(error)s Nothing was imported.")
                    % {"row": row.number, "error": " ".join(error.messages)},
                    "invalid",
                ) from None
    return plan
