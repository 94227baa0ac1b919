"""Queries that must read an index in its order on PostgreSQL (a queue's oldest waiting rows)."""

import contextlib

from django.db import connections, transaction


@contextlib.contextmanager
def ordered_index_scans(database: str):
    """On PostgreSQL, the statements inside scan an index in its order, not as a bitmap. An update leaves the old
    version's index entries behind until the vacuum clears them; an ordered scan marks those it finds dead on its
    way, so the next scans skip them, while a bitmap scan (what PostgreSQL picks for the few rows it expects) reads
    each of them again on every call: the inbox's drain took 220 ms after 20 minutes of a soak with 120 inbox
    POSTs/s, as long as the vacuum waited (inbox/tasks.py; tests/inbox/test_drain_plan.py). Inside a caller's
    transaction nothing changes: the setting would last until that one ends."""
    connection = connections[database]
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        yield
        return
    with transaction.atomic(using=database):
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_bitmapscan = off")
        yield
