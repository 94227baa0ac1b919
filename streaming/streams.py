"""Mastodon's stream names, the bus keys they listen to and the scope each needs.

Keys: `user:<actor id>` (home feed and notifications), `notification:<actor id>`, `public`, `public:local`,
`public:remote`, `hashtag:<name>`, `hashtag:local:<name>`."""

from dataclasses import dataclass

from clientapi.scopes import scope_allows

USER_STREAMS = {"user": "read:statuses", "user:notification": "read:notifications"}
PUBLIC_STREAMS = {"public": "public", "public:local": "public:local", "public:remote": "public:remote"}
HASHTAG_STREAMS = {"hashtag": "hashtag", "hashtag:local": "hashtag:local"}
STREAM_NAMES = {*USER_STREAMS, *PUBLIC_STREAMS, *HASHTAG_STREAMS}


class StreamError(Exception):
    """A stream that cannot be opened; `status` as the HTTP answer would have it."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class Subscription:
    key: str  # on the bus
    label: tuple[str, ...]  # the `stream` field of each message: ["user"], ["hashtag", "kita"]


def stream_subscription(*, name: str, tag: str, actor_id: int | None, scopes: frozenset[str]) -> Subscription:
    """The subscription for a stream a client asks for; StreamError when it may not have it, as the REST API
    would refuse the matching timeline (home needs a user and read:statuses; public ones need no token)."""
    if name not in STREAM_NAMES:
        raise StreamError("Unknown stream type", 400)
    if name in USER_STREAMS:
        if actor_id is None:
            raise StreamError("This stream requires an authenticated user", 401)
        if not scope_allows(scopes, USER_STREAMS[name]):
            raise StreamError("This action is outside the authorized scopes", 403)
        prefix = "user" if name == "user" else "notification"
        return Subscription(f"{prefix}:{actor_id}", (name,))
    if scopes and not scope_allows(scopes, "read:statuses"):
        raise StreamError("This action is outside the authorized scopes", 403)
    if name in PUBLIC_STREAMS:
        return Subscription(PUBLIC_STREAMS[name], (name,))
    tag = tag.strip().lstrip("#").lower()
    if not tag:
        raise StreamError("No tag for stream provided", 400)
    return Subscription(f"{HASHTAG_STREAMS[name]}:{tag}", (name, tag))


def public_keys(*, local: bool, tags: list[str]) -> list[str]:
    """The keys a public post (not a boost) goes to."""
    keys = ["public", "public:local" if local else "public:remote"]
    keys += [f"hashtag:{tag}" for tag in tags]
    if local:
        keys += [f"hashtag:local:{tag}" for tag in tags]
    return keys
