"""Writing positions: from the address (geocoding), by hand (a pin), or from a remote actor's `location`.

Called by the services that change them (`profile_save`, the pin, a remote actor's refresh), not by model signals:
a save that does not touch the address geocodes nothing."""

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from ..geocoding import geocode, validate_position
from ..models import MemberProfile
from ..nominatim import address_geocode_online

ADDRESS_FIELDS = ("street", "postal_code", "city")


def profile_address_place(*, profile: MemberProfile) -> None:
    """Before a profile is stored: a new or changed address is geocoded (offline); a hand-set pin stays.

    A new profile keeps a position it brings (a pin from the application); a moved address is placed anew, and when
    the geocoder does not know it the old pin goes (the place is wrong now; the member is asked for a pin)."""
    if profile.position_manual or not (profile.postal_code or profile.city):
        return
    stored = MemberProfile.objects.filter(pk=profile.pk).values(*ADDRESS_FIELDS).first() if profile.pk else None
    moved = stored is not None and any(stored[name] != getattr(profile, name) for name in ADDRESS_FIELDS)
    if (moved or not profile.has_position) and not profile_geocode(profile=profile, save=False) and moved:
        profile.latitude = profile.longitude = None


def profile_address_place_online(*, profile: MemberProfile) -> None:
    """After a profile is stored: an address the offline geocoder could not place goes to the online geocoder, when
    one is configured.

    After the commit: the request may take seconds, and no database lock (SQLite has one writer) may wait on it.
    Outside a transaction that is at once, so the profile form already knows whether the address was found."""
    if not settings.FEDINODE_GEOCODER_URL or profile.position_manual or profile.has_position:
        return
    if profile.postal_code or profile.city:
        transaction.on_commit(lambda: profile_geocode_online(profile=profile))


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
    profile_address_place_online(profile=profile)
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


def actor_location_moved(*, actor) -> bool:
    """A remote actor's document came with another `location`: its member's pin follows (actors/hooks.py)."""
    profile = MemberProfile.objects.filter(actor_id=actor.pk).first()
    if profile is None:
        return False
    profile.actor = actor
    return profile_position_from_remote(profile=profile)


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
