"""Server-rendered SVG charts, shared by the web pages and the PDF reports.

Each chart carries its figures as a table too (``headers`` and ``rows``), so that a screen reader, a
printed page and a partner reading the PDF text all get the same numbers as the picture. Missing values
are drawn as a gap labelled "no data", never as zero.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.formats import number_format
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

# Colour-blind-safe palette (Okabe-Ito), darkened where needed for contrast on white.
PALETTE = ["#1f5f99", "#d55e00", "#009e73", "#8a6d00", "#cc79a7", "#56b4e9"]
WIDTH, HEIGHT = 560, 240
MARGIN_LEFT, MARGIN_RIGHT, MARGIN_TOP, MARGIN_BOTTOM = 48, 12, 28, 62


@dataclass(frozen=True)
class Series:
    """One named row of values, one per category; None where there is no (approved) value."""

    name: str
    values: list[float | Decimal | None]


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


def _label_lines(text: str, width: int) -> list[str]:
    """A category label on at most two lines of about ``width`` characters, shortened with an ellipsis."""
    words, lines, current = text.split(), [], ""
    for word in words:
        if current and len(current) + 1 + len(word) > width:
            lines.append(current)
            current = word
        else:
            current = f"{current} {word}".strip()
    lines.append(current)
    if len(lines) > 2 or any(len(line) > width for line in lines[:2]):
        second = " ".join(lines[1:]) if len(lines) > 1 else ""
        lines = [lines[0][:width], second] if second else [lines[0]]
        lines = [line if len(line) <= width else line[: width - 1] + "…" for line in lines]
    return lines[:2]


def bar_chart(
    *, title: str, categories: list[str], series: list[Series], unit: str = "", direction: str = "up"
) -> Chart:
    """Grouped vertical bars: one group per category, one bar per series (e.g. baseline vs latest)."""
    numbers = [float(v) for s in series for v in s.values if v is not None]
    top = _nice_max(max(numbers, default=0.0))
    bottom = min(0.0, min(numbers, default=0.0))
    span = (top - bottom) or 1.0
    plot_w = WIDTH - MARGIN_LEFT - MARGIN_RIGHT
    plot_h = HEIGHT - MARGIN_TOP - MARGIN_BOTTOM
    group_w = plot_w / max(len(categories), 1)
    bar_w = min(28.0, (group_w * 0.8) / max(len(series), 1))

    def y_of(value: float) -> float:
        return MARGIN_TOP + plot_h * (top - value) / span

    hint = {"up": _("higher is better"), "down": _("lower is better")}.get(direction, _("context only"))
    label = f"{title} ({unit}, {hint})" if unit else f"{title} ({hint})"
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" '
        f'height="{HEIGHT}" role="img" aria-label="{escape(label)}" class="chart">',
        f"<title>{escape(label)}</title>",
    ]
    for fraction in (0.0, 0.5, 1.0):
        tick = bottom + span * fraction
        y = y_of(tick)
        parts.append(
            f'<line x1="{MARGIN_LEFT}" y1="{y:.1f}" x2="{WIDTH - MARGIN_RIGHT}" y2="{y:.1f}" '
            f'stroke="#d0d5dd" stroke-width="1"/>'
            f'<text x="{MARGIN_LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="11" '
            f'fill="#475467">{escape(format_number(tick))}</text>'
        )
    zero_y = y_of(0.0)
    for index, category in enumerate(categories):
        group_x = MARGIN_LEFT + group_w * index + (group_w - bar_w * len(series)) / 2
        for position, one in enumerate(series):
            value = one.values[index] if index < len(one.values) else None
            x = group_x + bar_w * position
            colour = PALETTE[position % len(PALETTE)]
            if value is None:
                # An outline where the bar would stand, labelled upright so it never runs into a neighbour.
                centre = x + (bar_w - 2) / 2
                parts.append(
                    f'<rect x="{x:.1f}" y="{zero_y - 6:.1f}" width="{bar_w - 2:.1f}" height="6" fill="none" '
                    f'stroke="{colour}" stroke-dasharray="3 2"/>'
                    f'<text x="{centre + 3:.1f}" y="{zero_y - 9:.1f}" transform="rotate(-90 {centre + 3:.1f} '
                    f'{zero_y - 9:.1f})" font-size="9" fill="#475467">{escape(_("no data"))}</text>'
                )
                continue
            y = y_of(max(float(value), 0.0))
            height = abs(y_of(float(value)) - zero_y)
            parts.append(
                f'<rect x="{x:.1f}" y="{min(y, zero_y):.1f}" width="{bar_w - 2:.1f}" '
                f'height="{max(height, 1):.1f}" fill="{colour}">'
                f"<title>{escape(one.name)}: {escape(format_number(value))}</title></rect>"
            )
        centre_x = MARGIN_LEFT + group_w * (index + 0.5)
        lines = "".join(
            f'<tspan x="{centre_x:.1f}" dy="{0 if number == 0 else 12}">{escape(line)}</tspan>'
            for number, line in enumerate(_label_lines(category, max(6, int(group_w / 6.2))))
        )
        parts.append(
            f'<text x="{centre_x:.1f}" y="{HEIGHT - MARGIN_BOTTOM + 14}" text-anchor="middle" font-size="10" '
            f'fill="#101828">{lines}</text>'
        )
    legend_x = MARGIN_LEFT
    for position, one in enumerate(series):
        colour = PALETTE[position % len(PALETTE)]
        parts.append(
            f'<rect x="{legend_x}" y="{HEIGHT - 16}" width="10" height="10" fill="{colour}"/>'
            f'<text x="{legend_x + 14}" y="{HEIGHT - 7}" font-size="11" fill="#101828">'
            f"{escape(one.name)}</text>"
        )
        legend_x += 24 + 7 * len(one.name)
    parts.append(
        f'<text x="{MARGIN_LEFT}" y="14" font-size="11" fill="#475467">{escape(unit)}</text>' if unit else ""
    )
    parts.append("</svg>")
    headers = ["", *[one.name for one in series]]
    rows = [
        [category, *[format_number(one.values[i] if i < len(one.values) else None) for one in series]]
        for i, category in enumerate(categories)
    ]
    return Chart(title=title, svg=mark_safe("".join(parts)), headers=headers, rows=rows)  # noqa: S308 - escaped above
