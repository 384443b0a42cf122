"""The open-data files: the released values of a round (whole, per country, per goal) as CSV and XLSX.

One row per released indicator value (``opendata.released.values``), in English with codes, so that a
program can read any of them the same way; the XLSX adds the released commitments with their latest
completion and a sheet with the licence and the source. Licence: CC BY 4.0 (``LICENCE``).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

from django.db.models import QuerySet

from commitments.models import CommitmentProgress, Country, EvaluationRound, Goal, Indicator

from . import released

LICENCE = {
    "name": "Creative Commons Attribution 4.0 International (CC BY 4.0)",
    "url": "https://creativecommons.org/licenses/by/4.0/",
}
ATTRIBUTION = "Alliance Monitor, Global Alliance against Child Sexual Abuse Online"
COLUMNS = [
    "round",
    "country",
    "country_name",
    "goal",
    "indicator",
    "indicator_name",
    "value_type",
    "unit",
    "period",
    "period_start",
    "period_end",
    "value",
]
COMMITMENT_COLUMNS = [
    "country",
    "goal",
    "commitment_id",
    "title",
    "committed_on",
    "target_date",
    "completion",
    "completion_period",
]


def _scope(evaluation_round: EvaluationRound, *, at, country: Country | None, goal: Goal | None) -> QuerySet:
    rows = released.values(at=at).filter(
        period_id__in=[evaluation_round.baseline_period_id, evaluation_round.evaluation_period_id]
    )
    if country is not None:
        rows = rows.filter(country=country)
    if goal is not None:
        rows = rows.filter(indicator__goal=goal)
    return rows


def _cell(value_type: str, number, boolean, text) -> Any:
    if value_type == Indicator.ValueType.BOOLEAN:
        return None if boolean is None else ("yes" if boolean else "no")
    if value_type == Indicator.ValueType.TEXT:
        return text or None
    return number


def value_rows(
    *,
    evaluation_round: EvaluationRound,
    country: Country | None = None,
    goal: Goal | None = None,
    at: dt.datetime | None = None,
) -> list[list[Any]]:
    """The released values as rows of ``COLUMNS`` (one query)."""
    rows = (
        _scope(evaluation_round, at=at, country=country, goal=goal)
        .order_by(
            "country__code",
            "indicator__goal__order",
            "indicator__order",
            "indicator__code",
            "period__starts_on",
        )
        .values_list(
            "country__code",
            "country__name_en",
            "indicator__goal__code",
            "indicator__code",
            "indicator__name_en",
            "indicator__value_type",
            "indicator__unit",
            "period__label",
            "period__starts_on",
            "period__ends_on",
            "number_value",
            "boolean_value",
            "text_value",
        )
    )
    return [[evaluation_round.label, *row[:10], _cell(row[5], *row[10:13])] for row in rows]


def commitment_rows(
    *,
    evaluation_round: EvaluationRound,
    country: Country | None = None,
    goal: Goal | None = None,
    at: dt.datetime | None = None,
) -> list[list[Any]]:
    """Released commitments with their latest released completion up to the round (two queries)."""
    items = released.commitments(at=at)
    if country is not None:
        items = items.filter(country=country)
    if goal is not None:
        items = items.filter(goal=goal)
    items = list(
        items.order_by("country__code", "goal__order", "committed_on", "pk").values_list(
            "pk", "country__code", "goal__code", "title", "committed_on", "target_date"
        )
    )
    latest = {}
    for commitment_id, completion, period in (
        released.progress(at=at)
        .filter(
            commitment__in=[item[0] for item in items],
            period__ends_on__lte=evaluation_round.evaluation_period.ends_on,
        )
        .order_by("commitment_id", "period__starts_on")
        .values_list("commitment_id", "completion", "period__label")
    ):
        latest[commitment_id] = (completion, period)
    return [
        [code, goal_code, pk, title, committed_on, target, *latest.get(pk, (None, None))]
        for pk, code, goal_code, title, committed_on, target in items
    ]


def as_csv(rows: list[list[Any]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow(["" if cell is None else cell for cell in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")  # the BOM: spreadsheet programs read UTF-8 then


def as_xlsx(*, values: list[list[Any]], commitments: list[list[Any]], title: str, source_url: str) -> bytes:
    from openpyxl import Workbook
    from openpyxl.worksheet.table import Table, TableStyleInfo

    book = Workbook()
    sheet = book.active
    sheet.title = "values"
    sheet.append(COLUMNS)
    for row in values:
        sheet.append([float(cell) if hasattr(cell, "as_tuple") else cell for cell in row])
    if values:
        sheet.add_table(
            Table(
                displayName="released_values",
                ref=f"A1:L{len(values) + 1}",
                tableStyleInfo=TableStyleInfo(name="TableStyleLight9"),
            )
        )
    progress = book.create_sheet("commitments")
    progress.append(COMMITMENT_COLUMNS)
    for row in commitments:
        progress.append(row)
    about = book.create_sheet("licence")
    for line in (
        ["title", title],
        ["publisher", ATTRIBUTION],
        ["licence", LICENCE["name"]],
        ["licence_url", LICENCE["url"]],
        ["attribution", f"Source: {ATTRIBUTION}, {source_url}"],
        ["note", "Approved and released figures only; items a country asked to withhold are left out."],
        ["completion_values", ", ".join(CommitmentProgress.Completion.values)],
    ):
        about.append(line)
    out = io.BytesIO()
    book.properties.title = title
    book.properties.creator = ATTRIBUTION
    book.save(out)
    return out.getvalue()
