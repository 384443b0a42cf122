"""Helpers for the workspace page tests: signed-in clients and form data as a browser would post it."""

from __future__ import annotations

from decimal import Decimal

from django.test import Client

from commitments.models import Indicator, IndicatorValue
from commitments.services import indicator_value_save


def signed_in(user) -> Client:
    """A test client with ``user`` signed in (the password and lock-out steps are tested elsewhere)."""
    client = Client()
    client.force_login(user)
    return client


def entry_post(response, **changes: str) -> dict[str, str]:
    """The data-entry form as the browser would post it from ``response``, with ``changes`` applied.

    Keys of ``changes`` are field names such as ``"RA-2-value"``.
    """
    data: dict[str, str] = {}
    for form in response.context["forms"].values():
        for bound in form:
            value = bound.value()
            data[bound.html_name] = "" if value is None else str(value)
    data.update(changes)
    return data


def give_value(
    *, country, indicator: Indicator, period, user, number: str | None = None, **typed
) -> IndicatorValue:
    if number is not None:
        typed["number_value"] = Decimal(number)
    return indicator_value_save(country=country, indicator=indicator, period=period, user=user, **typed)
