"""CSV for the list endpoints (``?format=csv`` or ``Accept: text/csv``), made to open safely in a spreadsheet.

- One row per item; nested objects become dotted columns (``response.reference``), lists of texts one cell
  with a line per item, lists of objects (a commitment's progress) one cell of JSON.
- UTF-8 with a byte order mark, so that spreadsheet programs read the accents of "België" right.
- Formula neutralisation: a cell that a spreadsheet would run as a formula (starting with = + - @, a tab
  or a carriage return) gets a leading apostrophe, except plain numbers such as -12.5.
- Lists are exported whole (filters apply, pages do not) and streamed, so memory stays flat.
- Errors stay JSON: a client that asked for CSV still gets the API's one error shape.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterable, Iterator

from django.http import Http404
from rest_framework import serializers
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.renderers import BaseRenderer, JSONRenderer

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
PLAIN_NUMBER = re.compile(r"-?\d+(\.\d+)?")
BOM = "\ufeff"


def neutralise(cell: str) -> str:
    """Make a cell inert in a spreadsheet: ``=1+2`` becomes ``'=1+2``; ``-12.5`` stays a number."""
    if cell.startswith(FORMULA_START) and not PLAIN_NUMBER.fullmatch(cell):
        return "'" + cell
    return cell


def cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        if all(not isinstance(item, dict | list) for item in value):
            return "\n".join("" if item is None else str(item) for item in value)
        return json.dumps(value, ensure_ascii=False, default=str)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, default=str)
    return str(value)


def flatten(item: dict, prefix: str = "") -> dict[str, object]:
    """A serialized item as {column: value}: nested objects as dotted columns, everything else as is."""
    flat: dict[str, object] = {}
    for key, value in item.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(flatten(value, f"{name}."))
        else:
            flat[name] = value
    return flat


def columns_of(serializer: serializers.BaseSerializer, prefix: str = "") -> list[str]:
    """The CSV header of a serializer's items, known before the first row (so an empty list has one too)."""
    if isinstance(serializer, serializers.ListSerializer):
        serializer = serializer.child
    names: list[str] = []
    for name, field in serializer.fields.items():
        if field.write_only:
            continue
        if isinstance(field, serializers.Serializer):
            names.extend(columns_of(field, f"{prefix}{name}."))
        else:
            names.append(f"{prefix}{name}")
    return names


def csv_row(item: dict, columns: list[str]) -> list[str]:
    flat = flatten(item)
    return [neutralise(cell_text(flat.get(column))) for column in columns]


class _Line:
    """The csv module writes to a file; this one hands each line back instead."""

    def write(self, text: str) -> str:
        return text


def stream_csv(chunks: Iterable[list[dict]], columns: list[str]) -> Iterator[str]:
    """The lines of a CSV file: the header, then the rows of each chunk of serialized items."""
    writer = csv.writer(_Line())
    yield BOM + writer.writerow(columns)
    for chunk in chunks:
        yield "".join(writer.writerow(csv_row(item, columns)) for item in chunk)


class CSVRenderer(BaseRenderer):
    """``text/csv`` for whatever a view returns: a page, a list or one item (one row)."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None) -> bytes:
        response = (renderer_context or {}).get("response")
        if response is not None and response.status_code >= 400:
            response["Content-Type"] = "application/json"
            return JSONRenderer().render(data)
        if data is None:
            return b""
        if isinstance(data, dict) and isinstance(data.get("results"), list):
            data = data["results"]
        rows = data if isinstance(data, list) else [data]
        rows = [row if isinstance(row, dict) else {"value": row} for row in rows]
        columns: list[str] = []
        for row in rows:
            columns.extend(column for column in flatten(row) if column not in columns)
        return "".join(stream_csv([rows], columns)).encode(self.charset)


class StrictContentNegotiation(DefaultContentNegotiation):
    """DEFAULT_CONTENT_NEGOTIATION_CLASS: ``?format=`` with no value is refused (404, as for an unknown
    format) rather than read as no format at all; the schema lists the formats there are."""

    def select_renderer(self, request, renderers, format_suffix=None):
        name = self.settings.URL_FORMAT_OVERRIDE
        if name and name in request.query_params and not request.query_params.get(name):
            raise Http404
        return super().select_renderer(request, renderers, format_suffix)
