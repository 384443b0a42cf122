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

The package, by area: ``template`` (the download), ``reading`` (the safe reading of an upload),
``importing`` (the dry run and the import) and ``common`` (layout, limits, the refusal). Every name is
importable from ``commitments.spreadsheet`` as before.
"""

from __future__ import annotations

from .common import (
    COLUMNS,
    IMPORT_REASON,
    META_SHEET,
    NO,
    NOTE_COL,
    TEMPLATE_FORMAT,
    VALUE_COL,
    VALUES_SHEET,
    VERSION_COL,
    YES,
    SpreadsheetRefused,
    max_bytes,
    max_unpacked_bytes,
)
from .importing import CellState, ImportPlan, RowPlan, import_apply, import_plan
from .reading import SheetRow, Upload, check_container, read_upload
from .template import template_build

__all__ = [
    "COLUMNS",
    "IMPORT_REASON",
    "META_SHEET",
    "NO",
    "NOTE_COL",
    "TEMPLATE_FORMAT",
    "VALUES_SHEET",
    "VALUE_COL",
    "VERSION_COL",
    "YES",
    "CellState",
    "ImportPlan",
    "RowPlan",
    "SheetRow",
    "SpreadsheetRefused",
    "Upload",
    "check_container",
    "import_apply",
    "import_plan",
    "max_bytes",
    "max_unpacked_bytes",
    "read_upload",
    "template_build",
]
