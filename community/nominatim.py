"""Optional online geocoding with Nominatim (FEDINODE_GEOCODER_URL), for addresses the offline geocoder cannot place.

Only what the offline geocoder does not know is asked: its town precision is all the member map needs, and sending
every member's address would be the bulk geocoding Nominatim's usage policy discourages
(https://operations.osmfoundation.org/policies/nominatim/). The policy also asks for a User-Agent naming the
application, at most one request per second, and cached results: each address is asked once.
"""

import hashlib
import logging
import time
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache

from fediverse_node.protocol.fetcher import FetchError, SafeFetcher

from .geocoding import Place, state_for_postal_code, validate_position

log = logging.getLogger(__name__)

TIMEOUT_SECONDS = 3  # a profile save waits this long at most for a connection or a read, then asks for a pin
MAX_BYTES = 64 * 1024  # one hit (limit=1) is about a kilobyte
ANSWER_SECONDS = 30 * 24 * 3600  # an address does not move: an answer (found or not) is kept a month
FAILURE_SECONDS = 10 * 60  # a server down or talking nonsense is asked again after ten minutes, not per save
TURN_KEY = "mapview:nominatim:turn"
NOT_FOUND = "-"


def nominatim_url(*, base_url: str, postal_code: str, city: str, street: str) -> str:
    """Nominatim's structured search for one German address, best hit only."""
    params: dict[str, str] = {"format": "jsonv2", "countrycodes": "de"}
    for name, value in (("postalcode", postal_code), ("city", city), ("street", street)):
        if value.strip():
            params[name] = value.strip()
    params["limit"] = "1"
    return f"{base_url}/search?{urlencode(params)}"


def user_agent() -> str:
    """Names this node and how to reach its operator, as Nominatim's policy asks."""
    return (f"fediverse-node/{settings.FEDINODE_VERSION} (+{settings.FEDINODE_BASE_URL}; "
            f"{settings.FEDINODE_CONTACT_EMAIL})")


def place_from_answer(answer: list, *, postal_code: str, city: str) -> Place | None:
    """The first hit as a Place, None when there is no hit or it lies outside Germany; ValueError when malformed."""
    if not answer:
        return None
    hit = answer[0]
    if not isinstance(hit, dict):
        raise ValueError("a hit is not an object")
    try:
        # jsonv2 sends the coordinates as strings
        latitude, longitude = float(hit["lat"]), float(hit["lon"])
    except (KeyError, TypeError, ValueError):
        raise ValueError("a hit without coordinates") from None
    try:
        latitude, longitude = validate_position(latitude, longitude)
    except ValueError:
        return None  # abroad (or NaN): countrycodes=de is a hint to Nominatim, not a promise
    return Place(latitude, longitude, state_for_postal_code(postal_code) or "", city)


def _take_turn() -> bool:
    """One request per second for all processes (a cache slot); waits for it once, then gives up."""
    for attempt in range(2):
        if cache.add(TURN_KEY, 1, 1):
            return True
        if attempt == 0:
            time.sleep(1)
    return False


def address_geocode_online(*, postal_code: str = "", city: str = "", street: str = "") -> Place | None:
    """Where Nominatim puts an address in Germany; None without a configured server, on any failure, or abroad."""
    base_url = settings.FEDINODE_GEOCODER_URL
    if not base_url or not (postal_code.strip() or city.strip()):
        return None
    url = nominatim_url(base_url=base_url, postal_code=postal_code, city=city, street=street)
    key = "mapview:nominatim:" + hashlib.sha256(url.encode()).hexdigest()[:32]
    cached = cache.get(key)
    if cached is not None:
        return None if cached == NOT_FOUND else Place(*cached)
    if not _take_turn():
        return None  # too many at once: the member sets a pin, a later save asks again
    fetcher = SafeFetcher(
        allow_private=settings.FEDINODE_INSECURE_HTTP, user_agent=user_agent(),
        timeout=TIMEOUT_SECONDS, max_bytes=MAX_BYTES,
    )
    try:
        place = place_from_answer(fetcher.get_json_list(url), postal_code=postal_code, city=city)
    except (FetchError, ValueError) as error:
        log.warning("geocoder %s failed: %s", base_url, error)
        cache.set(key, NOT_FOUND, FAILURE_SECONDS)
        return None
    finally:
        fetcher.session.close()
    value = NOT_FOUND if place is None else (place.latitude, place.longitude, place.state, place.name)
    cache.set(key, value, ANSWER_SECONDS)
    return place
