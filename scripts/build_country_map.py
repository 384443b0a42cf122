"""Build overview/data/countries.json: the alliance's countries as ready-to-draw SVG paths.

Run once, by hand, when the list of countries changes (the output is committed; the application never
downloads anything):

    cd /tmp && npm pack world-atlas@2.0.2 && tar xzf world-atlas-2.0.2.tgz
    .venv/bin/python scripts/build_country_map.py /tmp/package

Input: the ``world-atlas`` package's Natural Earth 1:50m countries (TopoJSON). Natural Earth is in the
public domain; world-atlas (ISC licence) only converted it. Output: for each country of
commitments/data/countries.csv its outline in two projections, both equal-area so that no country looks
bigger than it is:
- ``world``: the Equal Earth projection of the whole world (viewBox 0 0 1000 W_HEIGHT);
- ``europe``: a Lambert azimuthal equal-area projection centred on Europe (like EPSG:3035), for the
  countries that lie in its frame (viewBox 0 0 E_WIDTH E_HEIGHT).
Outlines are simplified (Douglas-Peucker in output units) and rounded to a tenth of a unit, so the file
stays small. The world's other countries come along as one grey background path per projection.
Countries too small to see or to click at these scales get a point (a circle drawn around their centre).
"""

from __future__ import annotations

import csv
import json
import math
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
COUNTRIES = ROOT / "commitments" / "data" / "countries.csv"
OUTPUT = ROOT / "overview" / "data" / "countries.json"

# ISO 3166-1 numeric codes, the identifiers world-atlas gives its features (Kosovo has none: by name).
NUMERIC = {
    "AL": "008", "AM": "051", "AT": "040", "AU": "036", "BA": "070", "BE": "056", "BG": "100",
    "CA": "124", "CH": "756", "CR": "188", "CY": "196", "CZ": "203", "DE": "276", "DK": "208",
    "EE": "233", "ES": "724", "FI": "246", "FR": "250", "GB": "826", "GE": "268", "GH": "288",
    "GR": "300", "HR": "191", "HU": "348", "IE": "372", "IL": "376", "IT": "380", "JP": "392",
    "KH": "116", "KR": "410", "LT": "440", "LU": "442", "LV": "428", "MD": "498", "ME": "499",
    "MT": "470", "MX": "484", "NG": "566", "NL": "528", "NO": "578", "NZ": "554", "PH": "608",
    "PL": "616", "PT": "620", "RO": "642", "RS": "688", "SE": "752", "SI": "705", "SK": "703",
    "TH": "764", "TR": "792", "UA": "804", "US": "840", "VN": "704",
}  # fmt: skip
BY_NAME = {"XK": "Kosovo"}

WORLD_WIDTH = 1000.0
EUROPE_WIDTH = 600.0
# The European frame, in degrees: Portugal and Iceland's east to the Caucasus, Israel to the North Cape.
EUROPE_CENTRE = (15.0, 52.0)
EUROPE_CORNERS = [(-12.0, 34.0), (48.0, 71.0), (-12.0, 71.0), (48.0, 34.0), (38.0, 30.5), (14.0, 35.0)]
TOLERANCE = 0.45  # Douglas-Peucker tolerance, in output units
MIN_RING_AREA = 0.6  # islands smaller than this (square units) are dropped, unless a country's largest
POINT_BELOW = 40.0  # a country whose outline covers less than this gets a point marker


# --- projections -----------------------------------------------------------------------------------


def equal_earth(lon: float, lat: float) -> tuple[float, float]:
    """Šavrič, Patterson and Jenny's Equal Earth projection (unit sphere)."""
    a1, a2, a3, a4 = 1.340264, -0.081106, 0.000893, 0.003796
    m = math.sqrt(3) / 2
    lam, phi = math.radians(lon), math.radians(lat)
    theta = math.asin(m * math.sin(phi))
    t2, t6 = theta * theta, theta**6
    x = lam * math.cos(theta) / (m * (a1 + 3 * a2 * t2 + t6 * (7 * a3 + 9 * a4 * t2)))
    y = theta * (a1 + a2 * t2 + t6 * (a3 + a4 * t2))
    return x, y


