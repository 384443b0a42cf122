"""Every parameter value the schema does not allow answers 400 in the error shape; the schema says what
the answers hold (alliance-wide reports have no country)."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.commitments.api_fixtures import token_client

V1 = "/api/v1"


@pytest.mark.parametrize(
    ("path", "parameter"),
    [
        ("values/?period=9223372036854775808", "period"),
        ("values/?period=1e20", "period"),
        ("values/?period=0", "period"),
        ("values/?period=1,x", "period"),
        ("commitments/?period=9223372036854775808", "period"),
        ("recommendations/?period=1e20", "period"),
        ("values/?page_size=null", "page_size"),
        ("values/?page_size=1001", "page_size"),
        ("values/?page_size=0", "page_size"),
        ("countries/?page=0", "page"),
        ("countries/?page=first", "page"),
        ("values/?updated_since=", "updated_since"),
        ("commitments/?updated_since=", "updated_since"),
        ("values/?ordering=nonsense", "ordering"),
        ("values/?ordering=country,", "ordering"),
        ("values/?status=", "status"),
        ("values/?country=N%00", "country"),
        ("values/?country=NLD", "country"),
        ("values/?indicator=VI 1", "indicator"),
        ("indicators/?is_active=maybe", "is_active"),
        ("indicators/?is_active=", "is_active"),
        ("periods/?is_open=1", "is_open"),
        ("reports/?status=", "status"),
        ("reports/?page_size=null", "page_size"),
        ("changes/?limit=0", "limit"),
        ("changes/?cursor=not%20a%20cursor", "cursor"),
    ],
)
def test_a_value_the_schema_does_not_allow_is_a_400(world, tokens, path, parameter):
    response = token_client(tokens.partner).get(f"{V1}/{path}")
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["code"] == "invalid" and parameter in body["fields"], body


@pytest.mark.parametrize(
    "path",
    [
        "values/?period=1,2&country=nl,BE&indicator=vi-2&ordering=-country,id&page_size=1000",
        "values/?period=",  # an empty list: no filter
        "indicators/?is_active=true",
        "periods/?is_open=false",
        "countries/?page=1&page_size=1",
        "changes/?limit=1000",
    ],
)
def test_values_the_schema_allows_are_answered(world, tokens, path):
    assert token_client(tokens.partner).get(f"{V1}/{path}").status_code == 200


def test_an_empty_format_is_not_a_format(world, tokens):
    response = token_client(tokens.partner).get(f"{V1}/goals/", {"format": ""})
    assert response.status_code == 404 and response["Content-Type"] == "application/json"


def test_the_schema_says_an_alliance_wide_report_has_no_country(db):
    schema = Client().get("/api/schema/", {"format": "json"}).json()
    assert schema["components"]["schemas"]["Report"]["properties"]["country"]["nullable"] is True
    parameters = {p["name"]: p["schema"] for p in schema["paths"]["/api/v1/values/"]["get"]["parameters"]}
    assert parameters["period"]["items"] == {"type": "integer", "minimum": 1, "maximum": 2**63 - 1}
    assert parameters["page_size"] == {"type": "integer", "minimum": 1, "maximum": 1000}
    assert parameters["country"]["items"]["pattern"] == "^[A-Za-z]{2}$"
    assert "/api/v1/changes/" in schema["paths"]
