"""Whole-list exports at the database's pace: the CSV of indicator values.

The general CSV path (views.AllianceViewSet.csv_response) serializes every row with DRF: about 9,000
rows a second. Here PostgreSQL writes each CSV line itself, in exactly the form the serializer and
renderers.py give it: numbers with their four decimals, ``true``/``false``, times in ISO 8601 in the
current time zone as DRF writes them, evidence links one per line, formulas neutralised as
``renderers.neutralise`` does, cells quoted as the ``csv`` module quotes them. The lines arrive through
a server-side cursor a chunk at a time, so memory stays flat however long the list; Python only joins
them. tests/commitments/test_api_export.py holds this path to the serializer's output byte for byte,
on awkward data and in several time zones, so the two cannot drift apart.

SDMX (sdmx.py) streams the same way, from rows of codes and numbers.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator

from django.db import connection
from django.db.models import F, Func, QuerySet, TextField, Value
from django.db.models.functions import Cast
from django.http import StreamingHttpResponse
from django.utils import timezone

from commitments.models import split_lines

from .renderers import BOM, neutralise

CHUNK = 5000  # rows per fetch from the server-side cursor: about 1 MB of text at a time
# The export's sort holds whole lines: in memory rather than spilled to disk (about a quarter faster).
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


class _Cell(Func):
    """One CSV cell computed in SQL from one column. Templates repeat the column, which is plain SQL
    as long as it binds no parameters: checked."""

    output_field = TextField()

    def as_sql(self, compiler, connection, **extra):
        sql, params = super().as_sql(compiler, connection, **extra)
        if params:
            raise ValueError("A CSV cell is computed from a column, never from a bound parameter.")
        return sql, params


def plain(field: str) -> _Cell:
    """Codes, numbers, choices: never a formula, never quoted (NULL: empty)."""
    return _Cell(Cast(F(field), TextField()), template="COALESCE(%(expressions)s, '')")


def boolean(field: str) -> _Cell:
    return _Cell(
        F(field), template="CASE %(expressions)s WHEN true THEN 'true' WHEN false THEN 'false' ELSE '' END"
    )


def timestamp(field: str) -> _Cell:
    """ISO 8601 as DRF writes it, in the session's time zone (the current one, see value_lines):
    microseconds only when not zero, ``Z`` for UTC. One to_char: ``.000000`` and ``+00:00`` can only
    be the fraction and the offset."""
    return _Cell(
        F(field),
        template=(
            "COALESCE(replace(replace(to_char(%(expressions)s, 'YYYY-MM-DD\"T\"HH24:MI:SS.USTZH:TZM'),"
            " '.000000', ''), '+00:00', 'Z'), '')"
        ),
    )


def free_text(field: str) -> _Cell:
    """Text anyone typed: made inert for spreadsheets and quoted as the csv module quotes (when it holds
    a comma, a double quote or a line break)."""
    x = "COALESCE(%(expressions)s, '')"
    neutralised = _NEUTRALISED.format(x=x)
    template = (
        f"CASE WHEN {x} = '' THEN ''"
        f" WHEN {_NEEDS_QUOTES.format(x=x)} THEN '\"' || replace({neutralised}, '\"', '\"\"') || '\"'"
        f" ELSE {neutralised} END"
    )
    return _Cell(F(field), template=template)


def lines_cell(text: str) -> str:
    """Evidence links as LinesField shows them, one per line, as a CSV cell: in Python, where
    str.splitlines and str.strip are (in SQL, splitting every row's links cost more than the rest)."""
    if not text:
        return ""
    cell = neutralise("\n".join(split_lines(text)))
    if "," in cell or '"' in cell or "\n" in cell or "\r" in cell:
        return '"' + cell.replace('"', '""') + '"'
    return cell


def value_columns() -> dict[str, _Cell | None]:
    """The columns of IndicatorValueSerializer, in its order, each as the SQL that writes its CSV cell
    (None: written by Python, from the column itself)."""
    return {
        "id": plain("pk"),
        "country": plain("country__code"),
        "indicator": free_text("indicator__code"),
        "goal": free_text("indicator__goal__code"),
        "period": plain("period_id"),
        "period_label": free_text("period__label"),
        "value_type": plain("indicator__value_type"),
        "number_value": plain("number_value"),
        "boolean_value": boolean("boolean_value"),
        "text_value": free_text("text_value"),
        "note": free_text("note"),
        "evidence_links": None,  # lines_cell
        "status": plain("status"),
        "review_reason": free_text("review_reason"),
        "version": plain("version"),
        "submitted_at": timestamp("submitted_at"),
        "approved_at": timestamp("approved_at"),
        "updated_at": timestamp("updated_at"),
        "is_demo": boolean("is_demo"),
    }


def value_lines(queryset: QuerySet) -> Iterator[str]:
    """The queryset's rows as CSV lines, fetched a chunk at a time through a server-side cursor.

    PostgreSQL writes the cells before the evidence links as one text and those after as another;
    Python puts the links between. Times are written in the current time zone: the session's while
    the rows are read (a held cursor is computed when declared), the connection's own again after; the
    session's sort memory is raised for as long (SORT_MEMORY).
    """
    columns = list(value_columns().values())
    links = columns.index(None)

    def joined(cells: list[_Cell], *, before: str = "", after: str = "") -> Func:
        return Func(
            Value(before),
            Func(Value(","), *cells, function="concat_ws"),
            Value(after),
            function="concat",
            output_field=TextField(),
        )

    rows = (
        queryset.select_related(None)  # the list's joins would add every joined column to the SELECT
        .annotate(
            _csv_head=joined(columns[:links], after=","),
            _csv_tail=joined(columns[links + 1 :], before=",", after="\r\n"),
        )
        .values_list("_csv_head", "evidence_links", "_csv_tail")
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT set_config('TimeZone', %s, false), set_config('work_mem', %s, false)",
            [timezone.get_current_timezone_name(), SORT_MEMORY],
        )
    try:
        for head, evidence, tail in rows.iterator(chunk_size=CHUNK):
            yield head + lines_cell(evidence) + tail if evidence else head + tail
    finally:
        with connection.cursor() as cursor:
            # The connection's time zone, and the sort memory the session began with (what RESET gives).
            cursor.execute(
                "SELECT set_config('TimeZone', %s, false),"
                " set_config('work_mem', (SELECT reset_val FROM pg_settings WHERE name = 'work_mem'), false)",
                [connection.timezone_name],
            )


def values_csv(queryset: QuerySet) -> Iterator[str]:
    """The values' CSV file, a chunk at a time: the header, then the lines."""
    writer = csv.writer(_Line())
    yield BOM + writer.writerow(list(value_columns()))
    chunk: list[str] = []
    for line in value_lines(queryset):
        chunk.append(line)
        if len(chunk) == CHUNK:
            yield "".join(chunk)
            chunk = []
    if chunk:
        yield "".join(chunk)


def values_csv_response(queryset: QuerySet, filename: str) -> StreamingHttpResponse:
    """The whole visible, filtered list of values as a streamed CSV download."""
    response = StreamingHttpResponse(values_csv(queryset), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
