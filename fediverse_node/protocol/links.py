"""Links from other servers: only absolute http(s) URLs may become an href, a src or a stored link.

A hostile server can put `javascript:`, `data:` or `vbscript:` URLs in any field that we turn into a link (an
actor's url/icon/image, a post's url, an event's location, an attachment): a member who clicks it would run the
server's script in our origin. Every such URL is checked here when it arrives and again when it is rendered."""

import re
from urllib.parse import urlsplit

SCHEMES = ("http", "https")
MAX_LENGTH = 2000
# a space, a control character or DEL (one search in C; a loop over the characters cost more than the rest)
UNFIT_CHARACTER = re.compile(r"[\x00-\x20\x7f]")


def http_url(value: object, *, max_length: int = MAX_LENGTH) -> str:
    """The value if it is an absolute http(s) URL with a host, else "" (never a shortened or repaired URL)."""
    if not isinstance(value, str):
        return ""
    url = value.strip()
    if not url or len(url) > max_length:
        return ""
    # Browsers drop tabs and newlines inside a URL ("java\tscript:"), and a space or control character has no place
    # in a URL a peer minted: refuse them rather than guess what a browser would make of them.
    if UNFIT_CHARACTER.search(url):
        return ""
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:  # e.g. an unbalanced "[" in the host
        return ""
    if parts.scheme.lower() not in SCHEMES or not host:
        return ""
    return url
