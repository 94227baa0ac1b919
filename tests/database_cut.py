"""What a PostgreSQL restart does to a worker in the middle of a batch: its connection is cut while a statement of
its runs. The cut is timed by a lock held here, so it lands after the batch's claim and before its next read."""

import contextlib
import os
import threading
import time
from collections.abc import Iterator

import psycopg
import pytest
from django.db import connection

postgres_only = pytest.mark.skipif(
    os.environ.get("FEDINODE_TEST_BACKEND") != "postgres",
    reason="the embedded default (SQLite) has no server that could cut a connection",
)


@contextlib.contextmanager
def cut_when_waiting_on(table: str) -> Iterator[list[int]]:
    """Inside the block, the first statement of this process that touches `table` waits for a lock held here, and
    its connection is then terminated. Yields a list that holds the cut connection's process id once it is done."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (victim,) = cursor.fetchone()
    database = connection.settings_dict
    params = {"dbname": database["NAME"], "user": database["USER"] or None, "host": database["HOST"] or None,
              "port": database["PORT"] or None}
    cut: list[int] = []
    done = threading.Event()
    with psycopg.connect(**params) as locker, psycopg.connect(**params, autocommit=True) as watcher:
        locker.execute(f'LOCK TABLE "{table}" IN ACCESS EXCLUSIVE MODE')

        def watch() -> None:
            while not done.is_set():
                row = watcher.execute("SELECT wait_event_type FROM pg_stat_activity WHERE pid = %s", [victim]).fetchone()
                if row and row[0] == "Lock":
                    watcher.execute("SELECT pg_terminate_backend(%s)", [victim])
                    cut.append(victim)
                    return
                time.sleep(0.01)

        thread = threading.Thread(target=watch, daemon=True)
        thread.start()
        try:
            yield cut
        finally:
            done.set()
            thread.join(timeout=5)
            locker.rollback()