def lambert(lon: float, lat: float) -> tuple[float, float]:
    """Lambert azimuthal equal-area projection centred on EUROPE_CENTRE (unit sphere)."""
    lam0, phi0 = map(math.radians, EUROPE_CENTRE)
    lam, phi = math.radians(lon), math.radians(lat)
    denominator = 1 + math.sin(phi0) * math.sin(phi) + math.cos(phi0) * math.cos(phi) * math.cos(lam - lam0)
    k = math.sqrt(2 / max(denominator, 1e-9))
    x = k * math.cos(phi) * math.sin(lam - lam0)
    y = k * (math.cos(phi0) * math.sin(phi) - math.sin(phi0) * math.cos(phi) * math.cos(lam - lam0))
    return x, y


class Frame:
    """A projection scaled into an SVG viewBox (y downwards)."""

    def __init__(self, project, corners: list[tuple[float, float]], width: float) -> None:
        self.project = project
        xs, ys = zip(*(project(lon, lat) for lon, lat in corners), strict=True)
        self.x0, self.y1 = min(xs), max(ys)
        self.scale = width / (max(xs) - min(xs))
        self.width = width
        self.height = round((max(ys) - min(ys)) * self.scale, 1)

    def __call__(self, lon: float, lat: float) -> tuple[float, float]:
        x, y = self.project(lon, lat)
        return (x - self.x0) * self.scale, (self.y1 - y) * self.scale

    def sees(self, ring: list[tuple[float, float]]) -> bool:
        return any(-50 <= x <= self.width + 50 and -50 <= y <= self.height + 50 for x, y in ring)


# --- TopoJSON --------------------------------------------------------------------------------------


def decode_arcs(topology: dict) -> list[list[tuple[float, float]]]:
    """The arcs in longitude and latitude (quantized, delta-encoded in the file)."""
    (sx, sy), (tx, ty) = topology["transform"]["scale"], topology["transform"]["translate"]
    arcs = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            points.append((x * sx + tx, y * sy + ty))
        arcs.append(points)
    return arcs


def ring_of(indexes: list[int], arcs: list[list[tuple[float, float]]]) -> list[tuple[float, float]]:
    points: list[tuple[float, float]] = []
    for index in indexes:
        arc = arcs[index] if index >= 0 else list(reversed(arcs[~index]))
        points.extend(arc if not points else arc[1:])
    return points


def polygons_of(geometry: dict, arcs) -> list[list[list[tuple[float, float]]]]:
    if geometry["type"] == "Polygon":
        return [[ring_of(ring, arcs) for ring in geometry["arcs"]]]
    if geometry["type"] == "MultiPolygon":
        return [[ring_of(ring, arcs) for ring in polygon] for polygon in geometry["arcs"]]
    return []


# --- simplifying and writing -------------------------------------------------------------------------


def simplify(points: list[tuple[float, float]], tolerance: float) -> list[tuple[float, float]]:
    """Douglas-Peucker, iteratively (rings of thousands of points would overflow a recursion)."""
    if len(points) < 4:
        return points
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        (ax, ay), (bx, by) = points[first], points[last]
        length = math.hypot(bx - ax, by - ay)
        worst, where = 0.0, -1
        for index in range(first + 1, last):
            px, py = points[index]
            if length == 0:
                distance = math.hypot(px - ax, py - ay)
            else:
                distance = abs((bx - ax) * (ay - py) - (ax - px) * (by - ay)) / length
            if distance > worst:
                worst, where = distance, index
        if worst > tolerance and where > 0:
            keep[where] = True
            stack += [(first, where), (where, last)]
    return [point for point, kept in zip(points, keep, strict=True) if kept]


def area(ring: list[tuple[float, float]]) -> float:
    return (
        abs(sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(ring, ring[1:] + ring[:1], strict=True))) / 2
    )


