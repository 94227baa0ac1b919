"""The inbox sweep runs again what a lost message left behind, and nothing that only waits in a moving queue: it
re-queued whatever still waited after 10 s, every 5 s, and a long queue filled with its copies (the soak in
docs/benchmarks.md fell behind on them)."""

from datetime import timedelta

import orjson
import pytest
from django.db import InterfaceError, OperationalError
from django.utils import timezone

from actors.services.local import organization_create
from inbox import tasks
from inbox.models import InboxItem, InboxState
from inbox.services import SpoolRow, items_insert
from tests.database_cut import cut_when_waiting_on, postgres_only
from tests.factories import remote_actor

pytestmark = pytest.mark.django_db(databases="__all__", transaction=True)


@pytest.fixture
def peer():
    organization_create(username="ziel", email="z@example.org", password="ziel-pass-123")
    return remote_actor(host="peer.example")


@pytest.fixture
def queued(monkeypatch):
    """The messages the sweep sends: (ids, reservation)."""
    sent: list[tuple[list[int], str]] = []
    monkeypatch.setattr(tasks.process_items, "delay", lambda ids, reserved: sent.append((ids, reserved)))
    return sent


def _like(peer, number: int, *, seconds_ago: float) -> int:
    activity = {"id": f"{peer.uri}#likes/{number}", "type": "Like", "actor": peer.uri, "object": "https://x.example/p/1"}
    (pk,) = items_insert([SpoolRow(activity["id"], "Like", peer.uri, orjson.dumps(activity).decode())])
    InboxItem.objects.filter(id=pk).update(received_at=timezone.now() - timedelta(seconds=seconds_ago))
    return pk


def _ran(pk: int, *, seconds_ago: float) -> None:
    """A worker ran the item to its end that long ago."""
    InboxItem.objects.filter(id=pk).update(state=InboxState.PROCESSED, processed_at=timezone.now() - timedelta(seconds=seconds_ago))


def test_an_item_waiting_in_a_queue_that_moves_is_left_to_its_message(peer, queued):
    waiting = _like(peer, 1, seconds_ago=20)
    just_run = _like(peer, 2, seconds_ago=15)  # the workers are at items received 15 s ago: 5 s behind "waiting"
    _ran(just_run, seconds_ago=0.5)
    tasks.housekeeping_sweep_inbox()
    assert queued == []
    assert InboxItem.objects.get(id=waiting).lease_until is None


def test_an_item_the_queue_passed_over_is_queued_once_for_its_own_message(peer, queued):
    lost = _like(peer, 1, seconds_ago=30)
    later = _like(peer, 2, seconds_ago=5)  # received 25 s after "lost", and run already
    _ran(later, seconds_ago=1)
    tasks.housekeeping_sweep_inbox()
    assert [ids for ids, _ in queued] == [[lost]]
    tasks.housekeeping_sweep_inbox()  # five seconds on: it is reserved for that message, not queued again
    assert len(queued) == 1

    tasks.items_run([lost])  # the original message, had it come late after all, finds it held
    assert InboxItem.objects.get(id=lost).state == InboxState.RECEIVED
    ids, reservation = queued[0]
    tasks.process_items(ids, reservation)  # the sweep's message takes it
    item = InboxItem.objects.get(id=lost)
    assert item.lease_until is None and item.attempts == 1


def test_items_are_queued_again_when_nothing_has_run_for_a_while(peer, queued):
    """No worker ran anything for 10 s: the waiting items' messages are gone (or no worker runs): queue them."""
    earlier = _like(peer, 1, seconds_ago=120)
    _ran(earlier, seconds_ago=60)
    waiting = [_like(peer, n, seconds_ago=15) for n in range(2, 5)]
    fresh = _like(peer, 5, seconds_ago=1)
    tasks.housekeeping_sweep_inbox()
    assert [ids for ids, _ in queued] == [waiting]
    assert InboxItem.objects.get(id=fresh).lease_until is None


def test_a_reservation_whose_message_was_lost_too_ends_with_its_lease(peer, queued):
    lost = _like(peer, 1, seconds_ago=30)
    tasks.housekeeping_sweep_inbox()
    assert [ids for ids, _ in queued] == [[lost]]
    InboxItem.objects.filter(id=lost).update(lease_until=timezone.now() - timedelta(seconds=1))
    tasks.housekeeping_sweep_inbox()
    assert [ids for ids, _ in queued] == [[lost], [lost]]
    assert queued[0][1] != queued[1][1]  # a new reservation: the first message, should it come, takes nothing


def test_a_task_under_a_backlog_runs_the_waiting_items_too_however_young(peer, queued):
    """Its own items first, then, while the oldest waiting item has waited longer than tasks.WAITING, the waiting
    items oldest first, the young ones too (taking only the old ones kept the backlog alive: the soak settled two
    seconds behind); never an item the sweep reserved for another message."""
    backlog = [_like(peer, n, seconds_ago=60 - n) for n in range(1, 4)]
    reserved_elsewhere = _like(peer, 4, seconds_ago=50)
    InboxItem.objects.filter(id=reserved_elsewhere).update(lease_until=timezone.now() + timedelta(minutes=5))
    fresh = _like(peer, 5, seconds_ago=0)
    own = _like(peer, 6, seconds_ago=0)
    tasks.process_items([own])
    states = dict(InboxItem.objects.values_list("id", "attempts"))
    assert [states[pk] for pk in [own, *backlog, fresh]] == [1, 1, 1, 1, 1]
    assert states[reserved_elsewhere] == 0


def test_without_a_backlog_a_task_leaves_the_young_items_to_their_own_messages(peer, queued):
    young = [_like(peer, n, seconds_ago=1) for n in range(1, 4)]
    own = _like(peer, 4, seconds_ago=0)
    tasks.process_items([own])
    states = dict(InboxItem.objects.values_list("id", "attempts"))
    assert states[own] == 1
    assert [states[pk] for pk in young] == [0, 0, 0]


@postgres_only
def test_a_batch_cut_off_from_its_database_lets_its_items_go_at_once(peer):
    """They were held under the claim's lease (5 minutes) after a database restart; now the sweep takes them at once."""
    pk = _like(peer, 1, seconds_ago=30)
    with cut_when_waiting_on("actors_actor") as cut, pytest.raises((OperationalError, InterfaceError)):
        tasks.items_run([pk])  # claimed; then the handler's read of the actor loses its connection
    assert cut, "no connection was cut: the test would prove nothing"
    item = InboxItem.objects.get(id=pk)
    assert (item.state, item.lease_until) == (InboxState.RECEIVED, None)
    tasks.items_run([pk])  # the sweep's message: the item runs to its end (the liked post is not here: set aside)
    assert InboxItem.objects.get(id=pk).state == InboxState.IGNORED
