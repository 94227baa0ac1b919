"""Members for the map tests: a local organisation with a profile, placed by the geocoder."""

import itertools

from actors.services.local import organization_create
from community.services.profiles import profile_create

_counter = itertools.count(1)


def member(*, name: str, postal_code: str, city: str, fields=(), location_public: bool = True, **extra):
    username = f"org{next(_counter)}"
    actor = organization_create(
        username=username, email=f"{username}@example.org", password="x-" * 8, display_name=name
    )
    profile = profile_create(actor=actor, postal_code=postal_code, city=city, fields_of_work=list(fields), **extra)
    if not location_public:
        profile.location_public = False
        profile.save()
    return profile
