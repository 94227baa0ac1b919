"""The delivery's state graph, one step at a time: a claimed delivery's outcome written for each declared move,
each undeclared move refused, and a worker that lost its delivery to another (or to a stop) answering for none."""

import itertools
from datetime import timedelta

import pytest
from django.utils import timezone

from actors.services.local import organization_create
from fediverse_node.states import TransitionRefused
from outbox.models import DELIVERY_STATES, Delivery, DeliveryState, OutgoingActivity
from outbox.sender import _record, _save, deliveries_claim
from outbox.services import deliveries_stop

pytestmark = pytest.mark.django_db


@pytest.fixture
def delivery():
    org = organization_create(username="absender", email="a@example.org", password="absender-pass-1")
    activity = OutgoingActivity.objects.create(uri=f"{org.uri}/activities/1", actor=org, type="Create", body=b"{}")
    return Delivery.objects.create(activity=activity, inbox_url="https://peer.example/inbox",
                                   next_attempt_at=timezone.now())


@pytest.mark.parametrize(("status", "state"), [
    (503, DeliveryState.PENDING), (202, DeliveryState.SENT), (404, DeliveryState.GIVEN_UP),
])
def test_each_outcome_of_a_claimed_delivery_is_written(delivery, status, state):
    (claimed,) = deliveries_claim([delivery.id])
    _record(claimed, status, "" if status < 400 else f"HTTP {status}")
    assert _save([claimed], {}, {}) == {delivery.id}
    row = Delivery.objects.get(id=delivery.id)
    assert (row.state, row.attempts, row.last_status) == (state, 1, status)
    if state == DeliveryState.PENDING:
        assert row.next_attempt_at > timezone.now()  # retried later: the lease gave way to the back-off


UNDECLARED = [
    pair for pair in itertools.product(DeliveryState.values, repeat=2) if not DELIVERY_STATES.allows(*pair)
]


@pytest.mark.parametrize(("source", "to"), UNDECLARED)
def test_an_undeclared_move_raises_and_writes_nothing(delivery, source, to):
    Delivery.objects.filter(id=delivery.id).update(state=source)
    with pytest.raises(TransitionRefused, match=f"from {source} to {to}"):
        DELIVERY_STATES.move(Delivery.objects.filter(id=delivery.id), source=source, to=to)
    assert Delivery.objects.get(id=delivery.id).state == source


def test_an_outcome_that_is_no_state_raises_before_anything_is_written(delivery):
    (claimed,) = deliveries_claim([delivery.id])
    claimed.state, claimed.attempts = "delivered", 1
    with pytest.raises(TransitionRefused):
        _save([claimed], {}, {})
    row = Delivery.objects.get(id=delivery.id)
    assert (row.state, row.attempts) == (DeliveryState.PENDING, 0)


def test_a_delivery_stopped_while_a_worker_sends_it_stays_given_up(delivery):
    """The server was suspended while the worker held the delivery: the stop wins, the worker answers for none."""
    (claimed,) = deliveries_claim([delivery.id])
    assert deliveries_stop(inbox_matches=lambda url: True, reason="the server is suspended here") == 1
    _record(claimed, 202, "")
    assert _save([claimed], {}, {}) == set()
    row = Delivery.objects.get(id=delivery.id)
    assert (row.state, row.last_error, row.sent_at) == (DeliveryState.GIVEN_UP, "the server is suspended here", None)


def test_a_worker_whose_lease_ran_out_answers_only_for_what_it_wrote(delivery):
    other = Delivery.objects.create(activity=delivery.activity, inbox_url="https://other.example/inbox",
                                    next_attempt_at=timezone.now())
    first = deliveries_claim([delivery.id, other.id])
    Delivery.objects.filter(id=delivery.id).update(next_attempt_at=timezone.now() - timedelta(seconds=1))
    (taken,) = deliveries_claim([delivery.id])  # the sweep hands one of the two to another worker
    _record(taken, 202, "")
    assert _save([taken], {}, {}) == {delivery.id}
    for stale in first:
        _record(stale, 503, "HTTP 503")
    assert _save(first, {}, {}) == {other.id}  # its other delivery is still its own
    assert Delivery.objects.get(id=delivery.id).state == DeliveryState.SENT
    assert Delivery.objects.get(id=other.id).last_status == 503
