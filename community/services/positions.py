"""Writing positions: from the address (geocoding), by hand (a pin), or from a remote actor's `location`."""

from django.utils import timezone

from ..geocoding import geocode, validate_position
from ..models import MemberProfile
from ..nominatim import address_geocode_online


def profile_geocode(*, profile: MemberProfile, save: bool = True) -> bool:
    """Fill the position (and an empty state) from postal code and town; a hand-set pin wins. True if placed."""
    if profile.position_manual:
        return False
    place = geocode(postal_code=profile.postal_code, city=profile.city)
    if place is None:
        return False  # unknown town or postal code: the member sets a pin by hand
    profile.latitude, profile.longitude = place.latitude, place.longitude
    if not profile.state:
        profile.state = place.state
    if save:
        profile.save(update_fields=["latitude", "longitude", "state", "updated_at"])
    return True


def profile_geocode_online(*, profile: MemberProfile) -> bool:
    """Ask the online geocoder (if configured) for an address the offline one could not place. True if placed.

    Stores with an UPDATE that holds only while the address and the missing pin are still as asked: the answer may
    take seconds, and the member may have moved or set a pin meanwhile."""
    if profile.position_manual or profile.has_position:
        return False
    place = address_geocode_online(postal_code=profile.postal_code, city=profile.city, street=profile.street)
    if place is None:
        return False
    state = profile.state or place.state
    placed = MemberProfile.objects.filter(
        pk=profile.pk, position_manual=False, latitude__isnull=True,
        postal_code=profile.postal_code, city=profile.city, street=profile.street,
    ).update(latitude=place.latitude, longitude=place.longitude, state=state, updated_at=timezone.now())
    if placed:
        profile.latitude, profile.longitude, profile.state = place.latitude, place.longitude, state
    return bool(placed)


def profile_set_position(*, profile: MemberProfile, latitude, longitude) -> MemberProfile:
    """A pin set by hand: validated (inside Germany), kept across address changes until cleared."""
    profile.latitude, profile.longitude = validate_position(latitude, longitude)
    profile.position_manual = True
    profile.save(update_fields=["latitude", "longitude", "position_manual", "updated_at"])
    return profile


def profile_clear_manual_position(*, profile: MemberProfile) -> MemberProfile:
    """Back to the position geocoded from the address."""
    profile.position_manual = False
    profile.latitude = profile.longitude = None
    profile_geocode(profile=profile, save=False)
    profile.save(update_fields=["latitude", "longitude", "state", "position_manual", "updated_at"])
    return profile


def place_from_document(document: dict) -> tuple[float, float] | None:
    """The latitude/longitude of an actor document's `location` Place, if it is a valid position in Germany."""
    location = document.get("location") if isinstance(document, dict) else None
    if isinstance(location, list):
        location = next((item for item in location if isinstance(item, dict)), None)
    if not isinstance(location, dict) or location.get("type") != "Place":
        return None
    try:
        return validate_position(location.get("latitude"), location.get("longitude"))
    except ValueError:
        return None  # a position abroad or malformed is ignored, not stored


def profile_position_from_remote(*, profile: MemberProfile) -> bool:
    """A linked member's position from its actor document, unless the member's pin here was set by hand."""
    if profile.actor.local or profile.position_manual:
        return False
    position = place_from_document(profile.actor.document or {})
    if position is None or position == (profile.latitude, profile.longitude):
        return False
    profile.latitude, profile.longitude = position
    profile.save(update_fields=["latitude", "longitude", "updated_at"])
    return True
