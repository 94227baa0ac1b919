"""rel="me" verification of a member's links: a link is verified when the page it points to links back to the
member's profile here (as Mastodon verifies profile links)."""

from html.parser import HTMLParser

from django.conf import settings
from django.urls import reverse

from actors.services.remote import fetcher
from fediverse_node.protocol.fetcher import FetchError

from ..models import MemberProfile


class _RelMeLinks(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: set[str] = set()

    def handle_starttag(self, tag, attrs):
        if tag not in ("a", "link"):
            return
        values = dict(attrs)
        if "me" in (values.get("rel") or "").lower().split() and values.get("href"):
            self.hrefs.add(_normal(values["href"]))


def _normal(url: str) -> str:
    return url.strip().rstrip("/").lower()


def rel_me_links(html: str) -> set[str]:
    """Every href of an <a> or <link> with rel="me" in a page, normalised."""
    parser = _RelMeLinks()
    parser.feed(html)
    return parser.hrefs


def profile_addresses(profile: MemberProfile) -> set[str]:
    """The URLs a page may link back to: the profile page here, the actor id and its url."""
    actor = profile.actor
    handle = actor.username if actor.local else actor.handle
    page = settings.FEDINODE_BASE_URL + reverse("community:profile", args=[handle])
    return {_normal(u) for u in (page, actor.uri, actor.url) if u}


def links_verify(*, profile: MemberProfile) -> list[dict]:
    """Fetch each link (through the safe fetcher) and mark it verified if it links back; saves the profile."""
    addresses = profile_addresses(profile)
    checked = []
    for link in profile.links:
        url = link.get("url", "")
        try:
            verified = bool(rel_me_links(fetcher().get_html(url)) & addresses)
        except FetchError:
            verified = False
        checked.append({"url": url, "verified": verified})
    MemberProfile.objects.filter(pk=profile.pk).update(links=checked)
    profile.links = checked
    return checked
