"""Reading ActivityStreams values as the Fediverse writes them: lenient in shape (absent, one value or a list; a URL
or an object), strict in what may become an id or a link (absolute http(s) only, bounded length).

Plain JSON, no JSON-LD processing: no remote context is ever fetched, unknown contexts are ignored."""

from datetime import UTC, datetime

from ..errors import WordedError
from ..links import http_url

AS_CONTEXT = "https://www.w3.org/ns/activitystreams"
SECURITY_CONTEXT = "https://w3id.org/security/v1"
PUBLIC = "https://www.w3.org/ns/activitystreams#Public"
# Peers write the public collection three ways (AS2 spec §5.6 and its compact forms).
PUBLIC_ALIASES = frozenset({PUBLIC, "as:Public", "Public"})
MAX_ID = 500  # every id and link we keep fits a column of 500 characters
MAX_ITEMS = 1000  # one property's list is cut here (addressing, tags, attachments): more is abuse
MAX_TYPE = 64


class VocabError(WordedError, ValueError):
    """The document is not a usable ActivityStreams object of the kind asked for (the message says why, worded for
    people: WordedError). The only exception parsing raises, whatever the input."""


def as_list(value) -> list:
    """A property that may be absent, one value, or a list, as a (bounded) list."""
    if value is None:
        return []
    return value[:MAX_ITEMS] if isinstance(value, list) else [value]


def id_of(value) -> str:
    """The http(s) id of a URL, of an object with an id, or of the first item of a list of those; "" if none."""
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, dict):
        value = value.get("id")
    return http_url(value, max_length=MAX_ID)


def ids_of(value) -> tuple[str, ...]:
    """Every http(s) id among the values of a property (once each, in order)."""
    return tuple(dict.fromkeys(i for i in (id_of(item) for item in as_list(value)) if i))


def addresses(value) -> tuple[str, ...]:
    """to/cc/audience: ids, with the three spellings of the public collection read as PUBLIC."""
    found = []
    for item in as_list(value):
        found.append(PUBLIC if isinstance(item, str) and item in PUBLIC_ALIASES else id_of(item))
    return tuple(dict.fromkeys(a for a in found if a))


def link_of(value, *, _depth: int = 0) -> str:
    """The first http(s) URL of a link-ish value: a URL, a Link or Image (href, url or id, possibly nested), or a
    list of them; "" for anything else, `javascript:` and `data:` URLs included."""
    for item in as_list(value)[:16]:
        if isinstance(item, dict):
            nested = item.get("href") or item.get("url") or item.get("id")
            url = link_of(nested, _depth=_depth + 1) if _depth < 2 else ""
        else:
            url = http_url(item, max_length=MAX_ID)
        if url:
            return url
    return ""


def holds_nul(value) -> bool:
    """Whether a NUL character is in any string (key or value) of a parsed JSON document: no text of ours holds one,
    and PostgreSQL refuses one in any query or row."""
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any("\x00" in key or holds_nul(item) for key, item in value.items())
    if isinstance(value, list):
        return any(holds_nul(item) for item in value)
    return False


def document_holds_nul(body: bytes, document) -> bool:
    """holds_nul of a document parsed from `body`, walked only when the bytes spell one (JSON writes a NUL as
    \\u0000): nearly every document skips the walk."""
    return b"\\u0000" in body and holds_nul(document)


def kind_of(value) -> str:
    """An object's type when it is one short string; a list or an object as "type" is no type we know."""
    kind = value.get("type") if isinstance(value, dict) else None
    return kind if isinstance(kind, str) and len(kind) <= MAX_TYPE else ""


def text(value, limit: int) -> str:
    """A string property cut to `limit` characters; "" for anything that is not a string."""
    return value[:limit] if isinstance(value, str) else ""


# The 83 digits a blurhash is written in, in their order (https://github.com/woltapp/blurhash, "Algorithm").
BLURHASH_DIGITS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz#$%*+,-.:;=?@[]^_{|}~"
MAX_BLURHASH = 100  # the column's length: up to 48 components (Mastodon makes 12)


def blurhash(value) -> str:
    """A blurhash as apps decode it, else "": written in its 83 digits, its first saying how many components it has
    (1-9 by 1-9), and as long as they make it (4 + 2 per component). Apps decode it as sent; a malformed one can
    break their decoder."""
    if not isinstance(value, str) or not 6 <= len(value) <= MAX_BLURHASH or not set(value) <= _BLURHASH_SET:
        return ""
    size = BLURHASH_DIGITS.index(value[0])
    return value if len(value) == 4 + 2 * (size % 9 + 1) * (size // 9 + 1) else ""


_BLURHASH_SET = frozenset(BLURHASH_DIGITS)


def flag(value) -> bool:
    """A boolean property: only JSON true is true (a string "false" is no true)."""
    return value is True


def when(value) -> datetime | None:
    """An xsd:dateTime (ISO 8601) as an aware datetime (naive ones are UTC); None if absent or unreadable."""
    if not isinstance(value, str) or not 10 <= len(value) <= 64:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def count(value) -> int | None:
    """A non-negative integer property (totalItems, votersCount, width…); None for anything else."""
    return value if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 2**31 else None


def iso(moment: datetime) -> str:
    """A datetime as peers read it best: UTC, seconds, a Z."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


# what a document read as an activity, an actor or a post lacks (one sentence each, for the translations)
_NOT_AN_OBJECT = {
    "activity": "An activity must be a JSON object.",
    "actor": "An actor document must be a JSON object.",
    "post": "A post object must be a JSON object.",
}
_NO_ID = {
    "activity": "An activity has no http(s) id of at most %(limit)d characters.",
    "actor": "An actor document has no http(s) id of at most %(limit)d characters.",
    "post": "A post object has no http(s) id of at most %(limit)d characters.",
}


def require_id(document, *, what: str) -> str:
    """The document's own http(s) id, or VocabError; `what` it was read as: "activity", "actor" or "post"."""
    if not isinstance(document, dict):
        raise VocabError(_NOT_AN_OBJECT[what])
    identifier = http_url(document.get("id"), max_length=MAX_ID)
    if not identifier:
        raise VocabError(_NO_ID[what], limit=MAX_ID)
    return identifier
