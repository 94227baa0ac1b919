"""Time-ordered numeric ids (like Mastodon's): clients page by id, and ids sort by creation time."""

import secrets
import time

from actors.models import Actor


def next_id(at: float | None = None) -> int:
    """Milliseconds since the epoch in the high bits, 16 random bits below."""
    millis = int((time.time() if at is None else at) * 1000)
    return (millis << 16) | secrets.randbits(16)


def post_uri(author: Actor, post_id: int) -> str:
    """A local post's ActivityPub id, under its author's."""
    return f"{author.uri}/posts/{post_id}"
