"""The map of the participating countries, drawn as SVG on the server from outlines the project ships.

The outlines (overview/data/countries.json, built by scripts/build_country_map.py from Natural Earth,
public domain) are read once per process. Two frames: Europe (Lambert azimuthal equal-area), where most
members are, and the world (Equal Earth) for the others; each country is a link in exactly one frame, so
that a screen reader meets it once. A country's fill is its outcome on the chosen goal in the palette and
patterns of the charts (alliance_monitor/charts.py), never colour alone: every link has an accessible
name with the outcome in words, and the page has the same data as a table.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from alliance_monitor.charts import ASSESSMENT_COLOURS, fill_attributes, pattern_defs

DATA = Path(__file__).resolve().parent / "data" / "countries.json"
LAND, LAND_EDGE = "#eef0f3", "#c4cad3"
ABSENT = "#f7f8fa"  # a member not taking part in the round


@cache
def outlines() -> dict[str, Any]:
    """The shipped outlines (about 170 KiB of JSON), read once per process."""
    return json.loads(DATA.read_text(encoding="utf-8"))


@dataclass(frozen=True)
class MapCountry:
    """What the map says of one country: its outcome (a palette key), in words, and where it links to."""

    code: str
    name: str
    outcome: str
    label: str
    url: str


def frame_of(code: str) -> str:
    """The frame in which a country is a link: Europe when it is drawn there, else the world."""
    return "europe" if "europe" in outlines()["countries"].get(code, {}) else "world"


def draw_map(*, frame: str, countries: dict[str, MapCountry], title: str) -> SafeString:
    """One frame of the map: every member's outline, those in ``countries`` filled by their outcome and
    (in their own frame) linked; the rest of the world in grey."""
    data = outlines()
    size = data["frames"][frame]
    prefix = f"map-{frame}"
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {size["width"]} {size["height"]}" '
        f'role="group" aria-label="{escape(title)}" class="map map--{frame}">',
        pattern_defs(prefix),
        f'<rect width="{size["width"]}" height="{size["height"]}" fill="#f6f9fc"/>',
        f'<path d="{data["background"][frame]}" fill="{LAND}" stroke="{LAND_EDGE}" stroke-width="0.5" '
        f'aria-hidden="true"/>',
    ]
    # Small countries (those with a point) last, over their neighbours, so that they can be seen and clicked.
    ordered = sorted(data["countries"].items(), key=lambda item: "point" in item[1].get(frame, {}))
    for code, shapes in ordered:
        shape = shapes.get(frame)
        if shape is None:
            continue
        country = countries.get(code)
        if country is None:
            parts.append(
                f'<path d="{shape["d"]}" fill="{ABSENT}" stroke="{LAND_EDGE}" stroke-width="0.5" '
                f'aria-hidden="true"/>'
            )
            continue
        fill = fill_attributes(country.outcome, ASSESSMENT_COLOURS[country.outcome], prefix)
        body = f'<path d="{shape["d"]}" {fill} class="map-shape"/>'
        if "point" in shape:
            x, y = shape["point"]
            body += f'<circle cx="{x}" cy="{y}" r="5" {fill} class="map-point"/>'
        if frame_of(code) != frame:
            parts.append(f'<g aria-hidden="true">{body}</g>')  # a link in the other frame
        else:
            parts.append(_link(country, body))
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - names and labels escaped in _link


def _link(country: MapCountry, body: str) -> str:
    name = f"{country.name}: {country.label}"
    return (
        f'<a href="{escape(country.url)}" aria-label="{escape(name)}" class="map-link">'
        f"<title>{escape(name)}</title>{body}</a>"
    )


def legend(*, labels: dict[str, str]) -> SafeString:
    """The map's key: a swatch in each outcome's colour and pattern, with its name."""
    parts = ['<ul class="map-legend">']
    for outcome, label in labels.items():
        prefix = f"key-{outcome}"
        parts.append(
            f'<li><svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 18 14" width="18" height="14" '
            f'aria-hidden="true">{pattern_defs(prefix)}<rect x="0.5" y="0.5" width="17" height="13" '
            f"{fill_attributes(outcome, ASSESSMENT_COLOURS[outcome], prefix)}/></svg> {escape(label)}</li>"
        )
    parts.append(
        f'<li><svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 18 14" width="18" height="14" '
        f'aria-hidden="true"><rect x="0.5" y="0.5" width="17" height="13" fill="{ABSENT}" '
        f'stroke="{LAND_EDGE}"/></svg> {escape(_("not taking part in this round"))}</li>'
    )
    parts.append("</ul>")
    return mark_safe("".join(parts))  # noqa: S308 - labels escaped above
