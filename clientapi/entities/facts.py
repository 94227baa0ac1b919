"""Counts and the viewer's marks for a page of statuses, read in one query.

Each part is a small indexed lookup; sending them as one query saves the ORM's per-query cost, which on a timeline
page outweighs the SQL itself.

On PostgreSQL the ids are arrays bound as parameters, so the statement's text is the same for every page and
viewer: psycopg prepares it and the server plans it once per connection. With the ids written into the SQL, every
page a reader scrolled to was a new text, planned anew (0.9 ms of the server's CPU against 0.2 ms to run it). A plan
made once must suit every viewer and page. The counts are one index scan over the array each, which any plan does.
The viewer's marks are scalar subqueries in the select list, one index lookup per id. As a join or a filter
(`actor_id = $1 AND post_id = ANY($2)`), and even as EXISTS (which PostgreSQL may run as one hashed read of all the
viewer's rows), a plan made once can read all the viewer's likes for every page; a scalar subquery it runs per row.

On SQLite the ids go into the SQL as integer literals (int() guarantees that they are nothing else): SQLite's
statements cost little to prepare, and a parameter per id was a sixth of a timeline request's Python time once.
"""

import functools
from collections import Counter, defaultdict

from django.db import connection

from actors.models import Follow
from fediverse_node.prepared import bigint_array
from posts.models import Bookmark, ConversationMute, Like, Pin, Post

Facts = dict[str, Counter]

VIEWER_MARKS = ("favourited", "reblogged", "bookmarked", "pinned")


def page_facts(*, post_ids: list[int], author_ids: list[int], viewer_id: int | None) -> Facts:
    """{"favourites"|"reblogs"|"replies"|"followers"|"following": Counter, "favourited"|… : Counter of 1s,
    "mutes": {0: how many conversations the viewer muted}}. Only non-zero values are kept."""
    viewer = int(viewer_id) if viewer_id is not None else None
    if connection.vendor == "postgresql":
        return _facts_by_arrays(post_ids, author_ids, viewer)
    return _facts_by_literals(post_ids, author_ids, viewer)


def _facts_by_arrays(post_ids: list[int], author_ids: list[int], viewer: int | None) -> Facts:
    facts: Facts = defaultdict(Counter)
    sql, slots = _arrays_sql(bool(post_ids), bool(author_ids), viewer is not None)
    if not sql:
        return facts
    values = {"posts": bigint_array(post_ids), "authors": bigint_array(author_ids), "viewer": viewer}
    with connection.cursor() as cursor:
        cursor.execute(sql, [values[slot] for slot in slots])
        rows = cursor.fetchall()
    for kind, key, value in rows:
        if kind == "marks":
            for bit, name in enumerate(VIEWER_MARKS):
                if value & (1 << bit):
                    facts[name][key] = 1
        elif value:
            facts[kind][key] = value
    return facts


