"""Reading for the map: the directory's filters, narrowed to members with a public position."""

from collections import Counter

from django.db.models import QuerySet

from community.addresses import page_url
from community.mediaproxy import actor_avatar_url
from community.models import FederalState, MemberProfile
from community.selectors import directory_search, place_centre


def map_profiles(*, text: str = "", field: str = "", state: str = "", city: str = "", km: int = 0) -> QuerySet:
    """Listed members matching the directory filters (a radius around the place in `city` too) whose position may
    be shown."""
    near = place_centre(city) if km and city else None
    return directory_search(text=text, field=field, state=state, city=city, near=near, km=km if near else 0).filter(
        location_public=True, latitude__isnull=False, longitude__isnull=False
    )


def profile_url(profile: MemberProfile) -> str:
    actor = profile.actor
    return page_url("community:profile", actor.username if actor.local else actor.handle)  # never raises


def profile_feature(profile: MemberProfile) -> dict:
    assert profile.longitude is not None and profile.latitude is not None  # map_profiles() has only such
    actor = profile.actor
    return {
        "type": "Feature",
        # GeoJSON orders longitude first (RFC 7946); five decimals are a metre, more would be noise
        "geometry": {"type": "Point", "coordinates": [round(profile.longitude, 5), round(profile.latitude, 5)]},
        "properties": {
            "name": actor.display_name or actor.username,
            "url": profile_url(profile),
            "fields": [field.name for field in profile.fields_of_work.all()],
            "avatar": actor_avatar_url(actor),  # our own address: a visitor's browser contacts only this site
            "city": profile.city,
            "state": profile.state,
        },
    }


def state_counts(profiles) -> list[tuple[str, str, int]]:
    """(code, name, members) for every Bundesland, in the usual order, zeros included."""
    counts = Counter(profile.state for profile in profiles)
    return [(code, name, counts.get(code, 0)) for code, name in FederalState.choices]


def map_feature_collection(*, text: str = "", field: str = "", state: str = "", city: str = "", km: int = 0) -> dict:
    profiles = list(map_profiles(text=text, field=field, state=state, city=city, km=km))
    return {
        "type": "FeatureCollection",
        "features": [profile_feature(profile) for profile in profiles],
        "stateCounts": {code: count for code, _, count in state_counts(profiles)},
    }


def members_by_state(profiles) -> list[tuple[str, list[MemberProfile]]]:
    """The members grouped under their Bundesland's name (the list beside the map, and the map without JS)."""
    groups: dict[str, list[MemberProfile]] = {}
    for profile in profiles:
        groups.setdefault(profile.state, []).append(profile)
    names = dict(FederalState.choices)
    ordered = [(names[code], groups[code]) for code in names if code in groups]
    if "" in groups:
        ordered.append(("Ohne Bundesland", groups[""]))
    return ordered
