"""The delivery sweep queues retries that are due and deliveries whose message was lost, each once for a message
of its own; a delivery that only waits in the queue for a few seconds is left to the message it has."""

from datetime import timedelta

import pytest
from django.utils import timezone

from actors.services.local import organization_create
from outbox import tasks
from outbox.models import Delivery, DeliveryState, OutgoingActivity
from outbox.sender import deliveries_claim

pytestmark = pytest.mark.django_db


@pytest.fixture
def activity():
    org = organization_create(username="absender", email="a@example.org", password="absender-pass-1")
    return OutgoingActivity.objects.create(uri=f"{org.uri}/activities/1", actor=org, type="Create", body=b"{}")


@pytest.fixture
def queued(monkeypatch):
    sent: list[tuple[list[int], str | None]] = []
    monkeypatch.setattr(tasks.deliver, "delay", lambda ids, reserved: sent.append((ids, reserved)))
    return sent


def _delivery(activity, number: int, *, due_seconds_ago: float, attempts: int = 0) -> int:
    return Delivery.objects.create(
        activity=activity, inbox_url=f"https://peer{number}.example/inbox", attempts=attempts,
        next_attempt_at=timezone.now() - timedelta(seconds=due_seconds_ago),
    ).id


def test_a_retry_that_is_due_and_a_lost_message_are_queued_once_each(activity, queued):
    retry = _delivery(activity, 1, due_seconds_ago=1, attempts=2)
    lost = _delivery(activity, 2, due_seconds_ago=30)
    waiting = _delivery(activity, 3, due_seconds_ago=2)  # made 2 s ago: its own message is on its way
    tasks.housekeeping_sweep_deliveries()
    assert [sorted(ids) for ids, _ in queued] == [sorted([retry, lost])]
    tasks.housekeeping_sweep_deliveries()
    assert len(queued) == 1  # reserved for that message: not queued again while it may still come

    assert deliveries_claim([retry, lost]) == []  # another message finds them held
    ids, reservation = queued[0]
    assert reservation and sorted(d.id for d in deliveries_claim(ids, tasks.datetime.fromisoformat(reservation))) == sorted(ids)
    assert [d.id for d in deliveries_claim([waiting])] == [waiting]


def test_a_reservation_whose_message_was_lost_ends_with_its_lease(activity, queued):
    lost = _delivery(activity, 1, due_seconds_ago=30)
    tasks.housekeeping_sweep_deliveries()
    Delivery.objects.filter(id=lost).update(next_attempt_at=timezone.now() - timedelta(seconds=11))
    tasks.housekeeping_sweep_deliveries()
    assert [ids for ids, _ in queued] == [[lost], [lost]] and queued[0][1] != queued[1][1]
    assert Delivery.objects.get(id=lost).state == DeliveryState.PENDING


def test_a_claim_broken_between_its_two_statements_holds_nothing(activity, monkeypatch):
    """The connection breaks after the claim's UPDATE, before its SELECT (test_database_restart.py met this): the
    rows are not left under a lease nobody works on, so the sweep finds them in seconds, not after the lease."""
    from django.db import OperationalError
    from django.db.models import QuerySet

    pending = _delivery(activity, 1, due_seconds_ago=1)
    before = Delivery.objects.get(id=pending).next_attempt_at

    def broken(self, *fields):
        raise OperationalError("terminating connection due to administrator command")

    monkeypatch.setattr(QuerySet, "select_related", broken)
    with pytest.raises(OperationalError):
        deliveries_claim([pending])
    monkeypatch.undo()
    assert Delivery.objects.get(id=pending).next_attempt_at == before


def test_a_claimed_batch_reads_its_activity_and_actor_once(activity):
    """A fan-out's batch delivers one activity to many inboxes: its body and its actor's row (keys and all) are read
    once for the batch, not joined to every delivery."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    ids = [_delivery(activity, number, due_seconds_ago=1) for number in range(20)]
    with CaptureQueriesContext(connection) as queries:
        claimed = deliveries_claim(ids)
    assert sorted(d.id for d in claimed) == sorted(ids)
    assert len({id(d.activity) for d in claimed}) == 1 and claimed[0].activity.actor.username == "absender"
    assert sum("private_key_pem" in query["sql"] for query in queries.captured_queries) == 1
