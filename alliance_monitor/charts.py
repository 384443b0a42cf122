"""Server-rendered SVG charts, shared by the web pages and the PDF reports.

Each chart carries its figures as a table too (``headers`` and ``rows``), so that a screen reader, a
printed page and a partner reading the PDF text all get the same numbers as the picture. Missing values
are drawn as a hatched outline labelled "no data", never as zero.

One visual language for charts, tables and web pages: ``ASSESSMENT_COLOURS`` (better / unchanged /
worse / missing) is the palette of the whole application; report.css and app.css use the same values
(a test holds them together). It is safe for colour-blind readers (blue against orange, never red
against green) and colour is never alone: every series has a pattern or an outline as well as its
name, and tables carry a word and a mark (▲ ▼ △ ▽ =) beside the colour.
"""

from __future__ import annotations

import hashlib
import math
import re
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.formats import number_format
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

# The palette: Okabe-Ito blue and vermillion, darkened for contrast on white (text 4.5:1 or better).
ASSESSMENT_COLOURS = {
    "improved": "#0a5a9c",
    "unchanged": "#5f6b7a",
    "worsened": "#b34700",
    "missing": "#8a94a3",
}
# Periods are not judgements: a light and a dark neutral blue-grey, told apart by shade and by pattern.
PERIOD_COLOURS = ["#9fb3c8", "#243b53"]
# What a series looks like besides its colour: solid, hatched, dotted, outlined.
PATTERNS = {
    "improved": "solid",
    "unchanged": "dots",
    "worsened": "hatch",
    "missing": "outline",
    "baseline": "hatch-light",
    "evaluation": "solid",
}
INK, INK_SOFT, GRID = "#101828", "#475467", "#d0d5dd"
WIDTH, HEIGHT = 560, 240
MARGIN_LEFT, MARGIN_RIGHT, MARGIN_TOP, PLOT_HEIGHT = 48, 12, 30, 150
LINE_HEIGHT = 11


@dataclass(frozen=True)
class Series:
    """One named row of values, one per category; None where there is no (approved) value.

    ``style`` picks colour and pattern: an assessment (improved, unchanged, worsened, missing) or a
    period (baseline, evaluation); empty: by position.
    """

    name: str
    values: list[float | Decimal | None]
    style: str = ""
    # Per value: whether it is a draft (not yet approved). Drafts are drawn hatched over white with a
    # dashed outline and labelled "draft", never like approved figures.
    drafts: tuple[bool, ...] = ()

    def is_draft(self, index: int) -> bool:
        return index < len(self.drafts) and bool(self.drafts[index])


@dataclass(frozen=True)
class Chart:
    title: str
    svg: SafeString
    headers: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)


def format_number(value: float | Decimal | None) -> str:
    """A figure as people read it in the active language; an em dash stands for missing."""
    if value is None:
        return "—"
    value = Decimal(str(value))
    places = 0 if value == value.to_integral_value() else 1
    return number_format(value, decimal_pos=places, use_l10n=True, force_grouping=True)


def _nice_max(value: float) -> float:
    if value <= 0:
        return 1.0
    magnitude = 10 ** (len(str(int(value))) - 1)
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * magnitude:
            return step * magnitude
    return 10.0 * magnitude


def axis_for(kind: str, numbers: list[float]) -> tuple[float, float, list[float]]:
    """The axis (bottom, top, ticks) that fits the indicator type.

    A maturity level runs 0 to 4 in whole steps; a share in percent 0 to 100; a count from 0 to a round
    number above the largest value, with whole ticks (no "0.5 commitments"). Negative values (a fall in
    percent) extend the axis below zero.
    """
    low = min(0.0, min(numbers, default=0.0))
    if kind == "maturity":
        return 0.0, 4.0, [0.0, 1.0, 2.0, 3.0, 4.0]
    if kind == "percentage" and low >= 0 and max(numbers, default=0.0) <= 100:
        return 0.0, 100.0, [0.0, 25.0, 50.0, 75.0, 100.0]
    top = _nice_max(max(numbers, default=0.0))
    bottom = -_nice_max(-low) if low < 0 else 0.0
    if kind == "count":
        # Whole steps of 1, 2 or 5 (times a power of ten), at most five of them.
        top = max(top, 1.0)
        step = next(
            float(base * 10**power)
            for power in range(0, 12)
            for base in (1, 2, 5)
            if base * 10**power >= (top - bottom) / 5
        )
        top = step * math.ceil(top / step)
        bottom = -step * math.ceil(-bottom / step) if bottom < 0 else 0.0
        steps = round((top - bottom) / step)
    else:
        steps = 4
        step = (top - bottom) / steps
    return bottom, top, [bottom + step * n for n in range(steps + 1)]


