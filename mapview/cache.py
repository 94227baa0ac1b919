"""What the map shows changes when a member's profile or actor does: the cache key carries a fingerprint of both,
read from the database. Every process (web workers, Celery workers, other machines) sees the same fingerprint, so
a change anywhere makes every process build a fresh answer; old copies simply expire."""

import hashlib

from django.core.cache import cache  # noqa: F401  (re-exported for the views)
from django.db.models import Count, Max

from community.models import MemberProfile

TIMEOUT = 60 * 60  # an hour: the fingerprint, not the timeout, is what keeps the map fresh


def map_version() -> str:
    """Number of profiles and the latest change of any profile or member actor (one indexed aggregate)."""
    facts = MemberProfile.objects.aggregate(n=Count("id"), profile=Max("updated_at"), actor=Max("actor__updated_at"))
    return hashlib.sha256(f"{facts['n']}|{facts['profile']}|{facts['actor']}".encode()).hexdigest()[:16]


def map_version_bump(profile_id: int | None = None) -> None:
    """Changes that do not save the profile row itself (its fields of work) touch its updated_at."""
    if profile_id is not None:
        from django.utils import timezone

        MemberProfile.objects.filter(pk=profile_id).update(updated_at=timezone.now())


def geojson_key(filters: dict) -> str:
    """The cache key of one filtered GeoJSON answer (filters hashed: they are free text)."""
    raw = "&".join(f"{name}={filters.get(name, '')}" for name in sorted(filters))
    digest = hashlib.sha256(raw.encode()).hexdigest()[:32]
    return f"mapview:geojson:{map_version()}:{digest}"
