"""The ministers' view's own small charts, in the reports' visual language (alliance_monitor/charts.py).

A trend (one indicator of one country over every period: dots joined where periods follow each other
with values, a hollow dashed mark labelled "no data" where nothing is approved) and a distribution strip
(the alliance's quartiles and median with one country's value on it). Each carries its figures as a
table, like every chart of the application; colours and patterns come from the shared palette.
"""

from __future__ import annotations

import hashlib
from decimal import Decimal
from enum import StrEnum

from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from alliance_monitor.charts import (
    ASSESSMENT_COLOURS,
    GRID,
    INK,
    INK_SOFT,
    PERIOD_COLOURS,
    Chart,
    axis_for,
    format_number,
)

TREND_WIDTH, TREND_HEIGHT = 360, 170
LEFT, RIGHT, TOP, PLOT = 44, 14, 22, 100


class Band(StrEnum):
    """Where a value stands among the quartiles (never a rank)."""

    BELOW = "below"
    LOWER = "lower"
    MEDIAN = "median"
    UPPER = "upper"
    ABOVE = "above"
    MISSING = "missing"


def band_label(band: str) -> str:
    return {
        Band.BELOW: _("below the lower quartile"),
        Band.LOWER: _("between the lower quartile and the median"),
        Band.MEDIAN: _("at the median"),
        Band.UPPER: _("between the median and the upper quartile"),
        Band.ABOVE: _("above the upper quartile"),
        Band.MISSING: _("no approved value"),
    }[band]


def _axis(kind: str) -> str:
    return {"maturity": "maturity", "percentage": "percentage"}.get(kind, "")


def trend_chart(
    *, title: str, labels: list[str], values: list[Decimal | None], unit: str, axis: str, direction: str
) -> Chart:
    """One indicator over the periods: a dot per approved value, lines between neighbouring values."""
    numbers = [float(v) for v in values if v is not None]
    bottom, top, ticks = axis_for(_axis(axis), numbers)
    span = (top - bottom) or 1.0
    step = (TREND_WIDTH - LEFT - RIGHT) / max(len(labels), 1)
    colour = PERIOD_COLOURS[1]
    hint = {"up": _("higher is better"), "down": _("lower is better")}.get(direction, _("context only"))
    label = f"{title} ({unit}, {hint})" if unit else f"{title} ({hint})"

    def x_of(index: int) -> float:
        return LEFT + step * (index + 0.5)

    def y_of(value: float) -> float:
        return TOP + PLOT * (top - value) / span

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {TREND_WIDTH} {TREND_HEIGHT}" '
        f'width="{TREND_WIDTH}" height="{TREND_HEIGHT}" role="img" aria-label="{escape(label)}" '
        'class="chart">',
        f"<title>{escape(label)}</title>",
    ]
    for tick in ticks:
        y = y_of(tick)
        parts.append(
            f'<line x1="{LEFT}" y1="{y:.1f}" x2="{TREND_WIDTH - RIGHT}" y2="{y:.1f}" stroke="{GRID}"/>'
            f'<text x="{LEFT - 5}" y="{y + 4:.1f}" text-anchor="end" font-size="10" fill="{INK_SOFT}">'
            f"{escape(format_number(tick))}</text>"
        )
    previous = None
    for index, value in enumerate(values):
        if value is not None and previous is not None and previous[0] == index - 1:
            parts.append(
                f'<line x1="{x_of(index - 1):.1f}" y1="{previous[1]:.1f}" x2="{x_of(index):.1f}" '
                f'y2="{y_of(float(value)):.1f}" stroke="{colour}" stroke-width="2"/>'
            )
        previous = (index, y_of(float(value))) if value is not None else previous
    for index, value in enumerate(values):
        x = x_of(index)
        if value is None:
            y = y_of(bottom) - 5
            parts.append(
                f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="#ffffff" '
                f'stroke="{ASSESSMENT_COLOURS["missing"]}" stroke-dasharray="2 2"/>'
                f'<text x="{x:.1f}" y="{y - 8:.1f}" text-anchor="middle" font-size="9" '
                f'fill="{INK_SOFT}">{escape(_("no data"))}</text>'
            )
            continue
        y = y_of(float(value))
        parts.append(
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4.5" fill="{colour}"><title>{escape(labels[index])}: '
            f"{escape(format_number(value))}</title></circle>"
        )
    for index, text in enumerate(labels):
        parts.append(
            f'<text x="{x_of(index):.1f}" y="{TOP + PLOT + 16}" text-anchor="middle" font-size="9" '
            f'fill="{INK}">{escape(_short(text, step))}</text>'
        )
    if unit:
        parts.append(f'<text x="{LEFT}" y="12" font-size="10" fill="{INK_SOFT}">{escape(unit)}</text>')
    parts.append("</svg>")
    return Chart(
        title=title,
        svg=mark_safe("".join(parts)),  # noqa: S308 - every text escaped above
        headers=[_("Period"), _("Value")],
        rows=[[text, format_number(value)] for text, value in zip(labels, values, strict=True)],
    )


