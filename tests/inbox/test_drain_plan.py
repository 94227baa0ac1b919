"""A backlog's drain (inbox/tasks.py _untried_oldest) reads the items no run has tried, in the order of the index
that holds only those (inbox_untried), and the sweep (_lost_or_due) the received ones in the order of (state, id),
however many ended items the table keeps for the replay guard. PostgreSQL had picked bitmap scans, which read every
index entry its vacuum has not cleared yet (one per item run since), on every call: 220 ms a drain and 320 ms a
sweep after 20 minutes of a soak (docs/benchmarks.md, session 22). An ordered scan marks them dead on its way and
stops after a batch."""

from datetime import timedelta

import pytest
from django.db import connections, router
from django.utils import timezone

from fediverse_node.postgresql.scans import ordered_index_scans
from inbox import tasks
from inbox.models import InboxItem, InboxState
from tests.plans import settled_plan

pytestmark = pytest.mark.django_db(databases="__all__", transaction=True)

ENDED, WAITING = 1500, 60


def _most_read(plan: dict) -> int:
    """The most rows any node of the plan read: returned, and removed by its filter or recheck, over its loops."""
    own = (plan["Actual Rows"] + plan.get("Rows Removed by Filter", 0)
           + plan.get("Rows Removed by Index Recheck", 0)) * plan["Actual Loops"]
    return max([own, *(_most_read(child) for child in plan.get("Plans", []))])


def _node_types(plan: dict) -> set[str]:
    return {plan["Node Type"]}.union(*(_node_types(child) for child in plan.get("Plans", [])))


def _indexes(plan: dict) -> set[str]:
    own = {plan["Index Name"]} if "Index Name" in plan else set()
    return own.union(*(_indexes(child) for child in plan.get("Plans", [])))


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


def _plan_as_run(query) -> dict | str:
    """PostgreSQL's settled plan of the query as the drain and the sweep run it; SQLite's query plan as text."""
    sql, params = query.query.sql_with_params()
    database = connections[router.db_for_read(InboxItem)]
    if database.vendor == "postgresql":
        with ordered_index_scans(database.alias):
            return settled_plan(sql, list(params))
    with database.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        return " | ".join(str(row[-1]) for row in cursor.fetchall())


def test_the_drain_reads_the_untried_items_through_their_own_index():
    ids = _items_after_runs()
    query = tasks._untried_oldest(timezone.now())
    assert [pk for pk, _ in query] == ids[ENDED:]
    plan = _plan_as_run(query)
    if isinstance(plan, dict):
        assert _node_types(plan) == {"Limit", "Index Scan"} and _indexes(plan) == {"inbox_untried"}, plan
        assert _most_read(plan) <= WAITING, plan
    else:  # SQLite keeps no dead entries: the (state, id) range of received items holds the waiting ones
        assert plan.startswith("SEARCH inbox_inboxitem USING INDEX") and "TEMP B-TREE" not in plan, plan


def test_the_sweep_reads_the_received_items_in_order():
    ids = _items_after_runs()
    later = timezone.now() + timedelta(hours=1)  # every waiting item counts as lost by then
    query = tasks._lost_or_due(later)
    assert list(query) == ids[ENDED:]
    plan = _plan_as_run(query)
    if isinstance(plan, dict):
        assert _node_types(plan) == {"Limit", "Index Scan"}, plan
        assert _most_read(plan) <= WAITING, plan
    else:
        assert plan.startswith("SEARCH inbox_inboxitem USING INDEX") and "TEMP B-TREE" not in plan, plan
