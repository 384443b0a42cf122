"""CSV exports: the same data as the JSON, opened safely by a spreadsheet."""

from __future__ import annotations

import csv
import io

import pytest

from commitments.api.renderers import cell_text, flatten, neutralise
from commitments.models import Commitment, IndicatorValue, Recommendation
from tests.commitments.api_fixtures import token_client

V1 = "/api/v1"
FORMULAS = ['=HYPERLINK("http://example.invalid","x")', "+SUM(A1:A2)", "-2+3", "@cmd", "\tx", "\rx"]


def read_csv(response) -> list[dict[str, str]]:
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    raw = response.getvalue()
    assert raw.startswith("\ufeff".encode()), "a byte order mark, so spreadsheets read UTF-8"
    return list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"), newline="")))


def unneutralise(cell: str) -> str:
    return cell[1:] if cell.startswith("'") and cell[1:2] in ("=", "+", "-", "@", "\t", "\r") else cell


def as_json_rows(client, endpoint: str, columns: list[str]) -> list[dict[str, str]]:
    """The JSON list, as the cells of the CSV's columns (a null nested object leaves its columns empty)."""
    rows = [flatten(row) for row in client.get(f"{V1}/{endpoint}/", {"page_size": 1000}).json()["results"]]
    for row in rows:
        assert {name for name, value in row.items() if value is not None} <= set(columns)
    return [{column: cell_text(row.get(column)) for column in columns} for row in rows]


@pytest.mark.parametrize("endpoint", ["countries", "indicators", "values", "commitments", "recommendations"])
def test_the_csv_export_round_trips_to_the_json(world, tokens, endpoint):
    client = token_client(tokens.partner)
    exported = read_csv(client.get(f"{V1}/{endpoint}/", {"format": "csv"}))
    parsed = [{column: unneutralise(cell) for column, cell in row.items()} for row in exported]
    assert parsed == as_json_rows(client, endpoint, columns=list(exported[0]))


def test_cells_a_spreadsheet_would_run_are_neutralised(world, tokens, reviewer):
    value = world.values["BE", "approved"]
    IndicatorValue.objects.filter(pk=value.pk).update(note=FORMULAS[0])
    Commitment.objects.filter(pk=world.commitments["BE"].pk).update(
        title=FORMULAS[1], description=FORMULAS[2], baseline=FORMULAS[3], lead_organisation=FORMULAS[4]
    )
    Recommendation.objects.filter(pk=world.recommendations["BE"].pk).update(text=FORMULAS[5])
    client = token_client(tokens.partner)

    note = {row["id"]: row["note"] for row in read_csv(client.get(f"{V1}/values/", {"format": "csv"}))}[
        str(value.pk)
    ]
    assert note == "'" + FORMULAS[0]
    commitment = next(
        row for row in read_csv(client.get(f"{V1}/commitments/?format=csv")) if row["country"] == "BE"
    )
    assert [commitment[name] for name in ("title", "description", "baseline", "lead_organisation")] == [
        "'" + formula for formula in FORMULAS[1:5]
    ]
    recommendation = next(
        row for row in read_csv(client.get(f"{V1}/recommendations/?format=csv")) if row["country"] == "BE"
    )
    assert recommendation["text"] == "'" + FORMULAS[5]
    # The JSON is left as it was: neutralising is the spreadsheet format's business.
    assert client.get(f"{V1}/values/{value.pk}/").json()["note"] == FORMULAS[0]


@pytest.mark.parametrize(
    ("cell", "written"),
    [
        ("=1+2", "'=1+2"),
        ("-12.5", "-12.5"),  # a plain number stays a number
        ("-12.5e3", "'-12.5e3"),
        ("12", "12"),
        ("Netherlands", "Netherlands"),
        ("", ""),
        (" =1", " =1"),
    ],
)
def test_neutralise_prefixes_formulas_and_leaves_numbers(cell, written):
    assert neutralise(cell) == written


def test_nested_rows_become_dotted_columns_and_json_cells(world, tokens):
    client = token_client(tokens.partner)
    row = next(
        row
        for row in read_csv(client.get(f"{V1}/recommendations/", {"format": "csv"}))
        if row["country"] == "NL"
    )
    assert row["response.response"] == "adopted"
    assert row["response.reference"] == "31015-158"
    assert row["addressees"] == "National police\nPublic prosecution service"
    assert '"follow_up": "in_progress"' in row["follow_ups"]


def test_the_export_is_the_whole_filtered_list_not_a_page(world, tokens):
    client = token_client(tokens.partner)
    rows = read_csv(client.get(f"{V1}/values/", {"format": "csv", "page_size": 1, "country": "BE,DE"}))
    assert {row["country"] for row in rows} == {"BE", "DE"}
    assert len(rows) == client.get(f"{V1}/values/", {"country": "BE,DE"}).json()["count"]


def test_an_empty_export_still_has_its_header(world, tokens):
    response = token_client(tokens.partner).get(f"{V1}/values/", {"format": "csv", "country": "FR"})
    assert response.getvalue().decode("utf-8-sig").startswith("id,country,indicator,goal,period")


def test_csv_is_also_chosen_by_the_accept_header(world, tokens):
    response = token_client(tokens.partner).get(f"{V1}/goals/", headers={"Accept": "text/csv"})
    assert response["Content-Disposition"] == 'attachment; filename="alliance-monitor-goals.csv"'
    assert len(read_csv(response)) == 6


def test_a_detail_as_csv_is_one_row(world, tokens):
    response = token_client(tokens.partner).get(f"{V1}/countries/NL/", {"format": "csv"})
    assert [row["code"] for row in read_csv(response)] == ["NL"]


def test_errors_stay_json_when_csv_was_asked_for(world, tokens):
    response = token_client(tokens.revoked).get(f"{V1}/values/", {"format": "csv"})
    assert response.status_code == 401
    assert response["Content-Type"] == "application/json"
    assert response.json()["code"] == "token_revoked"
