"""Status entities. A page is built from cached per-post and per-account fragments (keyed on `updated_at`),
joined with counts and the viewer's own marks read in a fixed number of small queries."""


from html import escape

from django.db.models import Prefetch, QuerySet

from actors.models import Actor
from fediverse_node.protocol.links import http_url
from posts.models import PollVote, Post
from posts.selectors import conversation_muted_ids, visible_to

from ..localcache import fragments
from .accounts import AccountStats, account_base, acct, with_counts
from .common import absolute, timestamp
from .facts import page_facts
from .media import attachment_entity
from .polls import poll_base, poll_for_viewer

FRAGMENT_SECONDS = 24 * 3600
META_FIELDS = ("id", "updated_at", "author_id", "author__updated_at", "boost_of_id", "author__suspended")


def with_status_relations(queryset: QuerySet) -> QuerySet:
    """The joins and prefetches rendering a post needs."""
    mentions = Prefetch("mentions", queryset=Actor.objects.only("id", "username", "domain", "local", "url", "uri"))
    return queryset.select_related("in_reply_to", "poll").prefetch_related("attachments", mentions, "tags")


def _post_key(post_id: int, updated_at) -> str:
    return f"api:status:{post_id}:{updated_at.timestamp()}"


def _account_key(actor_id: int, updated_at) -> str:
    return f"api:account:{actor_id}:{updated_at.timestamp()}"


def status_base(post: Post) -> dict:
    """The fields of a Status that change only when the post does (no counts, account or viewer marks)."""
    return {
        "id": str(post.id),
        "created_at": timestamp(post.published),
        "in_reply_to_id": str(post.in_reply_to_id) if post.in_reply_to_id else None,
        "in_reply_to_account_id": str(post.in_reply_to.author_id) if post.in_reply_to else None,
        "sensitive": post.sensitive,
        "spoiler_text": post.summary,
        "visibility": post.visibility,
        "language": post.language or None,
        "uri": post.uri,
        "url": http_url(post.url) or post.uri,
        "edited_at": timestamp(post.edited_at),
        "content": "" if post.boost_of_id else _content(post),
        "filtered": [],
        "reblog": None,
        "application": None,
        "media_attachments": [attachment_entity(a) for a in post.attachments.all()],
        "mentions": [
            {"id": str(a.id), "username": a.username, "url": http_url(a.url) or a.uri, "acct": acct(a)}
            for a in post.mentions.all()
        ],
        "tags": [{"name": t.name, "url": absolute(f"/tags/{t.name}")} for t in post.tags.all()],
        "emojis": [],
        "card": None,
        "poll": poll_base(post.poll) if hasattr(post, "poll") else None,
    }


def _content(post: Post) -> str:
    if post.type in ("Article", "Event", "Page") and post.name:
        # Mastodon shows the title of long-form objects above their body.
        return f"<p><strong>{escape(post.name)}</strong></p>{post.content}"
    return post.content


