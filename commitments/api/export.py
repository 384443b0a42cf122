"""Whole-list exports at the database's pace: the CSV of indicator values, and the rows SDMX is made of.

The general CSV path (views.AllianceViewSet.csv_response) serializes every row with DRF: about 9,000
rows a second. Here PostgreSQL does the work it does best: every cell is computed as text in SQL, in
exactly the form the JSON shows it (numbers with their four decimals, ``true``/``false``, times in
ISO 8601 in the current time zone, as DRF writes them), and the rows arrive through a server-side
cursor in chunks, so memory stays flat however long the list. Python only neutralises formulas (the
same ``neutralise`` as the general path), turns evidence links into lines and lets the C ``csv``
writer quote. tests/commitments/test_api_export.py holds this path to the serializer's output cell
by cell, so the two cannot drift apart.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator

from django.db.models import Case, F, QuerySet, TextField, Value, When
from django.db.models.expressions import RawSQL
from django.db.models.functions import Cast
from django.http import StreamingHttpResponse
from django.utils import timezone

from commitments.models import IndicatorValue, split_lines

from .renderers import BOM, FORMULA_START, neutralise

_FORMULA_FIRST = frozenset(FORMULA_START)
CHUNK = 5000  # rows per fetch from the server-side cursor: about 2 MB of text at a time


class _Line:
    """The csv module writes to a file; this one hands each line back instead."""

    def write(self, text: str) -> str:
        return text


def iso_datetime(column: str) -> RawSQL:
    """A timestamp column of the values' table as DRF writes it: ISO 8601 in the current time zone,
    microseconds only when not zero, the offset as ``+01:00`` (``Z`` for UTC); NULL stays NULL."""
    reference = f'"{IndicatorValue._meta.db_table}"."{column}"'
    local = f"timezone(%s, {reference})"  # the zone is a bound parameter, never pasted into the SQL
    utc = f"timezone('UTC', {reference})"
    sql = (
        f"CASE WHEN {reference} IS NULL THEN NULL ELSE"
        f" to_char({local}, 'YYYY-MM-DD\"T\"HH24:MI:SS')"
        f" || CASE WHEN date_part('microseconds', {reference})::integer %% 1000000 <> 0"
        f"  THEN to_char({local}, '.US') ELSE '' END"
        f" || CASE WHEN {local} = {utc} THEN 'Z'"
        f"  WHEN {local} > {utc} THEN '+' || to_char({local} - {utc}, 'HH24:MI')"
        f"  ELSE '-' || to_char({utc} - {local}, 'HH24:MI') END"
        " END"
    )
    zone = timezone.get_current_timezone_name()
    return RawSQL(sql, [zone] * sql.count("%s"), output_field=TextField())


def text(field: str):
    return Cast(field, output_field=TextField())


def boolean_text(field: str) -> Case:
    return Case(
        When(**{field: True}, then=Value("true")),
        When(**{field: False}, then=Value("false")),
        default=None,
        output_field=TextField(),
    )


def value_columns() -> dict[str, object]:
    """The columns of IndicatorValueSerializer, in its order, each as the SQL that writes its cell (made
    per request: times are written in the time zone current then). test_api_export.py checks the names
    against the serializer's."""
    return {
        "id": text("pk"),
        "country": F("country__code"),
        "indicator": F("indicator__code"),
        "goal": F("indicator__goal__code"),
        "period": text("period_id"),
        "period_label": F("period__label"),
        "value_type": F("indicator__value_type"),
        "number_value": text("number_value"),
        "boolean_value": boolean_text("boolean_value"),
        "text_value": F("text_value"),
        "note": F("note"),
        "evidence_links": F("evidence_links"),
        "status": F("status"),
        "review_reason": F("review_reason"),
        "version": text("version"),
        "submitted_at": iso_datetime("submitted_at"),
        "approved_at": iso_datetime("approved_at"),
        "updated_at": iso_datetime("updated_at"),
        "is_demo": boolean_text("is_demo"),
    }


LINES_COLUMNS = frozenset({"evidence_links"})


def value_rows(queryset: QuerySet) -> Iterator[tuple]:
    """The queryset's rows as tuples of text cells (None for null), in value_columns() order, streamed."""
    expressions = list(value_columns().values())
    names = [f"_csv_{index}" for index in range(len(expressions))]
    annotated = queryset.annotate(**dict(zip(names, expressions, strict=True)))
    # select_related on the list's queryset would add every joined column to the SELECT: not wanted here.
    return annotated.select_related(None).values_list(*names).iterator(chunk_size=CHUNK)


def csv_lines(
    rows: Iterable[tuple], columns: list[str], lines_columns: frozenset[str] = frozenset()
) -> Iterator[str]:
    """The CSV text of text-cell rows, a chunk at a time: header first, formulas neutralised."""
    writer = csv.writer(_Line())
    yield BOM + writer.writerow(columns)
    lines_at = [index for index, name in enumerate(columns) if name in lines_columns]
    chunk: list[list[str]] = []
    for row in rows:
        if lines_at:
            row = list(row)
            for index in lines_at:
                if row[index]:
                    row[index] = "\n".join(split_lines(row[index]))
        # A cell that cannot start a formula is kept without a call: most cells of most rows.
        chunk.append(["" if c is None else neutralise(c) if c[:1] in _FORMULA_FIRST else c for c in row])
        if len(chunk) == CHUNK:
            yield "".join(map(writer.writerow, chunk))
            chunk = []
    if chunk:
        yield "".join(map(writer.writerow, chunk))


def values_csv_response(queryset: QuerySet, filename: str) -> StreamingHttpResponse:
    """The whole visible, filtered list of values as a streamed CSV download."""
    columns = list(value_columns())
    response = StreamingHttpResponse(
        csv_lines(value_rows(queryset), columns, LINES_COLUMNS), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
