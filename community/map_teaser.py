"""The home page's small map of members: a static outline of Germany (community/static/community/germany.svg) with
one dot per member, drawn on the server as SVG, so it needs no script and no tile server.

The outline was drawn once from mapview/static/mapview/bundeslaender.geojson (© GeoBasis-DE / BKG 2017, see its
licence file) with the projection below, dropping points closer than 1.5 units to the previous one."""

import math

LON_MIN, LON_MAX = 5.8, 15.1
LAT_MIN, LAT_MAX = 47.2, 55.1
SCALE = 40.0  # SVG units per degree of latitude
X_FACTOR = math.cos(math.radians((LAT_MIN + LAT_MAX) / 2))  # an equirectangular projection true at mid-Germany
WIDTH = round((LON_MAX - LON_MIN) * X_FACTOR * SCALE, 1)
HEIGHT = round((LAT_MAX - LAT_MIN) * SCALE, 1)


def teaser_point(latitude: float, longitude: float) -> tuple[float, float] | None:
    """SVG coordinates of a position on the teaser map; None outside Germany's box."""
    if not (LAT_MIN <= latitude <= LAT_MAX and LON_MIN <= longitude <= LON_MAX):
        return None
    return round((longitude - LON_MIN) * X_FACTOR * SCALE, 1), round((LAT_MAX - latitude) * SCALE, 1)
