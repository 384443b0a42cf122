"""Values and changes in words: how a value, and the change between two values, are printed."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from alliance_monitor.charts import format_number

from .facts import (
    CONTEXT,
    IMPROVED,
    MISSING,
    NOT_COMPARED,
    UNCHANGED,
    WORSENED,
    IndicatorInfo,
    _signed,
    _signed_percent,
)


def format_value(indicator: IndicatorInfo, raw: Decimal | bool | str | None) -> str:
    if raw is None:
        return _("no data")
    if indicator.value_type == "boolean":
        return _("yes") if raw else _("no")
    if indicator.value_type == "text":
        return str(raw)
    if indicator.value_type == "percentage":
        return f"{format_number(raw)}%"
    return format_number(raw)


def compare(indicator: IndicatorInfo, baseline: Any, evaluation: Any) -> tuple[str, str, str]:
    """The change from baseline to evaluation as printed, whether it is better, worse or the same, and
    which way the figure moved (for "lower is better" indicators a fall is an improvement)."""
    if indicator.is_text:
        return "", NOT_COMPARED, ""
    if baseline is None or evaluation is None:
        return "—", MISSING, ""
    if indicator.value_type == "boolean":
        change = f"{_('yes') if baseline else _('no')} → {_('yes') if evaluation else _('no')}"
        difference = int(bool(evaluation)) - int(bool(baseline))
    else:
        difference = evaluation - baseline
        if indicator.value_type == "percentage":
            change = _("%(change)s pp") % {"change": _signed(difference)}  # percentage points
        elif indicator.value_type == "number" and baseline != 0:
            change = f"{_signed(difference)} ({_signed_percent(100 * difference / baseline)})"
        else:
            change = _signed(difference)
    trend = "up" if difference > 0 else "down" if difference < 0 else "flat"
    if indicator.direction == "neutral":
        return change, CONTEXT, trend
    if difference == 0:
        return change, UNCHANGED, trend
    better = difference > 0 if indicator.direction == "up" else difference < 0
    return change, IMPROVED if better else WORSENED, trend
