"""Status entities for a page of posts: everything a page needs is loaded in a fixed number of queries."""

from collections import Counter
from html import escape

from django.db.models import Count, Prefetch, QuerySet

from actors.models import Actor
from posts.models import Bookmark, Like, Pin, Post

from .accounts import AccountStats, account_entity, acct
from .common import absolute, timestamp
from .media import attachment_entity


def with_status_relations(queryset: QuerySet) -> QuerySet:
    """The joins and prefetches a page of statuses needs (the boosted post's included)."""
    mentions = Prefetch("mentions", queryset=Actor.objects.only("id", "username", "domain", "local", "url", "uri"))
    return queryset.select_related("author", "boost_of__author", "in_reply_to").prefetch_related(
        "attachments", mentions, "tags",
        "boost_of__attachments", Prefetch("boost_of__mentions", queryset=mentions.queryset), "boost_of__tags",
    )


class StatusPage:
    """Counts and the viewer's own marks (favourited, reblogged, bookmarked, pinned) for a set of posts."""

    def __init__(self, posts: list[Post], viewer: Actor | None):
        self.viewer = viewer
        everything = list(posts) + [p.boost_of for p in posts if p.boost_of_id]
        ids = [p.id for p in everything]
        self.favourites = Counter(_grouped(Like.objects.filter(post_id__in=ids), "post_id"))
        self.reblogs = Counter(_grouped(Post.objects.filter(boost_of_id__in=ids), "boost_of_id"))
        self.replies = Counter(_grouped(Post.objects.filter(in_reply_to_id__in=ids), "in_reply_to_id"))
        self.favourited = self.reblogged = self.bookmarked = self.pinned = frozenset()
        if viewer is not None:
            self.favourited = _ids(Like.objects.filter(actor=viewer, post_id__in=ids))
            self.reblogged = frozenset(
                Post.objects.filter(author=viewer, boost_of_id__in=ids).values_list("boost_of_id", flat=True)
            )
            self.bookmarked = _ids(Bookmark.objects.filter(actor=viewer, post_id__in=ids))
            self.pinned = _ids(Pin.objects.filter(actor=viewer, post_id__in=ids))
        self.accounts = AccountStats(p.author_id for p in everything)

    def render(self, post: Post) -> dict:
        if post.boost_of_id:
            data = self._render_one(post)
            data["reblog"] = self._render_one(post.boost_of)
            data["content"] = ""
            return data
        return self._render_one(post)

    def _render_one(self, post: Post) -> dict:
        viewer = self.viewer
        data = {
            "id": str(post.id),
            "created_at": timestamp(post.published),
            "in_reply_to_id": str(post.in_reply_to_id) if post.in_reply_to_id else None,
            "in_reply_to_account_id": str(post.in_reply_to.author_id) if post.in_reply_to_id else None,
            "sensitive": post.sensitive,
            "spoiler_text": post.summary,
            "visibility": post.visibility,
            "language": post.language or None,
            "uri": post.uri,
            "url": post.url or post.uri,
            "replies_count": self.replies.get(post.id, 0),
            "reblogs_count": self.reblogs.get(post.id, 0),
            "favourites_count": self.favourites.get(post.id, 0),
            "edited_at": timestamp(post.edited_at),
            "favourited": post.id in self.favourited if viewer else None,
            "reblogged": post.id in self.reblogged if viewer else None,
            "muted": False if viewer else None,
            "bookmarked": post.id in self.bookmarked if viewer else None,
            "content": _content(post),
            "filtered": [],
            "reblog": None,
            "application": None,
            "account": account_entity(post.author, self.accounts),
            "media_attachments": [attachment_entity(a) for a in post.attachments.all()],
            "mentions": [
                {"id": str(a.id), "username": a.username, "url": a.url or a.uri, "acct": acct(a)}
                for a in post.mentions.all()
            ],
            "tags": [{"name": t.name, "url": absolute(f"/tags/{t.name}")} for t in post.tags.all()],
            "emojis": [],
            "card": None,
            "poll": None,
        }
        if viewer is not None and post.author_id == viewer.id:
            data["pinned"] = post.id in self.pinned
        return data


def _content(post: Post) -> str:
    if post.type in ("Article", "Event", "Page") and post.name:
        # Mastodon shows the title of long-form objects above their body.
        return f"<p><strong>{escape(post.name)}</strong></p>{post.content}"
    return post.content


def _grouped(queryset: QuerySet, field: str) -> dict:
    return {row[field]: row["n"] for row in queryset.values(field).annotate(n=Count("id")).order_by()}


def _ids(queryset: QuerySet) -> frozenset:
    return frozenset(queryset.values_list("post_id", flat=True))


def status_entity(post: Post, viewer: Actor | None) -> dict:
    return StatusPage([post], viewer).render(post)


def status_entities(posts: list[Post], viewer: Actor | None) -> list[dict]:
    page = StatusPage(posts, viewer)
    return [page.render(p) for p in posts]
