"""Reading an upload without trusting it: size, zip bomb, macros, formulas, our template and format."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from .common import (
    COLUMNS,
    META_SHEET,
    NOTE_COL,
    TEMPLATE_FORMAT,
    VALUE_COL,
    VALUES_SHEET,
    VERSION_COL,
    max_bytes,
    max_unpacked_bytes,
    refuse,
)


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


def check_container(data: bytes, *, name: str = "") -> None:
    """The checks made before any spreadsheet library reads the file: size, zip, macros, zip bomb."""
    if len(data) > max_bytes():
        raise refuse(
            _("The file is larger than %(mb)d MB; nothing was imported.") % {"mb": max_bytes() // 2**20},
            "too_large",
        )
    if name.lower().endswith((".xlsm", ".xltm", ".xlsb", ".xls")):
        raise refuse(
            _("Only .xlsx files made from the template are accepted (no macros, no old formats)."), "not_xlsx"
        )
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise refuse(_("This is not an XLSX spreadsheet; nothing was imported."), "not_spreadsheet")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        raise refuse(_("This is not an XLSX spreadsheet; nothing was imported."), "not_spreadsheet") from None
    names = {member.filename for member in members}
    if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
        raise refuse(_("This is not an XLSX spreadsheet; nothing was imported."), "not_spreadsheet")
    if len(members) > 1000:
        raise refuse(_("The file holds too many parts to be a template; nothing was imported."), "zip_bomb")
    unpacked = 0
    for member in members:
        lowered = member.filename.lower()
        if lowered.endswith("vbaproject.bin") or lowered.endswith(".bin") and "vba" in lowered:
            raise refuse(
                _("The file contains macros; they are never accepted. Nothing was imported."), "macros"
            )
        unpacked += member.file_size
        # A part that unpacks to hundreds of times its packed size is how zip bombs are made.
        if member.file_size > 10 * 2**20 and member.file_size > 200 * max(member.compress_size, 1):
            raise refuse(
                _("The file unpacks to far more than it holds (a zip bomb?); nothing was imported."),
                "zip_bomb",
            )
    if unpacked > max_unpacked_bytes():
        raise refuse(
            _("The file unpacks to far more than it holds (a zip bomb?); nothing was imported."), "zip_bomb"
        )
    try:
        content_types = archive.read("[Content_Types].xml")
    except (KeyError, zipfile.BadZipFile, OSError):
        raise refuse(_("This is not an XLSX spreadsheet; nothing was imported."), "not_spreadsheet") from None
    if b"macroEnabled" in content_types or b"vbaProject" in content_types:
        raise refuse(_("The file contains macros; they are never accepted. Nothing was imported."), "macros")


def read_upload(data: bytes, *, name: str = "") -> Upload:
    """Read an uploaded template: refuses (``SpreadsheetRefused``) what is not a safe, current template."""
    check_container(data, name=name)
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=False, keep_links=False)
    except Exception:  # openpyxl raises many kinds for a damaged file; each means the same to the user
        raise refuse(_("The spreadsheet could not be read; nothing was imported."), "unreadable") from None
    try:
        if META_SHEET not in book.sheetnames or VALUES_SHEET not in book.sheetnames:
            raise refuse(
                _("This is not a template from Alliance Monitor: download one from the workspace."),
                "not_template",
            )
        meta = {str(row[0]): row[1] for row in book[META_SHEET].iter_rows(values_only=True) if row and row[0]}
        if meta.get("format") != TEMPLATE_FORMAT:
            raise refuse(
                _("This template is of an older version; download a new one. Nothing was imported."),
                "stale_template",
            )
        try:
            period_id = int(meta.get("period"))
        except (TypeError, ValueError):
            raise refuse(
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
                    raise refuse(
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
                raise refuse(
                    _("The file has more rows than any template; nothing was imported."), "too_large"
                )
        return Upload(period_id=period_id, language=str(meta.get("language") or "en"), rows=rows)
    finally:
        book.close()
