"""Home feeds: each new post is written into the feeds of the local actors who should see it."""

import functools

from django.db import connections, router

from actors.models import Actor, Follow, FollowState
from fediverse_node.prepared import bigint_array

from ..models import FeedEntry, Post, TagFollow, Visibility
from .announcing import posts_added_announce

BACKFILL = 40


def feed_rows_add(rows: list[tuple[int, int, int]]) -> None:
    """Insert (owner_id, post_id, author_id) home-feed rows, leaving those a feed holds already.

    A batch of received posts writes a row per local follower of each: thousands at once. bulk_create builds a
    model instance per row and binds every value, which cost more than the insert itself (bench/processing.py).
    Here one statement of a fixed text: on SQLite run once per row in C (executemany, compiled once), on
    PostgreSQL once for the whole batch, the rows passed as three arrays (in their text form)."""
    if not rows:
        return
    connection = connections[router.db_for_write(FeedEntry)]
    sql = _feed_rows_sql(connection.alias)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(sql, [bigint_array(column) for column in zip(*rows, strict=True)])
        else:
            cursor.executemany(sql, rows)


@functools.cache
def _feed_rows_sql(alias: str) -> str:
    connection = connections[alias]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f"{name}_id") for name in ("owner", "post", "author"))  # the foreign keys' columns
    head = f"INSERT INTO {quote(FeedEntry._meta.db_table)} ({columns}) "
    if connection.vendor == "postgresql":
        return head + "SELECT * FROM unnest(%s::bigint[], %s::bigint[], %s::bigint[]) ON CONFLICT DO NOTHING"
    return head + "VALUES (%s, %s, %s) ON CONFLICT DO NOTHING"


def feed_owners(post: Post) -> set[int]:
    """Local actors whose home feed shows this post: the author, followers (unless direct), mentioned, and the
    followers of its hashtags (public posts only, as Mastodon)."""
    owners = {post.author_id} if post.author.local else set()
    if post.visibility != Visibility.DIRECT:
        owners |= set(
            Follow.objects.filter(target_id=post.author_id, state=FollowState.ACCEPTED, follower__local=True)
            .values_list("follower_id", flat=True)
        )
    if post.visibility == Visibility.DIRECT:
        owners |= set(post.mentions.filter(local=True).values_list("id", flat=True))
    if post.visibility == Visibility.PUBLIC and not post.boost_of_id:
        owners |= tag_followers(post_ids=[post.id]).get(post.id, set())
    return owners


def tag_followers(*, post_ids: list[int]) -> dict[int, set[int]]:
    """For each post, the local actors who follow one of its hashtags (one query for a batch)."""
    found: dict[int, set[int]] = {}
    rows = TagFollow.objects.filter(tag__posts__id__in=post_ids).values_list("tag__posts__id", "actor_id")
    for post_id, actor_id in rows:
        found.setdefault(post_id, set()).add(actor_id)
    return found


def feed_add_post(*, post: Post) -> None:
    owners = feed_owners(post)
    feed_rows_add([(owner, post.id, post.author_id) for owner in owners])
    posts_added_announce(feeds={post.id: owners})


def feed_follow_started(*, follower: Actor, target: Actor) -> None:
    """A local actor now follows someone: their recent posts join its feed."""
    if not follower.local:
        return
    recent = Post.objects.filter(author=target).exclude(visibility=Visibility.DIRECT).order_by("-id")[:BACKFILL]
    FeedEntry.objects.bulk_create(
        [FeedEntry(owner=follower, post_id=pid, author=target) for pid in recent.values_list("id", flat=True)],
        ignore_conflicts=True,
    )


def feed_follow_ended(*, follower: Actor, target: Actor) -> None:
    """Unfollowing removes the target's posts from the feed, except those that mention the follower."""
    if not follower.local:
        return
    mentioning = Post.mentions.through.objects.filter(actor=follower).values("post_id")
    FeedEntry.objects.filter(owner=follower, author=target).exclude(post_id__in=mentioning).delete()
