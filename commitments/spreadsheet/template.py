"""The template to download: a row per country and indicator of a period, validation, instructions."""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

from django.utils import timezone, translation
from django.utils.translation import gettext as _

from ..models import NOTE_LIMIT, Country, Indicator, IndicatorValue, ReportingPeriod, Status
from ..selectors import period_before, periods_in_order
from .common import (
    META_SHEET,
    NOTE_COL,
    TEMPLATE_FORMAT,
    VALUE_COL,
    VALUES_SHEET,
    VERSION_COL,
)


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