class StatusPage:
    """Renders statuses by id for one viewer: fragments from the cache, counts and marks fresh."""

    def __init__(self, ids: list[int], viewer: Actor | None, *, meta_rows: list[tuple] | None = None):
        """`meta_rows`: the META_FIELDS of the posts when the caller read them already (home timeline)."""
        self.viewer = viewer
        if meta_rows is None:
            # Every rendering checks visibility in the same query: a followers-only or direct post is never handed
            # to someone who may not read it, whatever list or notification named it.
            meta_rows = list(visible_to(Post.objects.filter(id__in=ids), viewer).values_list(*META_FIELDS))
        # A suspended author's posts (and boosts of them) are not shown anywhere: dropped here, every list and
        # timeline of the API leaves them out without a query of its own.
        meta = {row[0]: row for row in meta_rows if not row[5]}
        boosted = [row[4] for row in meta.values() if row[4] and row[4] not in meta]
        if boosted:
            rows = visible_to(Post.objects.filter(id__in=boosted), viewer).values_list(*META_FIELDS)
            meta.update({row[0]: row for row in rows if not row[5]})
        self.meta = meta
        self.posts = self._fragments(
            {_post_key(i, row[1]): i for i, row in meta.items()},
            lambda missing: {
                p.id: status_base(p) for p in with_status_relations(Post.objects.filter(id__in=missing))
            },
        )
        self.accounts = self._fragments(
            {_account_key(row[2], row[3]): row[2] for row in meta.values()},
            lambda missing: {a.id: account_base(a) for a in Actor.objects.filter(id__in=missing)},
        )
        author_ids = list({row[2] for row in meta.values()})
        facts = page_facts(post_ids=list(meta), author_ids=author_ids, viewer_id=viewer.id if viewer else None)
        self.favourites, self.reblogs, self.replies = facts["favourites"], facts["reblogs"], facts["replies"]
        self.marks = facts
        self.muted = conversation_muted_ids(actor=viewer) if viewer and facts["mutes"][0] else set()
        self.own_votes = self._own_votes()
        self.stats = AccountStats(
            author_ids, cached_statuses=len(ids) > 1, follow_counts=(facts["followers"], facts["following"])
        )

    def _own_votes(self) -> dict[int, list[int]]:
        """The reader's choices in the polls of the page (one query, and only when there is a poll)."""
        poll_ids = [post_id for post_id, base in self.posts.items() if base.get("poll")]
        if self.viewer is None or not poll_ids:
            return {}
        votes: dict[int, list[int]] = {}
        rows = PollVote.objects.filter(voter=self.viewer, poll_id__in=poll_ids).order_by("choice")
        for poll_id, choice in rows.values_list("poll_id", "choice"):
            votes.setdefault(poll_id, []).append(choice)
        return votes

    @staticmethod
    def _fragments(keys: dict[str, int], load) -> dict[int, dict]:
        found = fragments.get_many(keys)
        result = {keys[k]: v for k, v in found.items()}
        missing = [i for k, i in keys.items() if k not in found]
        if missing:
            fresh = load(missing)
            fragments.set_many({k: fresh[i] for k, i in keys.items() if i in fresh}, FRAGMENT_SECONDS)
            result.update(fresh)
        return result

    def render(self, post_id: int) -> dict | None:
        row = self.meta.get(post_id)
        if row is None or (row[4] and row[4] not in self.meta):
            return None
        data = self._one(row)
        if row[4]:
            data["reblog"] = self._one(self.meta[row[4]])
        return data

    def _one(self, row) -> dict:
        post_id, author_id = row[0], row[2]
        data = dict(self.posts[post_id])
        data["account"] = with_counts(dict(self.accounts[author_id]), author_id, self.stats)
        data["replies_count"] = self.replies.get(post_id, 0)
        data["reblogs_count"] = self.reblogs.get(post_id, 0)
        data["favourites_count"] = self.favourites.get(post_id, 0)
        if data.get("poll"):
            is_author = self.viewer is not None and author_id == self.viewer.id
            own = self.own_votes.get(post_id, []) if self.viewer is not None else None
            data["poll"] = poll_for_viewer(data["poll"], own_votes=own, is_author=is_author)
        if self.viewer is None:
            data.update(favourited=None, reblogged=None, muted=None, bookmarked=None)
        else:
            data.update(
                favourited=post_id in self.marks["favourited"],
                reblogged=post_id in self.marks["reblogged"],
                muted=post_id in self.muted,
                bookmarked=post_id in self.marks["bookmarked"],
            )
            if author_id == self.viewer.id:
                data["pinned"] = post_id in self.marks["pinned"]
        return data


def status_entities_by_id(ids: list[int], viewer: Actor | None) -> list[dict]:
    page = StatusPage(ids, viewer)
    return [data for data in (page.render(i) for i in ids) if data is not None]


def status_entities(posts: list[Post], viewer: Actor | None) -> list[dict]:
    return status_entities_by_id([p.id for p in posts], viewer)


def status_entity(post: Post, viewer: Actor | None) -> dict:
    return status_entities_by_id([post.id], viewer)[0]
