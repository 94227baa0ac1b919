"""No table of ours keeps an index that another index of the same table already serves: one whose columns are the
leading columns of another (a B-tree is read from either end, so the order of a column does not matter), or,
on PostgreSQL, Django's `_like` twin of a text column that no query searches by prefix. Each index is
written on every insert and on every update of its columns: the inbox, the feed and the deliveries insert
thousands of rows a second at peak (docs/benchmarks.md, session 23)."""

import pytest
from django.apps import apps
from django.db import connections, router

pytestmark = pytest.mark.django_db(databases="__all__")

# the tag search of the API (GET /api/v2/search, type=hashtags) looks tags up by the start of their name
PREFIX_SEARCHED = {"posts_tag_name_70364ab3_like"}
OURS = {"actors", "posts", "inbox", "outbox", "clientapi", "community", "operations", "mapview", "streaming"}


def _tables() -> list[tuple[str, str]]:
    """(database alias, table) of every concrete model of ours; Django's own many-to-many tables left out (their
    index of the first column comes with the table)."""
    found = []
    for model in apps.get_models():
        if model._meta.app_label in OURS and model._meta.managed and not model._meta.proxy:
            found.append((router.db_for_write(model), model._meta.db_table))
    return sorted(set(found))


def _partial(model_table: str) -> set[str]:
    return {
        index.name for model in apps.get_models() if model._meta.db_table == model_table
        for index in model._meta.indexes if index.condition is not None
    }


def _served_by_another(alias: str, table: str) -> list[str]:
    connection = connections[alias]
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, table)
    indexes = {name: c for name, c in constraints.items() if c["index"] or c["unique"] or c["primary_key"]}
    partial = _partial(table)
    redundant = []
    for name, index in indexes.items():
        if index["unique"] or index["primary_key"] or name in partial | PREFIX_SEARCHED or not index["columns"]:
            continue
        columns = index["columns"]
        for other_name, other in indexes.items():
            if other_name != name and other_name not in partial and other["columns"][: len(columns)] == columns:
                if len(other["columns"]) > len(columns) or other["unique"] or name.endswith("_like"):
                    redundant.append(f"{table}.{name} {columns} (served by {other_name} {other['columns']})")
                    break
    return redundant


def test_no_index_is_served_by_another():
    redundant = [line for alias, table in _tables() for line in _served_by_another(alias, table)]
    assert redundant == [], "\n".join(redundant)
