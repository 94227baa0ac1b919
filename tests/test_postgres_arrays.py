"""Lists sent to PostgreSQL as arrays (fediverse_node/postgresql/arrays.py): what comes back is what was sent, for
hostile strings too, and the lists a bulk insert sends most skip psycopg's step per element."""

import datetime

import django.db
import psycopg
import pytest
from django.db import connection
from psycopg.adapt import PyFormat
from psycopg.types.array import ListDumper

from actors.models import Actor
from fediverse_node.postgresql.arrays import ListTextDumper, _array_text
from posts.ids import next_id
from posts.models import Post
from tests.database_cut import postgres_only
from tests.factories import remote_actor

pytestmark = [postgres_only, pytest.mark.django_db]

HOSTILE = [
    "", " ", "NULL", "null", "a,b", "{x}", "{", "}", '"', '""', "\\", '\\"', "\\\\", "it's", "x\ny\tz\r",
    "ä € 𝄞", "<script>alert(1)</script>", '{"a": [1, "\\u0000"]}', "a;b", "a\\,b", 'end\\', '"start',
]


def _round_trip(values: list, cast: str) -> list:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT %s::{cast}", [values])
        return cursor.fetchone()[0]


def _dumped_here(values: list) -> bool:
    """Whether the whole-list path writes this list (not psycopg's per element)."""
    return _array_text(values, ",") is not None


def test_lists_are_dumped_by_the_nodes_dumper():
    connection.ensure_connection()
    dumper = connection.connection.adapters.get_dumper(list, PyFormat.AUTO)
    assert dumper is ListTextDumper


@pytest.mark.parametrize("values", [
    HOSTILE, HOSTILE[::-1], ["one"], ["NULL"], [""], ["\\"] * 3, ['"'] * 2, [s * 50 for s in HOSTILE],
])
def test_strings_come_back_as_they_were_sent(values):
    assert _dumped_here(values)
    assert _round_trip(values, "text[]") == values
    assert _round_trip(values, "varchar[]") == values


@pytest.mark.parametrize("values", [
    [1, 2, 3], [0, -1, 2**62, -(2**62)], [None, 5, None], [None, None], [7], [117739877897820997, None],
])
def test_integers_and_nulls_come_back_as_they_were_sent(values):
    assert _dumped_here(values)
    assert _round_trip(values, "bigint[]") == values


@pytest.mark.parametrize("values", [
    [True, False], [datetime.datetime(2026, 12, 6, 15, 0, tzinfo=datetime.UTC), None], ["a", None],
    [[1, 2], [3, 4]], [1.5, 2.5],
])
def test_other_lists_go_to_psycopg_and_come_back_as_they_were_sent(values):
    assert not _dumped_here(values)
    cast = {bool: "boolean[]", datetime.datetime: "timestamptz[]", float: "float8[]"}.get(type(values[0]), "text[]")
    if isinstance(values[0], list):
        cast = "int[]"
    assert _round_trip(values, cast) == values


def test_a_string_with_a_nul_is_refused_as_psycopg_refuses_it():
    with pytest.raises(django.db.DataError, match="NUL"):  # psycopg's error, as Django passes it on
        _round_trip(["fine", "bad\x00byte"], "text[]")
    with pytest.raises(psycopg.DataError, match="NUL"):
        _psycopg_dump(["fine", "bad\x00byte"])


def test_a_lone_surrogate_is_refused_as_psycopg_refuses_it():
    with pytest.raises(UnicodeEncodeError):
        _round_trip(["fine", "half \ud800 pair"], "text[]")
    with pytest.raises(UnicodeEncodeError):
        _psycopg_dump(["fine", "half \ud800 pair"])


def _psycopg_dump(values: list) -> bytes:
    """psycopg's own text dumper for the list, upgraded for its elements as a query would."""
    transformer = psycopg.adapt.Transformer(connection.connection)
    dumper = ListDumper(list, transformer).upgrade(values, PyFormat.TEXT)
    return dumper.dump(values)


def test_a_bulk_insert_of_hostile_posts_stores_every_field_as_given():
    author: Actor = remote_actor(host="hostile.example")
    posts = [
        Post(id=next_id(), uri=f"{author.uri}/posts/{n}", url="", author=author, local=False, content=text,
             summary=text[:1000], language="de", published=datetime.datetime(2026, 12, 6, tzinfo=datetime.UTC),
             in_reply_to_uri=f"https://hostile.example/{n}?q={text[:20]}")
        for n, text in enumerate(HOSTILE)
    ]
    Post.objects.bulk_create(posts)
    stored = {p.uri: p for p in Post.objects.filter(author=author)}
    assert len(stored) == len(HOSTILE)
    for post, text in zip(posts, HOSTILE, strict=True):
        row = stored[post.uri]
        assert (row.id, row.content, row.summary, row.in_reply_to_uri) == (
            post.id, text, text[:1000], post.in_reply_to_uri)
