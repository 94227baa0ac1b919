"""Received activities are deleted once their keep period has passed (inbox/retention.py): the inbox kept every item
and its payload forever (200,000 rows after half an hour at 120 activities a second)."""

import itertools
from datetime import timedelta

import pytest
from django.conf import settings
from django.db import connections, router
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from fediverse_node.celery import app
from inbox import retention, tasks
from inbox.models import InboxItem, InboxState

pytestmark = pytest.mark.django_db
PEER = "https://peer.example/users/alice"
_numbers = itertools.count(1)


def _item(state: str, *, days_ago: float) -> int:
    number = next(_numbers)
    activity = {"id": f"{PEER}#likes/{number}", "type": "Like", "actor": PEER, "object": "https://x.example/p/1"}
    item = InboxItem.objects.create(activity_id=activity["id"], type="Like", actor_uri=PEER, payload=activity, state=state)
    InboxItem.objects.filter(id=item.id).update(received_at=timezone.now() - timedelta(days=days_ago))
    return item.id


def _left(*ids: int) -> set[int]:
    return set(InboxItem.objects.filter(id__in=ids).values_list("id", flat=True))


def test_processed_and_ignored_items_go_after_the_keep_period_and_the_rest_stays():
    old = [_item(InboxState.PROCESSED, days_ago=15), _item(InboxState.IGNORED, days_ago=15)]
    fresh = [_item(InboxState.PROCESSED, days_ago=13), _item(InboxState.IGNORED, days_ago=1)]
    waiting = _item(InboxState.RECEIVED, days_ago=60)  # never deleted, however old: it has not run yet
    tasks.housekeeping_expire_inbox()
    assert _left(*old, *fresh, waiting) == {*fresh, waiting}


def test_failed_items_stay_until_the_longer_period():
    looked_at = _item(InboxState.FAILED, days_ago=20)  # past the 14 days, within the 30 of failed ones
    old = _item(InboxState.FAILED, days_ago=31)
    processed = _item(InboxState.PROCESSED, days_ago=20)
    tasks.housekeeping_expire_inbox()
    assert _left(looked_at, old, processed) == {looked_at}


def test_the_keep_periods_are_settings(settings):
    settings.FEDINODE_INBOX_KEEP_DAYS, settings.FEDINODE_INBOX_KEEP_FAILED_DAYS = 2, 5
    gone = [_item(InboxState.PROCESSED, days_ago=3), _item(InboxState.FAILED, days_ago=6)]
    kept = [_item(InboxState.PROCESSED, days_ago=1), _item(InboxState.FAILED, days_ago=4)]
    tasks.housekeeping_expire_inbox()
    assert _left(*gone, *kept) == set(kept)


def test_a_statement_deletes_at_most_a_batch_and_runs_go_on_until_everything_is_gone():
    old = [_item(InboxState.PROCESSED, days_ago=20) for _ in range(7)]
    fresh = _item(InboxState.PROCESSED, days_ago=1)
    connection = connections[router.db_for_write(InboxItem)]

    assert retention.items_expired_delete(batch=3, budget=0) == 3  # the budget is spent after one statement
    assert _left(*old) == set(old[3:])
    with CaptureQueriesContext(connection) as queries:
        assert retention.items_expired_delete(batch=3) == 4
    deletes = [q["sql"] for q in queries if q["sql"].lstrip().upper().startswith("DELETE")]
    # two batches of processed items (3, then 1: fewer than a batch, so none is left), one each of the other states
    assert len(deletes) == 4 and all("LIMIT 3" in sql for sql in deletes), deletes
    assert _left(*old, fresh) == {fresh}


def test_a_batch_is_found_by_the_state_index_without_a_scan():
    """The spool's (state, id) index gives each state's oldest items; no index on received_at is needed."""
    connection = connections[router.db_for_write(InboxItem)]
    _item(InboxState.PROCESSED, days_ago=20)
    with CaptureQueriesContext(connection) as queries:
        retention.items_expired_batch_delete(
            state=InboxState.PROCESSED, received_before=timezone.now() - timedelta(days=14), batch=2000
        )
    [sql] = [q["sql"] for q in queries if q["sql"].lstrip().upper().startswith("DELETE")]
    assert InboxItem.objects.count() == 0
    if connection.vendor == "sqlite":  # PostgreSQL plans by its statistics, which an empty table lacks
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}")
            plan = " | ".join(row[3] for row in cursor.fetchall())
            constraints = connection.introspection.get_constraints(cursor, InboxItem._meta.db_table)
        [index] = [name for name, info in constraints.items() if info["index"] and info["columns"] == ["state", "id"]]
        assert f"USING COVERING INDEX {index} (state=?)" in plan, plan
        assert "PRIMARY KEY" in plan and "SCAN" not in plan and "TEMP B-TREE" not in plan, plan


def test_beat_runs_the_task_every_few_minutes_on_the_housekeeping_queue():
    [entry] = [e for e in settings.CELERY_BEAT_SCHEDULE.values() if e["task"] == "inbox.tasks.housekeeping_expire_inbox"]
    assert entry["schedule"] <= 600
    assert app.amqp.router.route({}, "inbox.tasks.housekeeping_expire_inbox")["queue"].name == "housekeeping"
