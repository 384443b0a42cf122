"""Whole-list exports at the database's pace: the CSV of indicator values.

The general CSV path (views.AllianceViewSet.csv_response) serializes every row with DRF: about 9,000
rows a second. Here PostgreSQL writes each CSV line itself, in exactly the form the serializer and
renderers.py give it: numbers with their four decimals, ``true``/``false``, times in ISO 8601 in the
current time zone as DRF writes them, formulas neutralised as ``renderers.neutralise`` does, cells
quoted as the ``csv`` module quotes them. Evidence links (one per line, as ``str.splitlines`` splits
them) are the one cell Python writes, only for the rows that have any. The lines arrive through a
server-side cursor a chunk at a time, so memory stays flat however long the list; Python only joins
them.

Where the time goes: the list is sorted first, on its narrow columns, inside a subquery that the planner
may not flatten (``OFFSET 0``), and the lines are written after the sort, from the sorted rows: sorting
whole lines cost more than writing them. JIT compilation is off for the export (it cost more than it
saved on these short expressions), and the sort gets its memory (``SORT_MEMORY``). bench/bench_api.py
measures rows per second at 1x-10x.

tests/commitments/test_api_export.py holds this path to the serializer's output byte for byte, on
awkward data and in several time zones, so the two cannot drift apart.

SDMX (sdmx.py) streams the same way, from rows of codes and numbers.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator

from django.db import connection
from django.db.models import QuerySet
from django.http import StreamingHttpResponse
from django.utils import timezone

from commitments.models import split_lines

from .renderers import BOM, neutralise

CHUNK = 5000  # rows per fetch from the server-side cursor: about 1 MB of text at a time
# The export's sort in memory rather than spilled to disk.
SORT_MEMORY = "64MB"

# renderers.neutralise in SQL: a leading apostrophe for = + - @ tab CR, except plain numbers (the
# pattern is only tried on the few cells that start so).
_NEUTRALISED = (
    r"CASE WHEN left({x}, 1) IN ('=', '+', '-', '@', E'\t', E'\r')"
    r" AND {x} !~ '^-?[0-9]+(\.[0-9]+)?$' THEN '''' || {x} ELSE {x} END"
)
# The csv module quotes a cell that holds a comma, a double quote or a line break.
_NEEDS_QUOTES = (
    r"""(strpos({x}, ',') > 0 OR strpos({x}, '"') > 0 OR strpos({x}, E'\n') > 0 OR strpos({x}, E'\r') > 0)"""
)


class _Line:
    """The csv module writes to a file; this one hands each line back instead."""

    def write(self, text: str) -> str:
        return text


def plain(x: str) -> str:
    """Codes, numbers, choices: never a formula, never quoted (NULL: empty)."""
    return f"COALESCE(CAST({x} AS text), '')"


def boolean(x: str) -> str:
    return f"CASE {x} WHEN true THEN 'true' WHEN false THEN 'false' ELSE '' END"


def timestamp(x: str) -> str:
    """ISO 8601 as DRF writes it, in the session's time zone (the current one, see value_lines):
    microseconds only when not zero, ``Z`` for UTC. One to_char: ``.000000`` and ``+00:00`` can only
    be the fraction and the offset."""
    return (
        f"COALESCE(replace(replace(to_char({x}, 'YYYY-MM-DD\"T\"HH24:MI:SS.USTZH:TZM'),"
        " '.000000', ''), '+00:00', 'Z'), '')"
    )


def free_text(x: str) -> str:
    """Text anyone typed: made inert for spreadsheets and quoted as the csv module quotes (when it holds
    a comma, a double quote or a line break)."""
    x = f"COALESCE({x}, '')"
    neutralised = _NEUTRALISED.format(x=x)
    return (
        f"CASE WHEN {x} = '' THEN ''"
        f" WHEN {_NEEDS_QUOTES.format(x=x)} THEN '\"' || replace({neutralised}, '\"', '\"\"') || '\"'"
        f" ELSE {neutralised} END"
    )


def lines_cell(text: str) -> str:
    """Evidence links as LinesField shows them, one per line, as a CSV cell: in Python, where
    str.splitlines and str.strip are (in SQL, splitting every row's links cost more than the rest)."""
    if not text:
        return ""
    cell = neutralise("\n".join(split_lines(text)))
    if "," in cell or '"' in cell or "\n" in cell or "\r" in cell:
        return '"' + cell.replace('"', '""') + '"'
    return cell


EVIDENCE = "evidence_links"


def value_columns() -> dict[str, tuple[str, object]]:
    """The columns of IndicatorValueSerializer, in its order: (the model field it is read from, the SQL
    that writes its cell from that column; None: written by Python, from the column itself)."""
    return {
        "id": ("pk", plain),
        "country": ("country__code", plain),
        "indicator": ("indicator__code", free_text),
        "goal": ("indicator__goal__code", free_text),
        "period": ("period_id", plain),
        "period_label": ("period__label", free_text),
        "value_type": ("indicator__value_type", plain),
        "number_value": ("number_value", plain),
        "boolean_value": ("boolean_value", boolean),
        "text_value": ("text_value", free_text),
        "note": ("note", free_text),
        "evidence_links": (EVIDENCE, None),  # lines_cell
        "status": ("status", plain),
        "review_reason": ("review_reason", free_text),
        "version": ("version", plain),
        "submitted_at": ("submitted_at", timestamp),
        "approved_at": ("approved_at", timestamp),
        "updated_at": ("updated_at", timestamp),
        "is_demo": ("is_demo", boolean),
    }


def lines_sql(queryset: QuerySet) -> tuple[str, list]:
    """The SQL of the queryset's rows as CSV lines, and its parameters: one row per value, ``(line,
    evidence, tail)``. Without evidence links ``line`` is the whole line and the others are NULL; with
    them ``line`` ends before their cell and ``tail`` is the rest."""
    columns = list(value_columns().values())
    fields = [field for field, _cell in columns]
    inner = queryset.select_related(None).values_list(*fields)  # the filters and the order, kept
    inner_sql, params = inner.query.sql_with_params()
    names = [f"c{index}" for index in range(len(columns))]
    evidence = names[fields.index(EVIDENCE)]
    cells = [cell(name) if cell else None for name, (_field, cell) in zip(names, columns, strict=True)]
    links = cells.index(None)
    head = "concat_ws(',', " + ", ".join(cells[:links]) + ")"
    tail = "concat_ws(',', " + ", ".join(cells[links + 1 :]) + ")"
    has_links = f"COALESCE({evidence}, '') <> ''"
    sql = (
        f"SELECT CASE WHEN {has_links} THEN {head} || ',' ELSE {head} || ',,' || {tail} || E'\\r\\n' END,"
        f" CASE WHEN {has_links} THEN {evidence} END,"
        f" CASE WHEN {has_links} THEN ',' || {tail} || E'\\r\\n' END"
        # OFFSET 0: the planner may not fold the sorted rows into this query, so lines are written after
        # the sort, from the sorted narrow rows, in their order.
        f" FROM ({inner_sql} OFFSET 0) AS v({', '.join(names)})"
    )
    return sql, list(params)


def value_lines(queryset: QuerySet) -> Iterator[str]:
    """The queryset's rows as CSV text, a chunk of lines at a time, through a server-side cursor.

    Times are written in the current time zone: the session's while the rows are read (a held cursor
    is computed when declared), the connection's own again after; the session's sort memory is raised
    and JIT compilation turned off for as long (SORT_MEMORY).
    """
    sql, params = lines_sql(queryset)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT set_config('TimeZone', %s, false), set_config('work_mem', %s, false),"
            " set_config('jit', 'off', false)",
            [timezone.get_current_timezone_name(), SORT_MEMORY],
        )
    try:
        cursor = connection.chunked_cursor()
        try:
            cursor.execute(sql, params)
            if hasattr(cursor, "cursor"):
                cursor.cursor.itersize = CHUNK
            while rows := cursor.fetchmany(CHUNK):
                yield "".join(
                    [line if links is None else line + lines_cell(links) + tail for line, links, tail in rows]
                )
        finally:
            cursor.close()
    finally:
        with connection.cursor() as cursor:
            # The connection's time zone, and the settings the session began with (what RESET gives).
            cursor.execute(
                "SELECT set_config('TimeZone', %s, false),"
                " set_config('work_mem', (SELECT reset_val FROM pg_settings WHERE name = 'work_mem'), false),"
                " set_config('jit', (SELECT reset_val FROM pg_settings WHERE name = 'jit'), false)",
                [connection.timezone_name],
            )


def values_csv(queryset: QuerySet) -> Iterator[str]:
    """The values' CSV file, a chunk at a time: the header, then the lines."""
    writer = csv.writer(_Line())
    yield BOM + writer.writerow(list(value_columns()))
    yield from value_lines(queryset)


def values_csv_response(queryset: QuerySet, filename: str) -> StreamingHttpResponse:
    """The whole visible, filtered list of values as a streamed CSV download."""
    response = StreamingHttpResponse(values_csv(queryset), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
