"""Lists sent to PostgreSQL as arrays (fediverse_node/postgresql/arrays.py): what comes back is what was sent, for
hostile strings too, and the lists a bulk insert sends most skip psycopg's step per element."""

import datetime
import math

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


NOON = datetime.datetime(2026, 12, 6, 12, 0, 0, 123456, tzinfo=datetime.UTC)
BERLIN = datetime.timezone(datetime.timedelta(hours=1))


@pytest.mark.parametrize(("values", "cast"), [
    ([True, False, None, True], "boolean[]"),
    ([NOON, None, NOON.replace(microsecond=0), NOON.astimezone(BERLIN), datetime.datetime.max.replace(
        tzinfo=datetime.UTC)], "timestamptz[]"),
    ([1.5, -0.0, 1e-05, 1e300, 0.1 + 0.2, None, float("inf"), float("-inf")], "float8[]"),
    ([0, -1, 2**62, None], "bigint[]"),
])
def test_numbers_booleans_and_aware_datetimes_are_dumped_here_and_come_back_as_sent(values, cast):
    assert _dumped_here(values)
    assert _round_trip(values, cast) == values
    assert _round_trip(values, cast) == _round_trip_by_psycopg(values, cast)


def test_not_a_number_comes_back_as_itself():
    assert _dumped_here([float("nan")])
    assert math.isnan(_round_trip([float("nan")], "float8[]")[0])


@pytest.mark.parametrize("values", [
    [datetime.datetime(2026, 12, 6, 15, 0), None], [NOON, datetime.datetime(2026, 12, 6, 15, 0)], ["a", None],
    [[1, 2], [3, 4]], [datetime.date(2026, 12, 6)],
])
def test_other_lists_go_to_psycopg_and_come_back_as_they_were_sent(values):
    assert not _dumped_here(values)
    cast = {bool: "boolean[]", datetime.datetime: "timestamp[]", datetime.date: "date[]"}.get(
        type(values[0]), "text[]")
    if isinstance(values[0], list):
        cast = "int[]"
    if values[0] is NOON:
        cast = "timestamptz[]"
    assert _round_trip(values, cast) == _round_trip_by_psycopg(values, cast)


@pytest.mark.parametrize("values", [[1, 1.5], [True, 1], [1.5, "a"]])
def test_mixed_lists_are_refused_as_psycopg_refuses_them(values):
    assert not _dumped_here(values)
    with pytest.raises(django.db.DataError, match="mixed types"):
        _round_trip(values, "text[]")


def _round_trip_by_psycopg(values: list, cast: str) -> list:
    """The same round trip with psycopg's own list dumper."""
    with connection.cursor() as cursor:
        raw = cursor.cursor
        raw.adapters.register_dumper(list, ListDumper)
        try:
            raw.execute(f"SELECT %s::{cast}", [values])
            return raw.fetchone()[0]
        finally:
            raw.adapters.register_dumper(list, ListTextDumper)


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
