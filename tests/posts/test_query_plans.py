"""Reads that run once per received batch, found growing with the number of posts in a soak (bench/soak.py): each
must find its rows through an index, not read every post. SQLite's plans are checked (PostgreSQL plans by the
statistics that an empty test table lacks); the indexes exist on both back-ends."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from actors.models import Domain
from posts.models import Post, Visibility
from posts.selectors import public_listed_among, timeline_public
from posts.services.remote_batch import _replies_find_parents
from tests.factories import remote_actor

pytestmark = pytest.mark.django_db


def _plan(queryset) -> str:
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        return " | ".join(row[3] for row in cursor.fetchall())


def _post(author, number: int, **fields) -> Post:
    uri = f"{author.uri}/posts/{number}"
    return Post.objects.create(uri=uri, url=uri, author=author, published=timezone.now(), **fields)


def test_replies_that_came_before_their_parent_are_found_by_their_own_index():
    """The plan is read with a batch's worth of URIs: with one, SQLite took the replies' index even when it was narrowed
    to replies without a parent; with a hundred it took in_reply_to_id's index (`IS NULL`: every post not a reply)."""
    author = remote_actor(host="peer.example")
    parent_uri = f"{author.uri}/posts/1"
    early = _post(author, 2, in_reply_to_uri=parent_uri)  # the reply came first
    _post(author, 3)  # not a reply
    with connection.cursor() as cursor:
        assert "posts_post_replies_by_parent" in connection.introspection.get_constraints(cursor, Post._meta.db_table)
    parent = _post(author, 1)
    batch = [parent] + [Post(uri=f"{author.uri}/posts/{n}") for n in range(100, 200)]  # the rest: nobody's parent
    with CaptureQueriesContext(connection) as queries:
        _replies_find_parents(batch)
    early.refresh_from_db()
    assert early.in_reply_to_id == parent.id
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN QUERY PLAN {queries.captured_queries[0]['sql']}")
            plan = " | ".join(row[3] for row in cursor.fetchall())
        assert "USING INDEX posts_post_replies_by_parent" in plan, plan


def test_the_public_posts_among_a_batch_are_read_by_primary_key_and_agree_with_the_public_timeline():
    author, on_silenced_server = remote_actor(host="peer.example"), remote_actor(host="silenced.example")
    Domain.objects.create(name="silenced.example", severity="silence")
    suspended = remote_actor(host="peer.example")
    suspended.suspended = True
    suspended.save()
    public = _post(author, 1, visibility=Visibility.PUBLIC)
    local = _post(author, 7, visibility=Visibility.PUBLIC, local=True)
    posts = [
        public, local, _post(author, 2, visibility=Visibility.PUBLIC, boost_of=public),
        _post(author, 3, visibility=Visibility.UNLISTED), _post(author, 4, visibility=Visibility.PRIVATE),
        _post(on_silenced_server, 5, visibility=Visibility.PUBLIC), _post(suspended, 6, visibility=Visibility.PUBLIC),
    ]
    ids = [post.id for post in posts]
    expected = dict(timeline_public().filter(id__in=ids).values_list("id", "local"))
    assert public_listed_among(ids) == expected == {public.id: False, local.id: True}
    if connection.vendor == "sqlite":  # the read public_listed_among makes: by primary key, not the visibility index
        with CaptureQueriesContext(connection) as queries:
            public_listed_among(ids)
        [query] = queries.captured_queries
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN QUERY PLAN {query['sql']}")
            plan = " | ".join(row[3] for row in cursor.fetchall())
        assert "posts_post USING INTEGER PRIMARY KEY" in plan and "visibil" not in plan, plan
