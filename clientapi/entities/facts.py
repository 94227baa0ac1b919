"""Counts and the viewer's marks for a page of statuses, read in one query.

Each part is a small indexed lookup; sending them as one UNION ALL saves the ORM's per-query cost, which on a
timeline page outweighs the SQL itself. Plain SQL that SQLite and PostgreSQL both run.

The ids go in by fediverse_node.prepared.ids_match: on PostgreSQL as one array parameter per list, so the query
keeps one text that the server prepares once (with the ids as literals it parsed and planned ten subqueries on
every page: 0.5 ms of its CPU against 0.2 ms to run them); on SQLite as integer literals (int() guarantees that
they are nothing else): a parameter per id was a sixth of a timeline request's Python time in psycopg once.
"""

from collections import Counter, defaultdict

from django.db import connection

from actors.models import Follow
from fediverse_node.prepared import ids_match
from posts.models import Bookmark, ConversationMute, Like, Pin, Post


def page_facts(*, post_ids: list[int], author_ids: list[int], viewer_id: int | None) -> dict[str, Counter]:
    """{"favourites"|"reblogs"|"replies"|"followers"|"following": Counter, "favourited"|… : Counter of 1s}."""
    post, like, follow = Post._meta.db_table, Like._meta.db_table, Follow._meta.db_table
    vendor = connection.vendor
    viewer_param = [int(viewer_id)] if viewer_id is not None else []
    parts: list[str] = []
    params: list = []

    def part(sql: str, column: str | None = None, ids: list[int] | None = None, viewer: bool = False) -> None:
        """One SELECT; `{ids}` in it becomes `column` matched against `ids`, `{viewer}` the viewer's id. Their
        parameters are added in that order: a SELECT names the viewer before the ids."""
        values: dict[str, str] = {}
        if viewer:
            values["viewer"] = "%s"
            params.extend(viewer_param)
        if column is not None:
            values["ids"], more = ids_match(column, ids or [], vendor)
            params.extend(more)
        parts.append(sql.format(**values))

    if post_ids:
        part(f"SELECT 'favourites', post_id, COUNT(*) FROM {like} WHERE {{ids}} GROUP BY post_id", "post_id", post_ids)
        part(f"SELECT 'reblogs', boost_of_id, COUNT(*) FROM {post} WHERE {{ids}} GROUP BY boost_of_id",
             "boost_of_id", post_ids)
        part(f"SELECT 'replies', in_reply_to_id, COUNT(*) FROM {post} WHERE {{ids}} GROUP BY in_reply_to_id",
             "in_reply_to_id", post_ids)
        if viewer_id is not None:
            part(f"SELECT 'favourited', post_id, 1 FROM {like} WHERE actor_id = {{viewer}} AND {{ids}}",
                 "post_id", post_ids, viewer=True)
            part(f"SELECT 'reblogged', boost_of_id, 1 FROM {post} WHERE author_id = {{viewer}} AND {{ids}}",
                 "boost_of_id", post_ids, viewer=True)
            part(f"SELECT 'bookmarked', post_id, 1 FROM {Bookmark._meta.db_table} WHERE actor_id = {{viewer}} "
                 "AND {ids}", "post_id", post_ids, viewer=True)
            part(f"SELECT 'pinned', post_id, 1 FROM {Pin._meta.db_table} WHERE actor_id = {{viewer}} AND {{ids}}",
                 "post_id", post_ids, viewer=True)
            # whether the viewer muted any conversation at all: only then are the threads worked out
            part(f"SELECT 'mutes', 0, COUNT(*) FROM {ConversationMute._meta.db_table} WHERE actor_id = {{viewer}}",
                 viewer=True)
    if author_ids:
        part(f"SELECT 'followers', target_id, COUNT(*) FROM {follow} WHERE state = 'accepted' AND {{ids}} "
             "GROUP BY target_id", "target_id", author_ids)
        part(f"SELECT 'following', follower_id, COUNT(*) FROM {follow} WHERE state = 'accepted' AND {{ids}} "
             "GROUP BY follower_id", "follower_id", author_ids)
    facts: dict[str, Counter] = defaultdict(Counter)
    if not parts:
        return facts
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts), params)
        for kind, key, value in cursor.fetchall():
            facts[kind][key] = value
    return facts
