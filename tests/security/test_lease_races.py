"""Lease races: a worker whose lease on a delivery, an inbox item or a follow ran out must not overwrite what the
worker that took over wrote. Two workers' steps run one at a time here, in the order the race would take."""

from datetime import timedelta

import orjson
import pytest
from django.utils import timezone

from actors.models import Follow, FollowState
from actors.services.follow import follow_accept, follow_confirmed
from actors.services.local import organization_create
from inbox.models import InboxItem, InboxState
from inbox.services import SpoolRow, items_insert
from inbox.tasks import _step, items_claim, items_outcome_save
from outbox.models import Delivery, DeliveryState, OutgoingActivity
from outbox.sender import _record, _save, deliveries_claim
from tests.factories import remote_actor

pytestmark = pytest.mark.django_db(databases="__all__", transaction=True)


def _lease_runs_out(model, pk: int, field: str) -> None:
    """What the clock does to a worker that stalls (a long GC pause, a hung connection): its lease ends."""
    model.objects.filter(pk=pk).update(**{field: timezone.now() - timedelta(seconds=1)})


@pytest.fixture
def delivery():
    org = organization_create(username="sender", email="s@example.org", password="sender-pass-1")
    activity = OutgoingActivity.objects.create(uri=f"{org.uri}#x", actor=org, type="Create", body=b"{}")
    return Delivery.objects.create(activity=activity, inbox_url="https://peer.example/inbox",
                                   next_attempt_at=timezone.now())


def test_a_late_worker_cannot_overwrite_the_delivery_result_of_the_one_that_took_over(delivery):
    (first,) = deliveries_claim([delivery.id])
    _lease_runs_out(Delivery, delivery.id, "next_attempt_at")
    (second,) = deliveries_claim([delivery.id])  # the sweep hands it to another worker
    _record(second, 202, "")
    _save([second], {}, {})
    assert Delivery.objects.get(id=delivery.id).state == DeliveryState.SENT

    _record(first, 503, "HTTP 503")  # the first worker wakes up with its own (older) answer
    _save([first], {}, {})
    row = Delivery.objects.get(id=delivery.id)
    assert (row.state, row.attempts, row.last_status, row.last_error) == (DeliveryState.SENT, 1, 202, "")


def test_a_worker_within_its_lease_writes_its_result(delivery):
    """The control: the same steps without the stall record the result."""
    (only,) = deliveries_claim([delivery.id])
    assert deliveries_claim([delivery.id]) == []  # held: nobody else takes it meanwhile
    _record(only, 503, "HTTP 503")
    _save([only], {}, {})
    row = Delivery.objects.get(id=delivery.id)
    assert (row.state, row.attempts, row.last_status) == (DeliveryState.PENDING, 1, 503)


@pytest.fixture
def inbox_item():
    peer = remote_actor(host="peer.example")
    organization_create(username="ziel", email="z@example.org", password="ziel-pass-123")
    activity = {"id": f"{peer.uri}#likes/1", "type": "Like", "actor": peer.uri, "object": "https://x.example/p/1"}
    (pk,) = items_insert([SpoolRow(activity["id"], "Like", peer.uri, orjson.dumps(activity).decode())])
    return InboxItem.objects.get(id=pk)


def test_a_late_worker_cannot_overwrite_the_inbox_outcome_of_the_one_that_took_over(inbox_item):
    (first,), _ = items_claim([inbox_item.id])
    assert items_claim([inbox_item.id])[0] == []  # held: nobody else takes it meanwhile
    _lease_runs_out(InboxItem, inbox_item.id, "lease_until")
    (second,), _ = items_claim([inbox_item.id])
    _step(second)
    second.processed_at = timezone.now()
    assert items_outcome_save([second]) == 1
    done = InboxItem.objects.get(id=inbox_item.id)
    assert done.state == InboxState.IGNORED and done.lease_until is None

    first.state, first.error, first.attempts = InboxState.FAILED, "stale worker", 5
    first.processed_at = timezone.now()
    assert items_outcome_save([first]) == 0  # logged and left alone
    row = InboxItem.objects.get(id=inbox_item.id)
    assert (row.state, row.error, row.attempts) == (done.state, done.error, done.attempts)


def test_the_sweep_leaves_an_item_a_live_worker_holds(inbox_item, monkeypatch):
    from inbox import tasks

    InboxItem.objects.filter(id=inbox_item.id).update(received_at=timezone.now() - timedelta(minutes=5))
    items_claim([inbox_item.id])
    queued: list[list[int]] = []
    monkeypatch.setattr(tasks.process_items, "delay", lambda ids, reserved: queued.append(ids))
    tasks.housekeeping_sweep_inbox()
    assert queued == []
    _lease_runs_out(InboxItem, inbox_item.id, "lease_until")
    tasks.housekeeping_sweep_inbox()
    assert queued == [[inbox_item.id]]


def test_a_follow_accepted_twice_is_accepted_once():
    """Two workers handle the same Follow (a repeated delivery): the second finds it accepted and changes nothing,
    no second notification, no second Accept."""
    org = organization_create(username="ziel", email="z@example.org", password="ziel-pass-123")
    peer = remote_actor(host="peer.example")
    follow = Follow.objects.create(follower=peer, target=org, uri=f"{peer.uri}#follows/1")
    stale_copy = Follow.objects.get(id=follow.id)  # what the second worker read before the first one wrote
    follow_accept(follow=follow)
    accepts = OutgoingActivity.objects.filter(type="Accept").count()
    follow_accept(follow=stale_copy)
    assert OutgoingActivity.objects.filter(type="Accept").count() == accepts == 1
    assert org.notifications.filter(type="follow").count() == 1
    assert Follow.objects.get(id=follow.id).state == FollowState.ACCEPTED


def test_an_accept_for_a_follow_that_was_undone_meanwhile_changes_nothing():
    org = organization_create(username="fan", email="f@example.org", password="fan-pass-1234")
    peer = remote_actor(host="peer.example")
    follow = Follow.objects.create(follower=org, target=peer, uri=f"{org.uri}#follows/1")
    Follow.objects.filter(id=follow.id).delete()  # undone by the member while the peer's Accept was on its way
    follow_confirmed(follow=follow)
    assert not Follow.objects.filter(follower=org, target=peer).exists()
