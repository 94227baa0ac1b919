"""The PostgreSQL connection as the node sets it up (fediverse_node/postgresql/base.py and the settings): its
health check costs no round trip while the connection is quiet and still finds a connection the server ended, and
statements are bound by the server and prepared once they repeat, and timestamps are parsed by compiled code."""

import datetime
import time

import psycopg
import pytest
from django.db import connection
from django.db.backends.postgresql import base as django_postgresql

from tests.database_cut import postgres_only

pytestmark = [postgres_only, pytest.mark.django_db(transaction=True)]


def _server_params() -> dict:
    database = connection.settings_dict
    return {"dbname": database["NAME"], "user": database["USER"] or None, "host": database["HOST"] or None,
            "port": database["PORT"] or None, "autocommit": True}


@pytest.fixture
def asked_the_server(monkeypatch) -> list[bool]:
    """Records each time the health check falls back to Django's own (a `SELECT 1` to the server)."""
    asked: list[bool] = []
    original = django_postgresql.DatabaseWrapper.is_usable

    def recording(self):
        asked.append(True)
        return original(self)

    monkeypatch.setattr(django_postgresql.DatabaseWrapper, "is_usable", recording)
    return asked


def test_a_quiet_kept_connection_is_usable_without_asking_the_server(asked_the_server):
    connection.ensure_connection()
    assert connection.settings_dict["ENGINE"] == "fediverse_node.postgresql"
    assert connection.is_usable() is True
    assert asked_the_server == []


def test_a_connection_the_server_ended_is_found_unusable(asked_the_server):
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (pid,) = cursor.fetchone()
    with psycopg.connect(**_server_params()) as other:
        other.execute("SELECT pg_terminate_backend(%s)", [pid])
    deadline = time.monotonic() + 10
    while connection.is_usable() and time.monotonic() < deadline:  # the server's goodbye is on its way
        time.sleep(0.01)
    assert connection.is_usable() is False
    assert asked_the_server  # the message that arrived made the check ask the server, which is gone
    connection.close()
    connection.ensure_connection()  # and Django's next use opens a new one
    assert connection.is_usable() is True


def test_statements_are_bound_by_the_server_and_prepared_when_they_repeat():
    connection.ensure_connection()
    assert connection.connection.prepare_threshold == 5
    query = "SELECT COUNT(*) FROM actors_actor WHERE id > %s"
    with connection.cursor() as cursor:
        for value in range(6):
            cursor.execute(query, [value])
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        prepared = [row[0] for row in cursor.fetchall()]
    assert any("actors_actor WHERE id > $1" in statement for statement in prepared), prepared


def test_timestamps_are_read_by_psycopgs_compiled_loader_in_utc():
    """Django's own loader for timestamptz parses in Python; the node's hands the compiled one the same values."""
    oid = psycopg.adapters.types["timestamptz"].oid
    with connection.cursor() as cursor:
        cursor.execute("SELECT '2024-01-02 03:04:05.123+02'::timestamptz, NULL::timestamptz")
        when, nothing = cursor.fetchone()
        loader = cursor.cursor.adapters.get_loader(oid, psycopg.pq.Format.TEXT)(oid, cursor.cursor)
    assert when == datetime.datetime(2024, 1, 2, 1, 4, 5, 123000, tzinfo=datetime.UTC)
    assert when.tzinfo is datetime.UTC and nothing is None
    assert type(loader).__module__ == "fediverse_node.postgresql.base"
    # psycopg[binary] is a dependency: the loading itself is compiled code
    assert type(loader.load.__self__).__module__ == "psycopg_binary._psycopg"
