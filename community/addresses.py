"""Addresses of the site's pages built from stored names (hashtags, handles, topics) that never raise.

A name that cannot be routed (a "/" in a remote hashtag, say) links to the search of its section instead of
failing the whole page with NoReverseMatch."""

from urllib.parse import urlencode

from django.core.exceptions import ObjectDoesNotExist
from django.urls import NoReverseMatch, reverse

from fediverse_node.protocol.links import http_url

# Where a name goes when its own page cannot be routed: the list of that section, searched for the name.
FALLBACKS = {
    "community:hashtag": ("community:feed", "tag"),
    "community:topic": ("community:scouts", "topic"),
    "community:profile": ("community:directory", "q"),
    "community:scout": ("community:scouts", "q"),
    "community:group": ("community:groups", ""),
}


def page_url(route: str, *args) -> str:
    """`{% url %}` for stored data: the page of `args`, or the searched list of its section, or the home page."""
    try:
        return reverse(route, args=args)
    except NoReverseMatch:
        section, parameter = FALLBACKS.get(route, ("community:feed", ""))
        query = f"?{urlencode({parameter: str(args[0])})}" if parameter and args else ""
        return reverse(section) + query


def actor_page(actor) -> str:
    """Where an actor's name links to: its page here (scout, group, member), else its own profile elsewhere."""
    if actor.local:
        route = {"Person": "community:scout", "Group": "community:group"}.get(actor.type, "community:profile")
        return page_url(route, actor.username)
    try:
        listed = actor.member_profile.listed
    except ObjectDoesNotExist:
        listed = False
    if listed:
        return page_url("community:profile", actor.handle)
    return http_url(actor.url) or http_url(actor.uri)
