"""The spool keeps each activity's JSON as text on PostgreSQL (inbox/models/inbox_item.py JSONText): the migration
turns the earlier `jsonb` column into text without losing a row, and both ways through it read what was written."""

import json

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from inbox.models import InboxItem
from inbox.services import SpoolRow, items_insert
from inbox.tasks import items_claim
from tests.database_cut import postgres_only

pytestmark = [postgres_only]

ACTIVITY = {"id": "https://peer.example/a/1", "type": "Like", "actor": "https://peer.example/u/x",
            "object": "https://here.example/p/1", "content": "ä € 𝄞 \\\" <b>", "n": [1, 2.5, None, True]}


def _column_type() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT data_type FROM information_schema.columns "
                       "WHERE table_name = 'inbox_inboxitem' AND column_name = 'payload'")
        return cursor.fetchone()[0]


def _migrate(target: str) -> None:
    executor = MigrationExecutor(connection)
    executor.migrate([("inbox", target)])


@pytest.mark.django_db(transaction=True)
def test_a_row_stored_as_jsonb_is_read_back_after_the_column_became_text():
    assert _column_type() == "text"
    try:
        _migrate("0004_served_indexes_dropped")
        assert _column_type() == "jsonb"
        with connection.cursor() as cursor:  # as the earlier release wrote it
            cursor.execute(
                "INSERT INTO inbox_inboxitem (activity_id, type, actor_uri, payload, state, attempts, error, received_at)"
                " VALUES (%s, 'Like', %s, %s::jsonb, 'received', 0, '', now()) RETURNING id",
                [ACTIVITY["id"], ACTIVITY["actor"], json.dumps(ACTIVITY)],
            )
            (pk,) = cursor.fetchone()
    finally:
        _migrate("0005_payload_as_text")
    assert _column_type() == "text"
    assert InboxItem.objects.get(id=pk).payload == ACTIVITY
    (item,), _ = items_claim([pk])
    assert item.payload == ACTIVITY
    # The rewrite with a row in it left the table's size in the planner's statistics (a page, a row), which the
    # flush after this test keeps: later tests of this database would be planned from them (tests/inbox/
    # test_drain_plan.py was). Emptied and vacuumed, the table is sized as an empty one again.
    InboxItem.objects.all().delete()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM inbox_inboxitem")


@pytest.mark.django_db
def test_the_spools_insert_and_claim_and_the_orm_agree_on_the_text():
    raw = '{"id": "https://peer.example/a/2", "type": "Like", "object": "x", "content": "\\u00e4 \\ud834\\udd1e"}'
    (pk,) = items_insert([SpoolRow("https://peer.example/a/2", "Like", "https://peer.example/u/x", raw)])
    expected = {"id": "https://peer.example/a/2", "type": "Like", "object": "x", "content": "ä 𝄞"}
    assert InboxItem.objects.get(id=pk).payload == expected
    (item,), _ = items_claim([pk])
    assert item.payload == expected
    made = InboxItem.objects.create(activity_id="https://peer.example/a/3", type="Like",
                                    actor_uri="https://peer.example/u/x", payload=ACTIVITY)
    assert InboxItem.objects.get(id=made.id).payload == ACTIVITY
