"""Sent and given-up deliveries are deleted once their keep period has passed (outbox/retention.py): one row per
follower inbox per post stayed forever. Pending ones stay. Then the activities as old that no delivery points at:
each kept the JSON sent, a deleted post's text among them."""

import itertools
from datetime import timedelta

import orjson
import pytest
from django.conf import settings
from django.db import connections, router
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from actors.services.local import organization_create
from fediverse_node.celery import app
from outbox import retention, tasks
from outbox.models import Delivery, DeliveryState, OutgoingActivity

pytestmark = pytest.mark.django_db
_numbers = itertools.count(1)


@pytest.fixture
def activity():
    org = organization_create(username="absender", email="a@example.org", password="absender-pass-1")
    body = {"id": f"{org.uri}/activities/1", "type": "Create", "actor": org.uri}
    return OutgoingActivity.objects.create(uri=body["id"], actor=org, type="Create", body=orjson.dumps(body))


def _delivery(activity, state: str, *, days_ago: float) -> int:
    made = timezone.now() - timedelta(days=days_ago)
    delivery = Delivery.objects.create(
        activity=activity, inbox_url=f"https://peer{next(_numbers)}.example/inbox", next_attempt_at=made, state=state,
        sent_at=made if state == DeliveryState.SENT else None,
    )
    Delivery.objects.filter(id=delivery.id).update(created_at=made)
    return delivery.id


def _left(*ids: int) -> set[int]:
    return set(Delivery.objects.filter(id__in=ids).values_list("id", flat=True))


def _sqlite_plan(connection, sql: str, *, table: str, index: str) -> str | None:
    """The index exists; SQLite's plan of `sql`, or None on PostgreSQL (it plans by its statistics, which an empty
    table lacks)."""
    with connection.cursor() as cursor:
        assert index in connection.introspection.get_constraints(cursor, table)
        if connection.vendor != "sqlite":
            return None
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}")
        return " | ".join(row[3] for row in cursor.fetchall())


def test_sent_and_given_up_deliveries_go_after_the_keep_period_and_the_rest_stays(activity):
    old = [_delivery(activity, DeliveryState.SENT, days_ago=15), _delivery(activity, DeliveryState.GIVEN_UP, days_ago=15)]
    fresh = [_delivery(activity, DeliveryState.SENT, days_ago=13), _delivery(activity, DeliveryState.GIVEN_UP, days_ago=1)]
    pending = _delivery(activity, DeliveryState.PENDING, days_ago=30)  # never deleted: it may still be sent
    tasks.housekeeping_expire_deliveries()
    assert _left(*old, *fresh, pending) == {*fresh, pending}
    assert OutgoingActivity.objects.filter(id=activity.id).exists()  # its deliveries are not all gone


def _made(activity, *, days_ago: float):
    OutgoingActivity.objects.filter(id=activity.id).update(created_at=timezone.now() - timedelta(days=days_ago))
    return activity


def _another(activity, number: int, *, days_ago: float):
    body = {"id": f"{activity.actor.uri}/activities/{number}", "type": "Like", "actor": activity.actor.uri}
    made = OutgoingActivity.objects.create(uri=body["id"], actor=activity.actor, type="Like", body=orjson.dumps(body))
    return _made(made, days_ago=days_ago)


def test_an_old_activity_goes_with_its_last_delivery_and_no_sooner(activity):
    delivered = _made(activity, days_ago=15)
    _delivery(delivered, DeliveryState.SENT, days_ago=15)
    still_pending = _another(activity, 2, days_ago=15)
    _delivery(still_pending, DeliveryState.PENDING, days_ago=15)
    recent = _another(activity, 3, days_ago=1)  # its deliveries may not be made yet, or gone to no follower at all
    sent_recently = _another(activity, 4, days_ago=15)
    _delivery(sent_recently, DeliveryState.SENT, days_ago=13)
    tasks.housekeeping_expire_deliveries()
    left = set(OutgoingActivity.objects.values_list("id", flat=True))
    assert left == {still_pending.id, recent.id, sent_recently.id}
    assert Delivery.objects.filter(activity=still_pending).count() == 1  # nothing cascaded to a kept row


