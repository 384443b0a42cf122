"""Template filters of the ministers' view: figures as the reports print them, quartile bands in words."""

from __future__ import annotations

from django import template

from alliance_monitor.charts import format_number

from ..charts import band_label as _band_label

register = template.Library()


@register.filter
def figure(value) -> str:
    """A number as the reports print it in the active language ("—" for missing)."""
    return format_number(value)


@register.filter
def band_label(band: str) -> str:
    return _band_label(band)