@functools.cache
def _arrays_sql(posts: bool, authors: bool, viewer: bool) -> tuple[str, tuple[str, ...]]:
    """The statement for the parts a page needs (one of five texts), rows of (kind, id, value): the counts grouped
    from one index scan over the array each; the viewer's marks as one bit each of ('marks', post id, bits), in
    VIEWER_MARKS's order. With it, what goes into each placeholder, in order: "posts", "authors" or "viewer"."""
    post, like, follow = Post._meta.db_table, Like._meta.db_table, Follow._meta.db_table
    parts: list[str] = []
    slots: list[str] = []
    if posts:
        parts += [
            f"SELECT 'favourites', post_id, COUNT(*) FROM {like} WHERE post_id = ANY(%s::bigint[]) GROUP BY post_id",
            f"SELECT 'reblogs', boost_of_id, COUNT(*) FROM {post} WHERE boost_of_id = ANY(%s::bigint[]) "
            "GROUP BY boost_of_id",
            f"SELECT 'replies', in_reply_to_id, COUNT(*) FROM {post} WHERE in_reply_to_id = ANY(%s::bigint[]) "
            "GROUP BY in_reply_to_id",
        ]
        slots += ["posts"] * 3
        if viewer:
            marks = [
                f"(SELECT 1 FROM {like} l WHERE l.actor_id = %s AND l.post_id = i.id LIMIT 1)",
                f"(SELECT 1 FROM {post} b WHERE b.author_id = %s AND b.boost_of_id = i.id LIMIT 1)",
                f"(SELECT 1 FROM {Bookmark._meta.db_table} k WHERE k.actor_id = %s AND k.post_id = i.id LIMIT 1)",
                f"(SELECT 1 FROM {Pin._meta.db_table} n WHERE n.actor_id = %s AND n.post_id = i.id LIMIT 1)",
            ]
            bits = " + ".join(f"{1 << bit} * COALESCE({mark}, 0)" for bit, mark in enumerate(marks))
            parts += [
                f"SELECT 'marks', i.id, {bits} FROM unnest(%s::bigint[]) AS i(id)",
                # whether the viewer muted any conversation at all: only then are the threads worked out
                f"SELECT 'mutes', 0, COUNT(*) FROM {ConversationMute._meta.db_table} WHERE actor_id = %s",
            ]
            slots += ["viewer"] * len(marks) + ["posts", "viewer"]
    if authors:
        parts += [
            f"SELECT 'followers', target_id, COUNT(*) FROM {follow} WHERE state = 'accepted' "
            "AND target_id = ANY(%s::bigint[]) GROUP BY target_id",
            f"SELECT 'following', follower_id, COUNT(*) FROM {follow} WHERE state = 'accepted' "
            "AND follower_id = ANY(%s::bigint[]) GROUP BY follower_id",
        ]
        slots += ["authors"] * 2
    return " UNION ALL ".join(parts), tuple(slots)


def _in(ids: list[int]) -> str:
    return ", ".join(str(int(value)) for value in ids)


def _facts_by_literals(post_ids: list[int], author_ids: list[int], viewer: int | None) -> Facts:
    post, like, follow = Post._meta.db_table, Like._meta.db_table, Follow._meta.db_table
    parts: list[str] = []
    if post_ids:
        p = _in(post_ids)
        parts += [
            f"SELECT 'favourites', post_id, COUNT(*) FROM {like} WHERE post_id IN ({p}) GROUP BY post_id",
            f"SELECT 'reblogs', boost_of_id, COUNT(*) FROM {post} WHERE boost_of_id IN ({p}) GROUP BY boost_of_id",
            f"SELECT 'replies', in_reply_to_id, COUNT(*) FROM {post} WHERE in_reply_to_id IN ({p}) "
            "GROUP BY in_reply_to_id",
        ]
        if viewer is not None:
            parts += [
                f"SELECT 'favourited', post_id, 1 FROM {like} WHERE actor_id = {viewer} AND post_id IN ({p})",
                f"SELECT 'reblogged', boost_of_id, 1 FROM {post} WHERE author_id = {viewer} AND boost_of_id IN ({p})",
                f"SELECT 'bookmarked', post_id, 1 FROM {Bookmark._meta.db_table} WHERE actor_id = {viewer} "
                f"AND post_id IN ({p})",
                f"SELECT 'pinned', post_id, 1 FROM {Pin._meta.db_table} WHERE actor_id = {viewer} AND post_id IN ({p})",
                # whether the viewer muted any conversation at all: only then are the threads worked out
                f"SELECT 'mutes', 0, COUNT(*) FROM {ConversationMute._meta.db_table} WHERE actor_id = {viewer}",
            ]
    if author_ids:
        a = _in(author_ids)
        parts += [
            f"SELECT 'followers', target_id, COUNT(*) FROM {follow} WHERE state = 'accepted' "
            f"AND target_id IN ({a}) GROUP BY target_id",
            f"SELECT 'following', follower_id, COUNT(*) FROM {follow} WHERE state = 'accepted' "
            f"AND follower_id IN ({a}) GROUP BY follower_id",
        ]
    facts: Facts = defaultdict(Counter)
    if not parts:
        return facts
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts))
        for kind, key, value in cursor.fetchall():
            if value:
                facts[kind][key] = value
    return facts
