"""Statements whose plan must not be left to PostgreSQL's estimates: a queue's oldest waiting rows, read in an
index's order; a lookup whose values differ so much that no one plan serves them all."""

import contextlib

from django.db import connections, transaction


def ordered_index_scans(database: str):
    """On PostgreSQL, the statements inside scan an index in its order, not as a bitmap. An update leaves the old
    version's index entries behind until the vacuum clears them; an ordered scan marks those it finds dead on its
    way, so the next scans skip them, while a bitmap scan (what PostgreSQL picks for the few rows it expects) reads
    each of them again on every call: the inbox's drain took 220 ms after 20 minutes of a soak with 120 inbox
    POSTs/s, as long as the vacuum waited (inbox/tasks.py; tests/inbox/test_drain_plan.py). Inside a caller's
    transaction nothing changes: the setting would last until that one ends."""
    return _local_setting(database, "enable_bitmapscan = off")


def custom_plans(database: str):
    """On PostgreSQL, the statements inside are planned for their values on every run. A statement run five times
    on a connection is prepared (fediverse_node/settings.py), and PostgreSQL may then settle on one generic plan
    for every value: the inbox sweep's look for the newest item of each end state walked the whole table backwards
    for a state no item was in (0.36 s at 170,000 items, tests/inbox/test_drain_plan.py). Inside a caller's
    transaction nothing changes."""
    return _local_setting(database, "plan_cache_mode = force_custom_plan")


@contextlib.contextmanager
def _local_setting(database: str, setting: str):
    connection = connections[database]
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        yield
        return
    with transaction.atomic(using=database):
        with connection.cursor() as cursor:
            cursor.execute(f"SET LOCAL {setting}")
        yield