def wrap_label(text: str, width: int) -> list[str]:
    """A label on as many lines of about ``width`` characters as it needs: wrapped, never cut.

    A word longer than a line is broken with a hyphen.
    """
    lines: list[str] = []
    current = ""
    # A compound's own hyphens are the first places to break it ("Informatie-/uitwisseling").
    words = [part for word in text.split() for part in re.findall(r"[^-]+-?|-", word)]
    for word in words:
        joined = current and current.endswith("-")
        if joined and len(current) + len(word) <= width:
            current += word
            continue
        while len(word) > width:
            if current:
                lines.append(current)
                current = ""
            lines.append(word[: width - 1] + "-")
            word = word[width - 1 :]
        if current and len(current) + (0 if joined else 1) + len(word) > width:
            lines.append(current)
            current = word
        else:
            current = f"{current}{'' if joined else ' '}{word}".strip()
    if current:
        lines.append(current)
    return lines or [""]


def _style_of(one: Series, position: int, count: int) -> str:
    if one.style:
        return one.style
    if count == 2:
        return ("baseline", "evaluation")[position]
    return "evaluation"


def _colour(style: str, position: int) -> str:
    if style in ASSESSMENT_COLOURS:
        return ASSESSMENT_COLOURS[style]
    if style == "baseline":
        return PERIOD_COLOURS[0]
    return PERIOD_COLOURS[1] if position == 0 or style == "evaluation" else PERIOD_COLOURS[position % 2]


def pattern_defs(prefix: str) -> str:
    """The patterns that tell series apart without colour."""
    hatch = ASSESSMENT_COLOURS["worsened"]
    dots = ASSESSMENT_COLOURS["unchanged"]
    missing = ASSESSMENT_COLOURS["missing"]
    light = PERIOD_COLOURS[0]
    return (
        "<defs>"
        f'<pattern id="{prefix}-hatch" width="5" height="5" patternUnits="userSpaceOnUse" '
        f'patternTransform="rotate(45)"><rect width="5" height="5" fill="#fbe3d2"/>'
        f'<rect width="2.4" height="5" fill="{hatch}"/></pattern>'
        f'<pattern id="{prefix}-dots" width="4" height="4" patternUnits="userSpaceOnUse">'
        f'<rect width="4" height="4" fill="#e4e7ec"/><circle cx="2" cy="2" r="1.1" fill="{dots}"/></pattern>'
        f'<pattern id="{prefix}-outline" width="6" height="6" patternUnits="userSpaceOnUse" '
        f'patternTransform="rotate(-45)"><rect width="6" height="6" fill="#ffffff"/>'
        f'<rect width="1" height="6" fill="{missing}"/></pattern>'
        f'<pattern id="{prefix}-hatch-light" width="5" height="5" patternUnits="userSpaceOnUse" '
        f'patternTransform="rotate(-45)"><rect width="5" height="5" fill="{light}"/>'
        f'<rect width="1.2" height="5" fill="#ffffff"/></pattern>'
        f'<pattern id="{prefix}-draft" width="6" height="6" patternUnits="userSpaceOnUse" '
        f'patternTransform="rotate(45)"><rect width="6" height="6" fill="#ffffff"/>'
        f'<rect width="2" height="6" fill="{INK_SOFT}"/></pattern>'
        "</defs>"
    )