def _short(text: str, room: float) -> str:
    """A period label that fits under its dot (its first word: "2013 baseline" -> "2013")."""
    if len(text) * 5 <= room:
        return text
    return text.split()[0] if text.split() else text


def distribution_chart(*, title: str, distribution, country: str, axis: str) -> Chart:
    """A strip: the middle half of the alliance's values as a box, the median as a line, the country's
    value as a labelled diamond (or "no data")."""
    width, height, left, right = 360, 64, 16, 16
    numbers = [float(distribution.lower), float(distribution.median), float(distribution.upper)]
    if distribution.value is not None:
        numbers.append(float(distribution.value))
    bottom, top, ticks = axis_for(_axis(axis), numbers)
    span = (top - bottom) or 1.0
    prefix = "d" + hashlib.sha1(title.encode()).hexdigest()[:8]  # noqa: S324 - an id, not a secret

    def x_of(value: float) -> float:
        return left + (width - left - right) * (value - bottom) / span

    label = _(
        "%(title)s: lower quartile %(lower)s, median %(median)s, upper quartile %(upper)s; "
        "%(country)s %(value)s"
    ) % {
        "title": title,
        "lower": format_number(distribution.lower),
        "median": format_number(distribution.median),
        "upper": format_number(distribution.upper),
        "country": country,
        "value": format_number(distribution.value) if distribution.value is not None else _("no data"),
    }
    x1, xm, x3 = (x_of(n) for n in numbers[:3])
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" '
        f'height="{height}" role="img" aria-label="{escape(label)}" class="chart chart--strip">',
        f"<title>{escape(label)}</title>",
        f'<defs><pattern id="{prefix}-q" width="5" height="5" patternUnits="userSpaceOnUse" '
        f'patternTransform="rotate(-45)"><rect width="5" height="5" fill="{PERIOD_COLOURS[0]}"/>'
        f'<rect width="1.2" height="5" fill="#ffffff"/></pattern></defs>',
        f'<line x1="{left}" y1="30" x2="{width - right}" y2="30" stroke="{GRID}" stroke-width="2"/>',
    ]
    for tick in ticks:
        parts.append(
            f'<text x="{x_of(tick):.1f}" y="58" text-anchor="middle" font-size="9" fill="{INK_SOFT}">'
            f"{escape(format_number(tick))}</text>"
        )
    parts.append(
        f'<rect x="{x1:.1f}" y="20" width="{max(x3 - x1, 1):.1f}" height="20" fill="url(#{prefix}-q)" '
        f'stroke="{PERIOD_COLOURS[1]}"/><line x1="{xm:.1f}" y1="16" x2="{xm:.1f}" y2="44" '
        f'stroke="{INK}" stroke-width="2"/>'
    )
    if distribution.value is not None:
        x = x_of(float(distribution.value))
        parts.append(
            f'<path d="M{x:.1f} 22L{x + 7:.1f} 30L{x:.1f} 38L{x - 7:.1f} 30Z" '
            f'fill="{ASSESSMENT_COLOURS["improved"]}" '
            f'stroke="#ffffff" stroke-width="1.5"/>'
            f'<text x="{x:.1f}" y="13" text-anchor="middle" font-size="10" fill="{INK}">'
            f"{escape(format_number(distribution.value))}</text>"
        )
    parts.append("</svg>")
    rows = [
        [_("lower quartile"), format_number(distribution.lower)],
        [_("median"), format_number(distribution.median)],
        [_("upper quartile"), format_number(distribution.upper)],
        [country, format_number(distribution.value)],
    ]
    return Chart(
        title=title,
        svg=mark_safe("".join(parts)),  # noqa: S308 - every text escaped above
        headers=["", _("Value")],
        rows=rows,
    )
