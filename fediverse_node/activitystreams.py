"""Small helpers for reading ActivityStreams JSON as plain JSON (no JSON-LD processing, no remote contexts)."""

PUBLIC = "https://www.w3.org/ns/activitystreams#Public"
# Peers write the public collection three ways (AS2 spec §5.6 and its compact forms).
PUBLIC_ALIASES = {PUBLIC, "as:Public", "Public"}
AS_CONTEXT = "https://www.w3.org/ns/activitystreams"
SECURITY_CONTEXT = "https://w3id.org/security/v1"
ACTIVITY_JSON = "application/activity+json"
LD_JSON = 'application/ld+json; profile="https://www.w3.org/ns/activitystreams"'


def as_list(value) -> list:
    """A property that may be absent, one value, or a list, as a list."""
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def id_of(value) -> str | None:
    """The id of a value that is either a URL string or an object with an id."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and isinstance(value.get("id"), str):
        return value["id"]
    return None


def ids_of(value) -> list[str]:
    return [i for i in (id_of(v) for v in as_list(value)) if i]


def wants_activity_json(accept: str) -> bool:
    """Content negotiation: does the Accept header ask for ActivityStreams JSON rather than HTML?"""
    accept = (accept or "").lower()
    return "application/activity+json" in accept or (
        "application/ld+json" in accept and "activitystreams" in accept
    ) or accept.strip() == "application/ld+json" or accept.strip() == "application/json"
