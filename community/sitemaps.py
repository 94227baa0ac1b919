"""sitemap.xml for search engines: the site's own pages, members, practice posts, articles, events and groups.
Only this node's public pages: a remote member's posts live on its own server."""

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from posts.models import PostType

from .pool import events_public
from .selectors import blog_articles, directory_search, groups_listed, public_member_posts

PAGE_SIZE = 5000  # entries per sitemap file (the protocol allows 50,000; smaller files are cheaper to build)


class _Local(Sitemap):
    limit = PAGE_SIZE

    @property
    def protocol(self) -> str:  # type: ignore[override]  # Django reads the attribute per request: a property serves
        return settings.FEDINODE_SCHEME


class SitePages(_Local):
    changefreq = "daily"

    def items(self) -> list[str]:
        return [
            "community:home", "community:feed", "community:directory", "mapview:map", "community:events",
            "community:blog", "community:scouts", "community:groups", "community:apply", "community:contact",
            "community:impressum", "community:datenschutz", "community:barrierefreiheit",
        ]

    def location(self, item: str) -> str:
        return reverse(item)


class _Dated(_Local):
    """Entries that carry their last change (profiles and posts)."""

    def lastmod(self, item):
        return item.updated_at


class Members(_Dated):
    changefreq = "weekly"

    def items(self):
        return directory_search().filter(actor__local=True).order_by("id")

    def location(self, item) -> str:
        return reverse("community:profile", args=[item.actor.username])


class PracticePosts(_Dated):
    def items(self):
        return (
            public_member_posts().filter(author__local=True).exclude(type__in=(PostType.ARTICLE, PostType.EVENT))
            .order_by("-id")
        )

    def location(self, item) -> str:
        return reverse("community:post", args=[item.id])  # the page in the site's design, not the AP id


class Articles(_Dated):
    def items(self):
        return blog_articles().filter(author__local=True).order_by("-id")

    def location(self, item) -> str:
        return reverse("community:article", args=[item.id])


class Events(_Dated):
    def items(self):
        return events_public().filter(local=True).order_by("-id")

    def location(self, item) -> str:
        return reverse("community:event", args=[item.id])


class Groups(_Local):
    def items(self):
        return groups_listed()

    def location(self, item) -> str:
        return reverse("community:group", args=[item.username])


SITEMAPS = {
    "pages": SitePages, "members": Members, "posts": PracticePosts, "articles": Articles, "events": Events,
    "groups": Groups,
}
