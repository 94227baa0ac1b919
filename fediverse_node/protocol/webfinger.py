"""WebFinger client pieces (RFC 7033): parsing handles and reading the actor link of a JRD."""

import re
from urllib.parse import quote

HANDLE_RE = re.compile(r"^(?:acct:)?@?([^@\s/]+)@([A-Za-z0-9.-]+(?::\d{1,5})?)$")
AS_TYPES = ("application/activity+json", 'application/ld+json; profile="https://www.w3.org/ns/activitystreams"')


def parse_handle(handle: str) -> tuple[str, str]:
    """'@user@host', 'user@host' or 'acct:user@host' → (user, host)."""
    match = HANDLE_RE.match(handle.strip())
    if not match:
        raise ValueError(f"{handle!r} is not a handle like @user@example.org")
    return match.group(1), match.group(2).lower()


def webfinger_url(user: str, host: str, *, scheme: str = "https") -> str:
    return f"{scheme}://{host}/.well-known/webfinger?resource={quote(f'acct:{user}@{host}', safe=':@')}"


def actor_url_from_jrd(jrd: dict) -> str:
    """The actor URL of a WebFinger answer: its 'self' link of an ActivityStreams type."""
    for link in jrd.get("links") or []:
        if not isinstance(link, dict) or link.get("rel") != "self":
            continue
        kind = str(link.get("type", "")).replace(" ", "")
        if kind in (t.replace(" ", "") for t in AS_TYPES) and isinstance(link.get("href"), str):
            return link["href"]
    raise ValueError("the WebFinger answer has no ActivityPub actor link")
