"""The inbox item's state graph, one step at a time: a claimed item's outcome written for each declared move,
each undeclared move refused, and a worker whose lease ran out writing nothing over the one that took over."""

import itertools
from datetime import timedelta

import orjson
import pytest
from django.utils import timezone

from fediverse_node.states import TransitionRefused
from inbox.models import INBOX_ITEM_STATES, InboxItem, InboxState
from inbox.services import SpoolRow, items_insert
from inbox.tasks import items_claim, items_outcome_save
from tests.factories import remote_actor

pytestmark = pytest.mark.django_db(databases="__all__")


@pytest.fixture
def item():
    peer = remote_actor(host="peer.example")
    activity = {"id": f"{peer.uri}#likes/1", "type": "Like", "actor": peer.uri, "object": "https://x.example/p/1"}
    (pk,) = items_insert([SpoolRow(activity["id"], "Like", peer.uri, orjson.dumps(activity).decode())])
    return InboxItem.objects.get(id=pk)


def outcome(claimed: InboxItem, state: str, *, attempts: int = 1, error: str = "") -> InboxItem:
    claimed.state, claimed.attempts, claimed.error, claimed.processed_at = state, attempts, error, timezone.now()
    return claimed


@pytest.mark.parametrize("state", sorted(to for source, to in INBOX_ITEM_STATES.moves if source == InboxState.RECEIVED))
def test_each_declared_outcome_of_a_claimed_item_is_written(item, state):
    (claimed,), _ = items_claim([item.id])
    assert items_outcome_save([outcome(claimed, state, error="x")]) == 1
    row = InboxItem.objects.get(id=item.id)
    assert (row.state, row.attempts, row.error, row.lease_until) == (state, 1, "x", None)


UNDECLARED = [
    pair for pair in itertools.product(InboxState.values, repeat=2) if not INBOX_ITEM_STATES.allows(*pair)
]


@pytest.mark.parametrize(("source", "to"), UNDECLARED)
def test_an_undeclared_move_raises_and_writes_nothing(item, source, to):
    InboxItem.objects.filter(id=item.id).update(state=source)
    with pytest.raises(TransitionRefused, match=f"from {source} to {to}"):
        INBOX_ITEM_STATES.move(InboxItem.objects.filter(id=item.id), source=source, to=to)
    assert InboxItem.objects.get(id=item.id).state == source


def test_an_outcome_that_is_no_state_raises_before_any_item_of_the_batch_is_written(item):
    peer_uri = item.actor_uri
    (pk,) = items_insert([SpoolRow(f"{peer_uri}#likes/2", "Like", peer_uri, '{"type": "Like"}')])
    first, second = items_claim([item.id, pk])[0]
    with pytest.raises(TransitionRefused):
        items_outcome_save([outcome(first, InboxState.PROCESSED), outcome(second, "done")])
    assert set(InboxItem.objects.values_list("state", flat=True)) == {InboxState.RECEIVED}


def test_a_stale_worker_writes_nothing_over_the_retry_of_the_one_that_took_over(item):
    (first,), _ = items_claim([item.id])
    InboxItem.objects.filter(id=item.id).update(lease_until=timezone.now() - timedelta(seconds=1))
    (second,), _ = items_claim([item.id])
    assert items_outcome_save([outcome(second, InboxState.RECEIVED, attempts=1, error="peer down")]) == 1
    assert items_outcome_save([outcome(first, InboxState.PROCESSED)]) == 0  # its lease is gone with its claim
    row = InboxItem.objects.get(id=item.id)
    assert (row.state, row.error, row.lease_until) == (InboxState.RECEIVED, "peer down", None)