def centre(ring: list[tuple[float, float]]) -> tuple[float, float]:
    xs, ys = zip(*ring, strict=True)
    return (min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2


def path_of(rings: list[list[tuple[float, float]]]) -> str:
    parts = []
    for ring in rings:
        if len(ring) < 3:
            continue
        coordinates = [f"{x:.1f} {y:.1f}" for x, y in ring]
        parts.append("M" + "L".join(coordinates).replace(".0 ", " ").replace(".0L", "L") + "Z")
    return "".join(parts)


def draw(polygons, frame: Frame, *, keep_largest: bool) -> tuple[str, float, tuple[float, float] | None]:
    """A country's path in a frame, the area it covers, and the centre of its largest ring."""
    rings, total, largest = [], 0.0, (0.0, None)
    for polygon in polygons:
        for position, ring in enumerate(polygon):
            projected = [frame(lon, lat) for lon, lat in ring]
            if not frame.sees(projected):
                continue
            size = area(projected)
            if position == 0 and size > largest[0]:
                largest = (size, projected)
            if size < MIN_RING_AREA:
                continue
            rings.append(simplify(projected, TOLERANCE))
            total += size if position == 0 else -size
    if not rings and keep_largest and largest[1] is not None:
        rings = [largest[1]]
    return path_of(rings), max(total, 0.0), centre(largest[1]) if largest[1] else None


def _size(feature: dict) -> int:
    return len(json.dumps(feature["arcs"]))


def _in_europe(polygons) -> bool:
    """Whether a country's largest part lies around Europe (France's is, French Guiana aside; the
    United States' is not)."""
    ring = max((polygon[0] for polygon in polygons), key=lambda ring: area(ring))
    lon, lat = centre(ring)
    return -30 <= lon <= 60 and 28 <= lat <= 75


def main(package: Path) -> None:
    topology = json.loads((package / "countries-50m.json").read_text())
    arcs = decode_arcs(topology)
    features = topology["objects"]["countries"]["geometries"]
    # Some numeric codes also name a dependency (036: Australia and the Ashmore and Cartier Islands):
    # the country is the feature with the most outline.
    by_id: dict[str, dict] = {}
    for feature in features:
        known = by_id.get(feature.get("id"))
        if feature.get("id") and (known is None or _size(feature) > _size(known)):
            by_id[feature["id"]] = feature
    by_name = {feature["properties"]["name"]: feature for feature in features}
    world = Frame(equal_earth, [(-180.0, 0.0), (180.0, 0.0), (0.0, 84.0), (0.0, -58.0)], WORLD_WIDTH)
    europe = Frame(lambert, EUROPE_CORNERS, EUROPE_WIDTH)

    with COUNTRIES.open(newline="", encoding="utf-8") as handle:
        codes = [row["iso2"] for row in csv.DictReader(handle)]
    countries, used = {}, set()
    for code in codes:
        feature = by_id.get(NUMERIC.get(code, "")) or by_name.get(BY_NAME.get(code, ""))
        if feature is None:
            raise SystemExit(f"No outline for {code}")
        used.add(id(feature))
        polygons = polygons_of(feature, arcs)
        entry = {}
        for name, frame in (("world", world), ("europe", europe)):
            if name == "europe" and not _in_europe(polygons):
                continue
            path, covered, point = draw(polygons, frame, keep_largest=True)
            if not path:
                continue
            entry[name] = {"d": path}
            if covered < POINT_BELOW and point:
                entry[name]["point"] = [round(point[0], 1), round(point[1], 1)]
        countries[code] = entry
    background = {}
    for name, frame in (("world", world), ("europe", europe)):
        rings = []
        for feature in features:
            if id(feature) in used:
                continue
            for polygon in polygons_of(feature, arcs):
                projected = [frame(lon, lat) for lon, lat in polygon[0]]
                if frame.sees(projected) and area(projected) >= MIN_RING_AREA * 4:
                    rings.append(simplify(projected, TOLERANCE * 2))
        background[name] = path_of(rings)
    data = {
        "source": "Natural Earth 1:50m Admin 0 countries (public domain), via world-atlas 2.0.2 (ISC)",
        "frames": {
            "world": {"width": world.width, "height": world.height, "projection": "Equal Earth"},
            "europe": {
                "width": europe.width,
                "height": europe.height,
                "projection": "Lambert azimuthal equal-area, centred on "
                f"{EUROPE_CENTRE[0]}°E {EUROPE_CENTRE[1]}°N",
            },
        },
        "background": background,
        "countries": countries,
    }
    OUTPUT.parent.mkdir(parents=True, exist_ok=True)
    OUTPUT.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8")
    print(
        f"Wrote {OUTPUT.relative_to(ROOT)}: {len(countries)} countries, {OUTPUT.stat().st_size // 1024} KiB"
    )


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "/tmp/package"))
