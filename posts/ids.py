"""Time-ordered numeric ids (like Mastodon's): clients page by id, and ids sort by creation time."""

import secrets
import threading
import time

from actors.models import Actor

_lock = threading.Lock()
_last = 0


def next_id(at: float | None = None) -> int:
    """Milliseconds since the epoch in the high bits, 16 random bits below.

    Within a process the ids of next_id() only grow: a batch of new posts takes its ids in the same millisecond, and
    with 16 random bits alone a batch of 200 drew the same id twice in about one batch out of four (the birthday
    bound), which failed the whole batch's INSERT. Another process drawing in the same millisecond starts at a
    random point of its own, so its ids rarely meet these (a collision is still caught by the primary key)."""
    global _last
    millis = int((time.time() if at is None else at) * 1000)
    candidate = (millis << 16) | secrets.randbits(16)
    if at is not None:
        return candidate  # a chosen moment (benchmarks' seeded posts): its place in time, not the sequence
    with _lock:
        _last = candidate if candidate > _last else _last + 1
        return _last


def post_uri(author: Actor, post_id: int) -> str:
    """A local post's ActivityPub id, under its author's."""
    return f"{author.uri}/posts/{post_id}"
