"""`safe_url`: the template filter for every href/src whose URL may come from another server (a builtin, no load)."""

from django import template

from fediverse_node.protocol.links import http_url

register = template.Library()


def _site_path(value) -> str:
    """A path on this site ("/media/…"); never "//host" or "/\\host", which browsers read as another server."""
    if isinstance(value, str) and value.startswith("/") and not value.startswith(("//", "/\\")):
        return value if all(ord(char) > 0x20 and ord(char) != 0x7F for char in value) else ""
    return ""


@register.filter
def safe_url(value, fallback: str = "") -> str:
    """The URL when it is an absolute http(s) URL or a path on this site, else the fallback when that is one,
    else "" (so `{% if %}` can leave the link out)."""
    return http_url(value) or _site_path(value) or http_url(fallback) or _site_path(fallback)
