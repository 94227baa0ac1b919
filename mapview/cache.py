"""One version number for everything the map shows: any change to a member bumps it, old cache keys die out."""

import hashlib

from django.core.cache import cache

VERSION_KEY = "mapview:version"
TIMEOUT = 60 * 60  # an hour: the version bump, not the timeout, is what keeps the map fresh


def map_version() -> int:
    version = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, 1, timeout=None)
        version = cache.get(VERSION_KEY) or 1
    return int(version)


def map_version_bump() -> None:
    try:
        cache.incr(VERSION_KEY)
    except ValueError:  # not there yet (or evicted): any fresh value invalidates the old keys
        cache.set(VERSION_KEY, map_version() + 1, timeout=None)


def geojson_key(filters: dict) -> str:
    """The cache key of one filtered GeoJSON answer (filters hashed: they are free text)."""
    raw = "&".join(f"{name}={filters.get(name, '')}" for name in sorted(filters))
    digest = hashlib.sha256(raw.encode()).hexdigest()[:32]
    return f"mapview:geojson:{map_version()}:{digest}"
