"""SDMX: what we serve is read by the sdmx1 library (as a statistics office would read it)."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
import sdmx
from django.utils import timezone

from commitments.models import Indicator, IndicatorValue, Status
from tests.commitments.api_fixtures import session_client, token_client

STRUCTURE = "/api/v1/sdmx/structure/"
DATA = "/api/v1/sdmx/data/"


def body(response) -> bytes:
    assert response.status_code == 200, response.content
    return b"".join(response.streaming_content) if response.streaming else response.content


def read_structure(client):
    response = client.get(STRUCTURE)
    assert response["Content-Type"].startswith("application/vnd.sdmx.structure+xml")
    return sdmx.read_sdmx(io.BytesIO(body(response)), format="XML")


def read_data(client, fmt: str = "sdmx-csv", **params):
    """The data message read by sdmx1, with the dataflow of the structure message (SDMX-CSV needs it)."""
    flow = read_structure(client).dataflow["AM_VALUES"]
    response = client.get(DATA, {"format": fmt, **params})
    content = body(response)
    if fmt == "sdmx-csv":
        assert response["Content-Type"].startswith("application/vnd.sdmx.data+csv; version=2.0.0")
        return sdmx.read_sdmx(io.BytesIO(content), format="CSV", structure=flow)
    assert response["Content-Type"].startswith("application/vnd.sdmx.data+json; version=1.0.0")
    return sdmx.read_sdmx(io.BytesIO(content), format="JSON")


def observations(message) -> dict[tuple[str, str, str], tuple[str, Decimal, str, str]]:
    """{(country, indicator, period code): (time period, value, unit, goal)} of every observation."""
    found = {}
    for data_set in message.data:
        for obs in data_set.obs:
            key = {value.id: str(value.value) for value in obs.key.values.values()}
            attrs = {name: str(getattr(value.value, "id", value.value)) for name, value in obs.attrib.items()}
            dims = (key["REF_AREA"], key["INDICATOR"], key["REPORTING_PERIOD"])
            found[dims] = (key["TIME_PERIOD"], Decimal(str(obs.value)), attrs["UNIT_MEASURE"], attrs["GOAL"])
    return found


def expected(countries=None, **filters) -> dict[tuple[str, str, str], tuple[str, Decimal, str, str]]:
    rows = IndicatorValue.objects.filter(status=Status.APPROVED, **filters).select_related(
        "country", "indicator__goal", "period"
    )
    if countries:
        rows = rows.filter(country__code__in=countries)
    wanted = {}
    for value in rows:
        if value.value is None or value.indicator.value_type == Indicator.ValueType.TEXT:
            continue
        period = value.period
        figure = Decimal(int(value.boolean_value)) if isinstance(value.value, bool) else value.number_value
        length = (period.ends_on - period.starts_on).days + 1
        wanted[value.country.code, value.indicator.code, f"RP{period.pk}"] = (
            f"{period.starts_on.isoformat()}/P{length}D",
            figure,
            None,
            value.indicator.goal.code,
        )
    return wanted


def without_units(found):
    return {key: (time, figure, goal) for key, (time, figure, _unit, goal) in found.items()}


def without_units_expected(wanted):
    return {key: (time, figure, goal) for key, (time, figure, _unit, goal) in wanted.items()}


def test_the_structure_has_the_code_lists_and_the_dsd(world, tokens):
    message = read_structure(token_client(tokens.partner))
    codelists = message.codelist
    assert {"NL", "BE", "DE"} <= {code.id for code in codelists["CL_REF_AREA"]}
    assert str(codelists["CL_REF_AREA"]["NL"].name["nl"]) == "Nederland"
    assert "VI-2" in {code.id for code in codelists["CL_INDICATOR"]}
    assert {code.id for code in codelists["CL_GOAL"]} >= {"VICTIM_ID", "PREVENTION"}
    assert {code.id for code in codelists["CL_REPORTING_PERIOD"]} == {
        f"RP{world.baseline.pk}",
        f"RP{world.progress.pk}",
    }
    units = {code.id for code in codelists["CL_UNIT_MEASURE"]}
    assert {"YES_NO", "PERCENT", "VICTIMS_YEAR", "LEVEL_0_4", "PERCENT_OF_CHILDREN"} <= units
    dsd = message.structure["DSD_AM_VALUES"]
    assert [dimension.id for dimension in dsd.dimensions] == [
        "REF_AREA",
        "INDICATOR",
        "REPORTING_PERIOD",
        "TIME_PERIOD",
    ]
    assert {attribute.id for attribute in dsd.attributes} == {"UNIT_MEASURE", "GOAL"}
    assert dsd.dimensions.get("REF_AREA").local_representation.enumerated.id == "CL_REF_AREA"
    assert message.dataflow["AM_VALUES"].structure.id == "DSD_AM_VALUES"


@pytest.mark.parametrize("fmt", ["sdmx-csv", "sdmx-json"])
def test_the_data_are_the_approved_values(world, tokens, fmt):
    found = observations(read_data(token_client(tokens.partner), fmt))
    wanted = expected()
    assert found, "the world has approved values"
    assert without_units(found) == without_units_expected(wanted)
    assert found["NL", "VI-2", f"RP{world.baseline.pk}"][2] == "VICTIMS_YEAR"


@pytest.mark.parametrize("fmt", ["sdmx-csv", "sdmx-json"])
def test_a_limited_token_reads_its_countries_only(world, tokens, fmt):
    client = token_client(tokens.limited)
    assert {key[0] for key in observations(read_data(client, fmt))} == {"BE"}
    assert {code.id for code in read_structure(client).codelist["CL_REF_AREA"]} == {"BE"}


def test_staff_read_approved_observations_only(world, reviewer):
    found = observations(read_data(session_client(reviewer)))
    assert without_units(found) == without_units_expected(expected())
    assert ("NL", "VI-2", f"RP{world.progress.pk}") not in found  # a draft


def test_yes_no_is_one_or_zero(world, tokens):
    IndicatorValue.objects.filter(pk=world.values["NL", "returned"].pk).update(
        status=Status.APPROVED, approved_at=timezone.now()
    )
    found = observations(read_data(token_client(tokens.partner), "sdmx-json"))
    assert found["NL", "VI-1", f"RP{world.baseline.pk}"][1:3] == (Decimal(0), "YES_NO")


@pytest.mark.parametrize("fmt", ["sdmx-csv", "sdmx-json"])
def test_start_and_end_period_keep_the_overlapping_periods(world, tokens, fmt):
    client = token_client(tokens.partner)
    IndicatorValue.objects.filter(pk=world.values["NL", "draft"].pk).update(
        status=Status.APPROVED, approved_at=timezone.now()
    )
    # 2013 baseline: 2012-12-05 to 2013-04-30; 2014 progress: 2013-05-01 to 2014-06-30.
    baseline, progress = f"RP{world.baseline.pk}", f"RP{world.progress.pk}"
    periods = lambda **params: {key[2] for key in observations(read_data(client, fmt, **params))}  # noqa: E731
    assert periods() == {baseline, progress}
    assert periods(startPeriod="2014") == {progress}
    assert periods(endPeriod="2013-Q1") == {baseline}
    assert periods(startPeriod="2013-04", endPeriod="2013-05-01") == {baseline, progress}
    assert periods(startPeriod="2014-S2") == set()


def test_updated_after_keeps_the_values_changed_since(world, tokens):
    client = token_client(tokens.partner)
    cutoff = timezone.now()
    IndicatorValue.objects.filter(pk=world.values["BE", "approved"].pk).update(
        number_value=Decimal("41.25"), updated_at=cutoff + dt.timedelta(seconds=1)
    )
    found = observations(read_data(client, "sdmx-json", updatedAfter=cutoff.isoformat()))
    assert list(found) == [("BE", "VI-2", f"RP{world.baseline.pk}")]
    assert found["BE", "VI-2", f"RP{world.baseline.pk}"][1] == Decimal("41.25")


@pytest.mark.parametrize(
    "params",
    [
        {"startPeriod": "2014-13"},
        {"startPeriod": "last year"},
        {"endPeriod": "2014-Q5"},
        {"startPeriod": "2015", "endPeriod": "2014"},
        {"updatedAfter": "2014-06-30T12:00:00"},  # no offset: which time is meant?
        {"updatedAfter": "yesterday"},
    ],
)
def test_bad_parameters_answer_400_in_the_error_shape(world, tokens, params):
    response = token_client(tokens.partner).get(DATA, params)
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert response.json()["code"] == "invalid"
    assert set(response.json()["fields"]) <= {"startPeriod", "endPeriod", "updatedAfter"}


@pytest.mark.parametrize("url", [STRUCTURE, DATA])
def test_sdmx_needs_a_valid_token_or_session(world, tokens, client, url):
    assert client.get(url).status_code == 401
    assert token_client(tokens.revoked).get(url).status_code == 401
    assert token_client(tokens.expired).get(url).status_code == 401


def test_the_data_is_chosen_by_the_accept_header_too(world, tokens):
    response = token_client(tokens.partner).get(DATA, headers={"Accept": "application/vnd.sdmx.data+json"})
    assert response["Content-Type"].startswith("application/vnd.sdmx.data+json")


def test_the_data_take_a_fixed_number_of_queries(world, tokens, django_assert_num_queries):
    client = token_client(tokens.partner)
    client.get(DATA)  # the token's last use is written once
    count = len(expected())
    # 1 token, 4 code lists (countries, indicators with goals, goals, periods), 1 the observations through a
    # server-side cursor.
    with django_assert_num_queries(6):
        lines = body(client.get(DATA)).splitlines()
    assert len(lines) == 1 + count
