"""The delivery sweep (outbox/tasks.py) reads the pending deliveries in the order of (state, next_attempt_at),
however many have been sent since the last vacuum. Each sent row leaves its pending version's index entry behind;
PostgreSQL had picked a bitmap scan of two ranges of that index, which read every such entry twice on every sweep
(31,656 entries for no row after 10 minutes of a soak at 83 deliveries/s, docs/benchmarks.md session 23). An ordered
scan marks them dead on its way, and reads one range; the index of next_attempt_at alone, which
PostgreSQL read with statistics taken before the fan-outs, every sent row included, is gone."""

from datetime import timedelta

import pytest
from django.db import connections, router
from django.utils import timezone

from actors.services.local import organization_create
from outbox import tasks
from outbox.models import Delivery, DeliveryState, OutgoingActivity
from tests.plans import indexes_used, most_read, node_types, plans_as_run, queue_plan

pytestmark = pytest.mark.django_db(databases="__all__", transaction=True)

SENT, RETRIES, LOST, QUEUED = 1500, 20, 20, 20


def _deliveries_after_fan_outs(analysed_when: str) -> dict[str, list[int]]:
    """SENT deliveries sent, then RETRIES due for a retry, LOST whose message is late, QUEUED whose message may
    still come: ids by kind."""
    if analysed_when == "empty":
        _analyse()
    org = organization_create(username="absender", email="a@example.org", password="absender-pass-1")
    activity = OutgoingActivity.objects.create(uri=f"{org.uri}/activities/1", actor=org, type="Create", body=b"{}")
    now = timezone.now()
    kinds = {"sent": (SENT, 60, 0), "retry": (RETRIES, 1, 2), "lost": (LOST, 30, 0), "queued": (QUEUED, 2, 0)}
    ids: dict[str, list[int]] = {}
    number = 0
    for kind, (count, seconds_ago, attempts) in kinds.items():
        rows = []
        for _ in range(count):
            number += 1
            rows.append(Delivery(activity=activity, inbox_url=f"https://peer{number}.example/inbox",
                                 attempts=attempts, next_attempt_at=now - timedelta(seconds=seconds_ago)))
        ids[kind] = [row.id for row in Delivery.objects.bulk_create(rows)]
        if kind == "sent":
            # each delivery sent leaves its pending version behind, until PostgreSQL's vacuum clears it
            Delivery.objects.filter(id__in=ids["sent"]).update(state=DeliveryState.SENT, sent_at=now)
            if analysed_when == "sent":
                _analyse()
    return ids


def _analyse() -> None:
    database = connections[router.db_for_write(Delivery)]
    if database.vendor == "postgresql":
        with database.cursor() as cursor:
            cursor.execute("ANALYZE outbox_delivery")


@pytest.mark.parametrize("analysed_when", ["never", "empty", "sent"])
def test_the_sweep_reads_the_pending_deliveries_in_order(monkeypatch, analysed_when):
    ids = _deliveries_after_fan_outs(analysed_when)
    queued: list[int] = []
    monkeypatch.setattr(tasks.deliver, "delay", lambda batch, reserved: queued.extend(batch))
    database = connections[router.db_for_read(Delivery)]
    if database.vendor != "postgresql":  # SQLite keeps no dead entries; one range of the index, no sort
        plan = queue_plan(tasks._lost_or_due(timezone.now()))
        assert isinstance(plan, str) and plan.startswith("SEARCH outbox_delivery USING INDEX") and "TEMP B-TREE" not in plan, plan
        tasks.housekeeping_sweep_deliveries()
    else:
        # beat runs the sweep every few seconds: from its sixth run on, the prepared statement's plan is settled
        # (fediverse_node/settings.py, prepare_threshold); a run after the first finds the rows reserved, but
        # reads the index as every run does
        with plans_as_run(database.alias) as plans:
            for _run in range(6):
                tasks.housekeeping_sweep_deliveries()
        reads = [plan for statement, plan in plans if "ORDER BY" in statement and "LIMIT" in statement]
        assert len(reads) == 6, plans
        for plan in reads:
            assert node_types(plan) == {"Limit", "Index Scan"}, plan
            assert indexes_used(plan) == {Delivery._meta.indexes[0].name}, plan
            assert most_read(plan) <= RETRIES + LOST + QUEUED, plan
    assert sorted(queued) == sorted(ids["retry"] + ids["lost"])