def fill_attributes(style: str, colour: str, prefix: str) -> str:
    """A bar's or swatch's fill: its colour, or the pattern (``pattern_defs``) that marks its style."""
    pattern = PATTERNS.get(style, "solid")
    if pattern == "solid":
        return f'fill="{colour}"'
    extra = f' stroke="{colour}" stroke-width="1"'
    if pattern == "outline":
        extra += ' stroke-dasharray="3 2"'
    return f'fill="url(#{prefix}-{pattern})"{extra}'


def bar_chart(
    *,
    title: str,
    categories: list[str],
    series: list[Series],
    unit: str = "",
    direction: str = "",
    axis: str = "",
    missing_categories: list[int] | None = None,
    width: int = WIDTH,
    min_text: int = 0,
) -> Chart:
    """Grouped vertical bars: one group per category, one bar per series (e.g. baseline vs latest).

    ``axis`` is the indicator type the values have (maturity, percentage, count, or "" for any number);
    ``direction`` is the direction of the indicator whose values are drawn ("up", "down", "neutral"), said
    in the chart's text alternative; "" (counts of countries or commitments) says none;
    ``missing_categories`` are categories that count what is missing (drawn hatched, like missing data).
    A single series has no legend: the title names it. ``width`` is the drawing's width in pixels and
    ``min_text`` the smallest text size in pixels (pages pass 12 and show the drawing at its own size, so
    that no text is smaller on screen; the reports keep their print sizes). Values a series marks as
    drafts are hatched over white, outlined with dashes and labelled "draft".
    """
    tick_size = max(11, min_text)
    label_size = max(9, min_text)
    line_height = max(LINE_HEIGHT, label_size + 2)
    missing_categories = set(missing_categories or [])
    numbers = [float(v) for s in series for v in s.values if v is not None]
    bottom, top, ticks = axis_for(axis, numbers)
    span = (top - bottom) or 1.0
    widest_tick = max((len(format_number(tick)) for tick in ticks), default=1)
    margin_left = max(MARGIN_LEFT, int(0.62 * tick_size * widest_tick) + 12)
    plot_w = width - margin_left - MARGIN_RIGHT
    group_w = plot_w / max(len(categories), 1)
    bar_w = min(28.0, (group_w * 0.8) / max(len(series), 1))
    label_width = max(6, int(group_w / (0.56 * label_size)))  # characters of about 0.56 em
    labels = [wrap_label(category, label_width) for category in categories]
    label_lines = max((len(lines) for lines in labels), default=1)
    legend = len(series) > 1
    plot_bottom = MARGIN_TOP + PLOT_HEIGHT
    height = plot_bottom + 8 + line_height * label_lines + (max(22, tick_size + 11) if legend else 6)
    prefix = "c" + hashlib.sha1("|".join([title, *categories]).encode()).hexdigest()[:8]  # noqa: S324 - an id

    def y_of(value: float) -> float:
        return MARGIN_TOP + PLOT_HEIGHT * (top - value) / span

    # Only an indicator's own values have a direction; counts of countries or commitments have none.
    hint = {"up": _("higher is better"), "down": _("lower is better"), "neutral": _("context only")}.get(
        direction, ""
    )
    qualifiers = ", ".join(part for part in (unit, hint) if part)
    label = f"{title} ({qualifiers})" if qualifiers else title
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" '
        f'height="{height}" role="img" aria-label="{escape(label)}" class="chart">',
        f"<title>{escape(label)}</title>",
        pattern_defs(prefix),
    ]
    for tick in ticks:
        y = y_of(tick)
        parts.append(
            f'<line x1="{margin_left}" y1="{y:.1f}" x2="{width - MARGIN_RIGHT}" y2="{y:.1f}" '
            f'stroke="{GRID}" stroke-width="1"/>'
            f'<text x="{margin_left - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="{tick_size}" '
            f'fill="{INK_SOFT}">{escape(format_number(tick))}</text>'
        )
    zero_y = y_of(0.0)
    for index, lines in enumerate(labels):
        group_x = margin_left + group_w * index + (group_w - bar_w * len(series)) / 2
        counts_missing = index in missing_categories
        for position, one in enumerate(series):
            value = one.values[index] if index < len(one.values) else None
            x = group_x + bar_w * position
            style = "missing" if counts_missing else _style_of(one, position, len(series))
            colour = _colour(style, position)
            if value is None:
                # A dashed outline where the bar would stand, labelled upright so it never runs into a
                # neighbour.
                centre = x + (bar_w - 2) / 2
                parts.append(
                    f'<rect x="{x:.1f}" y="{zero_y - 6:.1f}" width="{bar_w - 2:.1f}" height="6" fill="none" '
                    f'stroke="{ASSESSMENT_COLOURS["missing"]}" stroke-dasharray="3 2"/>'
                    f'<text x="{centre + 3:.1f}" y="{zero_y - 9:.1f}" transform="rotate(-90 {centre + 3:.1f} '
                    f'{zero_y - 9:.1f})" font-size="{label_size}" fill="{INK_SOFT}">'
                    f"{escape(_('no data'))}</text>"
                )
                continue
            y = y_of(max(float(value), 0.0))
            bar_height = abs(y_of(float(value)) - zero_y)
            draft = one.is_draft(index)
            fill = (
                f'fill="url(#{prefix}-draft)" stroke="{INK_SOFT}" stroke-width="1.5" stroke-dasharray="4 2"'
                if draft
                else fill_attributes(style, colour, prefix)
            )
            shown = format_number(value) + (f" ({_('draft')})" if draft else "")
            parts.append(
                f'<rect x="{x:.1f}" y="{min(y, zero_y):.1f}" width="{bar_w - 2:.1f}" '
                f'height="{max(bar_height, 1):.1f}" {fill}>'
                f"<title>{escape(one.name)}: {escape(shown)}</title></rect>"
            )
            if draft:
                # Said in words above the bar, so that nobody takes it for an approved figure.
                parts.append(
                    f'<text x="{x + (bar_w - 2) / 2:.1f}" y="{min(y, zero_y) - 4:.1f}" text-anchor="middle" '
                    f'font-size="{label_size}" font-style="italic" fill="{INK}">{escape(_("draft"))}</text>'
                )
        centre_x = margin_left + group_w * (index + 0.5)
        tspans = "".join(
            f'<tspan x="{centre_x:.1f}" dy="{0 if number == 0 else line_height}">{escape(line)}</tspan>'
            for number, line in enumerate(lines)
        )
        style = ' font-style="italic"' if counts_missing else ""
        parts.append(
            f'<text x="{centre_x:.1f}" y="{plot_bottom + 5 + label_size}" text-anchor="middle" '
            f'font-size="{label_size}"{style} '
            f'fill="{INK}">{tspans}</text>'
        )
    if legend:
        legend_x = margin_left
        legend_y = height - 16
        for position, one in enumerate(series):
            style = _style_of(one, position, len(series))
            colour = _colour(style, position)
            swatch = fill_attributes(style, colour, prefix)
            parts.append(
                f'<rect x="{legend_x}" y="{legend_y}" width="12" height="10" {swatch}/>'
                f'<text x="{legend_x + 16}" y="{legend_y + 9}" font-size="{tick_size}" fill="{INK}">'
                f"{escape(one.name)}</text>"
            )
            legend_x += 28 + 0.6 * tick_size * len(one.name)
    if unit:
        parts.append(
            f'<text x="{margin_left}" y="{4 + tick_size}" font-size="{tick_size}" fill="{INK_SOFT}">'
            f"{escape(unit)}</text>"
        )
    parts.append("</svg>")
    headers = ["", *[one.name for one in series]]

    def cell(one: Series, index: int) -> str:
        text = format_number(one.values[index] if index < len(one.values) else None)
        return f"{text} ({_('draft')})" if one.is_draft(index) and text != "—" else text

    rows = [[category, *[cell(one, i) for one in series]] for i, category in enumerate(categories)]
    return Chart(title=title, svg=mark_safe("".join(parts)), headers=headers, rows=rows)  # noqa: S308 - escaped above
