"""Formats every Mastodon entity shares: timestamps with milliseconds and `Z`, absolute URLs."""

from datetime import UTC, datetime

from django.conf import settings


def timestamp(moment: datetime | None) -> str | None:
    """`2024-01-01T12:00:00.000Z`: Mastodon iOS rejects any other shape."""
    if moment is None:
        return None
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def absolute(url: str) -> str:
    if not url or url.startswith(("http://", "https://")):
        return url
    return f"{settings.FEDINODE_BASE_URL}{url if url.startswith('/') else '/' + url}"


def static_url(name: str) -> str:
    return absolute(f"{settings.STATIC_URL}clientapi/{name}")
