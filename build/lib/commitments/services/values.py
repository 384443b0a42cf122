"""Writes of indicator values."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from ..models import Country, Indicator, IndicatorValue, ReportingPeriod
from .base import KEEP, _save_reviewable, _text


def indicator_value_save(
    *,
    country: Country,
    indicator: Indicator,
    period: ReportingPeriod,
    user,
    number_value: Decimal | None = KEEP,
    boolean_value: bool | None = KEEP,
    text_value: str = KEEP,
    note: str = KEEP,
    evidence_links: str = KEEP,
    expected_version: int | None = None,
    is_demo: bool = False,
) -> IndicatorValue:
    """Enter or change a country's value of an indicator for a period (stays or becomes a draft).

    Fields left out (``KEEP``) stay as they are; a new value starts with them empty. Changing an existing
    value needs ``expected_version``.
    """
    if not indicator.is_active:
        raise ValidationError(_("%(code)s is retired and takes no new values.") % {"code": indicator.code})
    return _save_reviewable(
        model=IndicatorValue,
        lookup={"country": country, "indicator": indicator, "period": period},
        values={
            "number_value": number_value,
            "boolean_value": boolean_value,
            "text_value": _text(text_value),
            "note": _text(note),
            "evidence_links": _text(evidence_links),
        },
        user=user,
        country=country,
        period=period,
        expected_version=expected_version,
        is_demo=is_demo,
    )
