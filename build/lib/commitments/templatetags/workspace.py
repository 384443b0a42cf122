"""Template helpers of the workspace: typed values as people read them, in the active language."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import template
from django.utils.translation import gettext as _

from alliance_monitor.charts import format_number

from ..models import MATURITY_LEVELS, Indicator

register = template.Library()


@register.filter
def display_value(item: Any) -> str:
    """An indicator value (or a historical version of one) as text: 12,5 %, Yes, 3 – established, ..."""
    if item is None:
        return "—"
    indicator = item.indicator
    kind = indicator.value_type
    if kind == Indicator.ValueType.BOOLEAN:
        return {True: _("Yes"), False: _("No")}.get(item.boolean_value, "—")
    if kind == Indicator.ValueType.TEXT:
        return item.text_value or "—"
    number: Decimal | None = item.number_value
    if number is None:
        return "—"
    if kind == Indicator.ValueType.MATURITY:
        return str(MATURITY_LEVELS.get(int(number), format_number(number)))
    if kind == Indicator.ValueType.PERCENTAGE:
        return f"{format_number(number)} %"
    return format_number(number)


@register.filter
def unit_of(indicator: Indicator) -> str:
    """The unit worth printing after a number (not for yes/no, maturity or text)."""
    if indicator.value_type in {Indicator.ValueType.NUMBER} and indicator.unit:
        return indicator.unit
    return ""


@register.filter
def lookup(mapping: dict, key: Any) -> Any:
    """``mapping|lookup:key`` for dictionaries keyed by something a template cannot spell."""
    if mapping is None:
        return None
    return mapping.get(key)


@register.filter
def percent(rate: float | None) -> str:
    if rate is None:
        return "—"
    return f"{format_number(Decimal(str(round(rate * 100, 1))))} %"


@register.simple_tag(takes_context=True)
def workspace_roles(context: template.Context) -> dict[str, bool]:
    """What the signed-in user may do, for the navigation and the edit controls of a page."""
    from .. import access

    user = context.get("user")
    if user is None or not user.is_authenticated:
        return {}
    return {
        "can_review": access.can_review(user),
        "is_staff": access.is_staff_member(user),
        "is_minister": access.is_minister(user),
        "tracks_work": access.can_review(user) or access.is_staff_member(user),
        "is_admin": user.is_staff,
        "has_role": bool(access.roles_of(user)),
    }
