"""The fast CSV export of values (commitments/api/export.py) writes exactly what the serializer writes."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from commitments.api import export
from commitments.api.renderers import columns_of, stream_csv
from commitments.api.serializers import IndicatorValueSerializer
from commitments.models import Indicator, IndicatorValue
from tests.commitments.api_fixtures import token_client

V1 = "/api/v1"


def serializer_csv(queryset) -> str:
    """The general path: DRF serializes every row, renderers.stream_csv writes them."""
    serializer = IndicatorValueSerializer(many=True)
    return "".join(stream_csv([serializer.to_representation(queryset)], columns_of(serializer)))


def fast_csv(queryset) -> str:
    return "".join(export.values_csv(queryset))


def all_values():
    return IndicatorValue.objects.select_related("country", "indicator__goal", "period").order_by("pk")


@pytest.fixture
def awkward(world):
    """Values whose cells test every conversion: formulas, lines, negative and whole numbers, times."""
    text = Indicator.objects.create(
        code="TX-1", goal=world.values["NL", "approved"].indicator.goal, value_type="text", name_en="Text"
    )
    nl = world.values["NL", "approved"]
    IndicatorValue.objects.filter(pk=nl.pk).update(
        number_value=Decimal("-12.5"),
        note='=HYPERLINK("http://example.invalid","x")',
        evidence_links="  https://example.org/a \n\n https://example.org/b\r\n",
        review_reason="+SUM(A1)",
        # microseconds zero: isoformat leaves them out
        approved_at=dt.datetime(2014, 3, 1, 9, 30, tzinfo=dt.UTC),
    )
    be = world.values["BE", "approved"]
    IndicatorValue.objects.filter(pk=be.pk).update(
        number_value=Decimal("-0.0001"), note="-3", approved_at=dt.datetime(2014, 7, 1, 23, 59, 59, 1, dt.UTC)
    )
    IndicatorValue.objects.create(
        country=nl.country,
        indicator=text,
        period=world.progress,
        text_value='@cmd, "quoted"\nsecond line',
        note="\tx, with a comma",
        evidence_links="https://example.org/x\r\n\u2028 https://example.org/y?a=1,2",
    )
    IndicatorValue.objects.filter(pk=world.values["DE", "approved"].pk).update(
        note='He said "no"', evidence_links="=https://example.org/formula"
    )
    return world


def test_the_export_columns_are_the_serializers():
    assert list(export.value_columns()) == columns_of(IndicatorValueSerializer())


@pytest.mark.parametrize("zone", [None, "UTC", "America/St_Johns", "Asia/Kolkata"])
def test_the_fast_path_writes_every_cell_as_the_serializer_does(awkward, zone):
    if zone:
        timezone.activate(zone)
    try:
        assert fast_csv(all_values()) == serializer_csv(all_values())
    finally:
        timezone.deactivate()


def test_formulas_stay_neutralised_and_lines_stay_lines(awkward, tokens):
    response = token_client(tokens.partner).get(f"{V1}/values/", {"format": "csv", "country": "NL"})
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    assert "'=HYPERLINK(" in body
    assert ",'+SUM(A1)," in body
    assert '"https://example.org/a\nhttps://example.org/b"' in body
    assert ",-12.5000," in body  # a plain negative number stays a number


def test_the_export_streams_in_one_query_after_the_conditional_check(
    world, tokens, django_assert_num_queries
):
    client = token_client(tokens.partner)
    client.get(f"{V1}/values/", {"format": "csv"})  # the token's last use is written once
    # 1 token, 1 the list's fingerprint (ETag), 1 the session's time zone and sort memory set for the
    # export, 1 the lines through a server-side cursor (DECLARE and its FETCHes count as one), 1 both set
    # back.
    with django_assert_num_queries(5):
        response = client.get(f"{V1}/values/", {"format": "csv"})
        assert response.streaming
        rows = b"".join(response.streaming_content).decode("utf-8-sig").splitlines()
    assert len(rows) == 1 + IndicatorValue.objects.filter(status="approved").count()


def test_the_session_is_left_as_it_was_found(world, tokens):
    from django.db import connection

    def session() -> tuple[str, str]:
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_setting('TimeZone'), current_setting('work_mem')")
            return cursor.fetchone()

    before = session()
    timezone.activate("Asia/Kolkata")
    try:
        response = token_client(tokens.partner).get(f"{V1}/values/", {"format": "csv"})
        assert b"+05:30" in b"".join(response.streaming_content)
    finally:
        timezone.deactivate()
    assert session() == before == ("UTC", before[1])