def test_activities_go_a_batch_at_a_time_found_by_their_age(activity):
    old = [_made(activity, days_ago=20)] + [_another(activity, n, days_ago=20) for n in range(2, 8)]
    fresh = _another(activity, 9, days_ago=1)
    assert retention.activities_expired_delete(batch=3, budget=0) == 3
    assert retention.activities_expired_delete(batch=3) == 4
    assert set(OutgoingActivity.objects.values_list("id", flat=True)) == {fresh.id}
    assert not OutgoingActivity.objects.filter(id__in=[a.id for a in old]).exists()
    connection = connections[router.db_for_write(OutgoingActivity)]
    with CaptureQueriesContext(connection) as queries:
        retention.activities_expired_delete()
    [sql] = [q["sql"] for q in queries if "outbox_outgoingactivity" in q["sql"].split(" WHERE ")[0]]
    plan = _sqlite_plan(connection, sql, table=OutgoingActivity._meta.db_table, index="outgoing_created")
    assert plan is None or "outbox_outgoingactivity USING COVERING INDEX outgoing_created (created_at<?)" in plan, plan


def test_the_keep_period_is_a_setting(activity, settings):
    settings.FEDINODE_DELIVERY_KEEP_DAYS = 2
    gone = _delivery(activity, DeliveryState.SENT, days_ago=3)
    kept = _delivery(activity, DeliveryState.SENT, days_ago=1)
    tasks.housekeeping_expire_deliveries()
    assert _left(gone, kept) == {kept}


def test_a_statement_deletes_at_most_a_batch_and_runs_go_on_until_everything_is_gone(activity):
    old = [_delivery(activity, DeliveryState.SENT, days_ago=20) for _ in range(7)]
    fresh = _delivery(activity, DeliveryState.SENT, days_ago=1)
    connection = connections[router.db_for_write(Delivery)]

    assert retention.deliveries_expired_delete(batch=3, budget=0) == 3  # the budget is spent after one statement
    assert len(_left(*old)) == 4
    with CaptureQueriesContext(connection) as queries:
        assert retention.deliveries_expired_delete(batch=3) == 4
    deletes = [q["sql"] for q in queries if q["sql"].lstrip().upper().startswith("DELETE")]
    assert len(deletes) == 2 and all("LIMIT 3" in sql for sql in deletes), deletes  # 3, then 1: none is left
    assert _left(*old, fresh) == {fresh}


def test_a_batch_is_found_by_the_state_and_age_index(activity):
    connection = connections[router.db_for_write(Delivery)]
    _delivery(activity, DeliveryState.SENT, days_ago=20)
    with CaptureQueriesContext(connection) as queries:
        retention.deliveries_expired_batch_delete(made_before=timezone.now() - timedelta(days=14), batch=2000)
    [sql] = [q["sql"] for q in queries if q["sql"].lstrip().upper().startswith("DELETE")]
    assert Delivery.objects.count() == 0
    plan = _sqlite_plan(connection, sql, table=Delivery._meta.db_table, index="delivery_state_created")
    if plan is not None:
        assert "USING COVERING INDEX delivery_state_created (state=? AND created_at<?)" in plan, plan
        assert "PRIMARY KEY" in plan and "SCAN" not in plan and "TEMP B-TREE" not in plan, plan


def test_beat_runs_the_task_every_few_minutes_on_the_housekeeping_queue():
    [entry] = [
        e for e in settings.CELERY_BEAT_SCHEDULE.values() if e["task"] == "outbox.tasks.housekeeping_expire_deliveries"
    ]
    assert entry["schedule"] <= 600
    assert app.amqp.router.route({}, "outbox.tasks.housekeeping_expire_deliveries")["queue"].name == "housekeeping"
