"""Images on the website's pages: `{% load site_media %}`, then `{{ actor|avatar_url }}`, `{{ actor|header_url }}`,
`{{ attachment|media_url }}`. Remote images go through our media proxy (community/mediaproxy.py)."""

from django import template

from ..mediaproxy import absolute, actor_avatar_url, actor_header_url, attachment_url

register = template.Library()


@register.filter
def avatar_url(actor) -> str:
    """An actor's logo or avatar (the neutral placeholder when it has none)."""
    return actor_avatar_url(actor) if actor else ""


@register.filter
def header_url(actor) -> str:
    """An actor's header image, or "" when it has none."""
    return actor_header_url(actor) if actor else ""


@register.filter
def media_url(attachment) -> str:
    """An attachment's image: the file uploaded here, or the remote one through the proxy ("" when neither)."""
    return attachment_url(attachment) if attachment else ""


@register.filter
def absolute_url(url: str) -> str:
    """A path of this site as a full URL (Open Graph wants one)."""
    return absolute(url or "")
