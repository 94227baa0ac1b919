"""A backlog's drain (inbox/tasks.py _untried_oldest) reads the items no run has tried, in the order of the index
that holds only those (inbox_untried), and the sweep (_lost_or_due) the received ones in the order of (state, id),
however many ended items the table keeps for the replay guard. PostgreSQL had picked bitmap scans, which read every
index entry its vacuum has not cleared yet (one per item run since), on every call: 220 ms a drain and 320 ms a
sweep after 20 minutes of a soak (docs/benchmarks.md, session 22). An ordered scan marks them dead on its way and
stops after a batch."""

import contextlib
from datetime import timedelta

import pytest
from django.db import connections, router
from django.utils import timezone

from inbox import tasks
from inbox.models import InboxItem, InboxState
from tests.plans import indexes_used, most_read, node_types, plans_as_run, queue_plan

pytestmark = pytest.mark.django_db(databases="__all__", transaction=True)

ENDED, WAITING = 1500, 60


def _items_after_runs() -> list[int]:
    """ENDED items run to their end and WAITING untried ones (ids in order)."""
    InboxItem.objects.bulk_create([
        InboxItem(activity_id=f"https://peer.example/likes/{n}", type="Like", actor_uri="https://peer.example/u",
                  payload={"type": "Like"})
        for n in range(ENDED + WAITING)
    ])
    ids = sorted(InboxItem.objects.values_list("id", flat=True))
    # each run to its end leaves its item's received version behind, until PostgreSQL's vacuum clears it
    InboxItem.objects.filter(id__in=ids[:ENDED]).update(state=InboxState.PROCESSED, processed_at=timezone.now())
    return ids


def test_the_drain_reads_the_untried_items_through_their_own_index():
    ids = _items_after_runs()
    query = tasks._untried_oldest(timezone.now())
    assert [pk for pk, _ in query] == ids[ENDED:]
    plan = queue_plan(query)
    if isinstance(plan, dict):
        assert node_types(plan) == {"Limit", "Index Scan"} and indexes_used(plan) == {"inbox_untried"}, plan
        assert most_read(plan) <= WAITING, plan
    else:  # SQLite keeps no dead entries: the (state, id) range of received items holds the waiting ones
        assert plan.startswith("SEARCH inbox_inboxitem USING INDEX") and "TEMP B-TREE" not in plan, plan


def test_the_sweep_reads_the_received_items_in_order():
    ids = _items_after_runs()
    later = timezone.now() + timedelta(hours=1)  # every waiting item counts as lost by then
    query = tasks._lost_or_due(later, tasks._lost_if_received_before(later))
    assert list(query) == ids[ENDED:]
    plan = queue_plan(query)
    if isinstance(plan, dict):
        assert node_types(plan) == {"Limit", "Index Scan"}, plan
        assert most_read(plan) <= WAITING, plan
    else:
        assert plan.startswith("SEARCH inbox_inboxitem USING INDEX") and "TEMP B-TREE" not in plan, plan


def test_the_sweep_finds_the_newest_ended_item_without_reading_the_table():
    """The sweep asks for the newest item of each end state; most states have none. Prepared after its fifth run,
    the lookup had a generic plan that walked the whole table backwards for such a state."""
    ids = _items_after_runs()  # none ignored, none failed
    newest_run = InboxItem.objects.get(id=ids[ENDED - 1])
    database = connections[router.db_for_read(InboxItem)]
    if database.vendor == "postgresql":  # the statistics of a node in service (autovacuum's ANALYZE)
        with database.cursor() as cursor:
            cursor.execute("ANALYZE inbox_inboxitem")
    with plans_as_run(database.alias) if database.vendor == "postgresql" else contextlib.nullcontext([]) as plans:
        for _sweep in range(6):  # beat runs it every few seconds, on a worker's kept connection
            tasks._items_lost_or_due(timezone.now())
    assert tasks._latest_run_item() == (newest_run.received_at, newest_run.processed_at)
    lookups = [plan for statement, plan in plans if "ORDER BY" in statement and "DESC LIMIT 1" in statement]
    assert len(lookups) == (18 if database.vendor == "postgresql" else 0), plans
    assert all(most_read(plan) <= WAITING + 1 for plan in lookups), max(lookups, key=most_read)
