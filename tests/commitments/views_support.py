"""Helpers for the workspace page tests: signed-in clients and form data as a browser would post it."""

from __future__ import annotations

import re
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


SEEN = re.compile(r'<input type="hidden" name="seen" value="([^"]+)">')


def seen_on(page) -> list[str]:
    """The ``seen`` fields of a page's bulk form: the items it shows, at the versions it shows."""
    return SEEN.findall(page.content.decode())


def bulk_post(client: Client, *, page_url: str, action_url: str | None = None, follow=True, **fields):
    """Post a page's bulk form (submit for review, approve all) as the browser does: with what it shows."""
    page = client.get(page_url)
    return client.post(action_url or page_url, {"seen": seen_on(page), **fields}, follow=follow)
