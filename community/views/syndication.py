"""RSS and Atom for the community feed, the blog and each profile."""

from django.contrib.syndication.views import Feed
from django.http import Http404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed

from posts.text import plain_text

from ..selectors import blog_articles, feed_posts, member_posts, profile_by_handle

ITEMS = 30


class _PostFeed(Feed):
    def item_title(self, post):
        return post.name or plain_text(post.content)[:80] or post.author.display_name

    def item_description(self, post):
        return post.content

    def item_link(self, post):
        """The post's page in the site's design (local posts: their `url`; remote ones: our page of them)."""
        if post.local and post.url and post.url != post.uri:
            return post.url
        return reverse("community:post", args=[post.id])

    def item_pubdate(self, post):
        return post.published

    def item_author_name(self, post):
        return post.author.display_name


class CommunityFeed(_PostFeed):
    title = "Aus der Praxis"
    link = "/"
    description = "Beiträge der Mitgliedsorganisationen"

    def items(self):
        return feed_posts()[:ITEMS]


class BlogFeed(_PostFeed):
    title = "Blog"
    link = "/blog/"
    description = "Geschichten aus der Praxis"

    def items(self):
        return blog_articles()[:ITEMS]


class ProfileFeed(_PostFeed):
    def get_object(self, request, handle):
        member = profile_by_handle(handle)
        if member is None:
            raise Http404("unknown profile")
        return member

    def title(self, member):
        return member.actor.display_name

    def link(self, member):
        return reverse("community:profile", args=[member.actor.username if member.actor.local else member.actor.handle])

    def description(self, member):
        return member.description

    def items(self, member):
        return member_posts().filter(author=member.actor)[:ITEMS]


class CommunityAtom(CommunityFeed):
    feed_type = Atom1Feed


class BlogAtom(BlogFeed):
    feed_type = Atom1Feed


class ProfileAtom(ProfileFeed):
    feed_type = Atom1Feed
