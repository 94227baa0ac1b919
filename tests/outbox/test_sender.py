"""Sending deliveries over real HTTP to a loopback inbox: double-knocking, back-off, giving up, claiming."""

from datetime import timedelta

import orjson
import pytest
from django.db import InterfaceError, OperationalError
from django.utils import timezone

from actors.models import Domain
from actors.services.local import organization_create
from outbox.models import Delivery, DeliveryState, OutgoingActivity
from outbox.sender import deliveries_send
from tests.database_cut import cut_when_waiting_on, postgres_only
from tests.nodes import free_loopback_address

pytestmark = pytest.mark.django_db


@pytest.fixture
def activity():
    org = organization_create(username="absender", email="a@example.org", password="absender-pass-1")
    body = {"id": f"{org.uri}/activities/1", "type": "Create", "actor": org.uri}
    return OutgoingActivity.objects.create(uri=body["id"], actor=org, type="Create", body=orjson.dumps(body))


def deliveries(activity, *urls: str) -> list[int]:
    now = timezone.now()
    return [Delivery.objects.create(activity=activity, inbox_url=url, next_attempt_at=now).pk for url in urls]


def test_sent_with_rfc9421_first_and_the_scheme_is_remembered(inbox, activity):
    ids = deliveries(activity, f"{inbox.base}/a/inbox", f"{inbox.base}/b/inbox")
    assert deliveries_send(ids) == {ids[0]: DeliveryState.SENT, ids[1]: DeliveryState.SENT}
    assert len(inbox.requests) == 2 and all("Signature-Input" in headers for _, headers in inbox.requests)
    assert Domain.objects.get(name=inbox.base.split("//")[1]).signature_scheme == "rfc9421"
    row = Delivery.objects.get(pk=ids[0])
    assert row.attempts == 1 and row.last_status == 202 and row.sent_at is not None


def test_double_knock_falls_back_to_cavage_and_then_goes_straight_to_it(inbox, activity):
    first = deliveries(activity, f"{inbox.base}/cavage-only/1")
    assert deliveries_send(first) == {first[0]: DeliveryState.SENT}
    assert [("Signature-Input" in h, "Signature" in h) for _, h in inbox.requests] == [(True, True), (False, True)]
    assert Domain.objects.get(name=inbox.base.split("//")[1]).signature_scheme == "cavage"
    inbox.requests.clear()
    second = deliveries(activity, f"{inbox.base}/cavage-only/2")
    assert deliveries_send(second) == {second[0]: DeliveryState.SENT}
    assert len(inbox.requests) == 1 and "Signature-Input" not in inbox.requests[0][1]


@pytest.mark.parametrize("status", [500, 503, 429])
def test_a_temporary_failure_is_retried_later_with_back_off(inbox, activity, status):
    ids = deliveries(activity, f"{inbox.base}/status/{status}/inbox")
    assert deliveries_send(ids) == {ids[0]: DeliveryState.PENDING}
    row = Delivery.objects.get(pk=ids[0])
    assert row.attempts == 1 and row.last_status == status and row.next_attempt_at > timezone.now()
    assert deliveries_send(ids) == {}  # not due yet: nobody takes it
    Delivery.objects.filter(pk=ids[0]).update(next_attempt_at=timezone.now())
    deliveries_send(ids)
    second = Delivery.objects.get(pk=ids[0])
    assert second.attempts == 2
    first_wait = row.next_attempt_at - row.created_at
    assert second.next_attempt_at - timezone.now() > first_wait  # exponential: the wait grows


@pytest.mark.parametrize("status", [400, 403, 404, 410, 422])
def test_a_final_refusal_gives_up_at_once(inbox, activity, status):
    ids = deliveries(activity, f"{inbox.base}/status/{status}/inbox")
    assert deliveries_send(ids) == {ids[0]: DeliveryState.GIVEN_UP}
    assert Delivery.objects.get(pk=ids[0]).last_error == f"HTTP {status}"


def test_an_unreachable_inbox_is_retried_and_old_deliveries_are_given_up(activity, settings):
    host, port = free_loopback_address()  # nothing listens there
    ids = deliveries(activity, f"http://{host}:{port}/inbox")
    assert deliveries_send(ids) == {ids[0]: DeliveryState.PENDING}
    assert "cannot deliver" in Delivery.objects.get(pk=ids[0]).last_error
    old = timezone.now() - timedelta(seconds=settings.FEDINODE_DELIVERY_GIVE_UP_AFTER + 60)
    Delivery.objects.filter(pk=ids[0]).update(created_at=old, next_attempt_at=timezone.now())
    assert deliveries_send(ids) == {ids[0]: DeliveryState.GIVEN_UP}


def test_a_delivery_claimed_by_another_worker_or_already_sent_is_not_sent_again(inbox, activity):
    leased, sent = deliveries(activity, f"{inbox.base}/x/inbox", f"{inbox.base}/y/inbox")
    Delivery.objects.filter(pk=leased).update(next_attempt_at=timezone.now() + timedelta(minutes=5))
    Delivery.objects.filter(pk=sent).update(state=DeliveryState.SENT)
    assert deliveries_send([leased, sent]) == {}
    assert inbox.requests == []


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_a_batch_cut_off_from_its_database_lets_its_deliveries_go_at_once(inbox, activity):
    """They were held under the claim's lease (5 minutes) after a database restart, and reached their inboxes
    only then (tests/federation/test_database_restart.py waited in vain for them)."""
    ids = deliveries(activity, f"{inbox.base}/a/inbox")
    with cut_when_waiting_on("actors_domain") as cut, pytest.raises((OperationalError, InterfaceError)):
        deliveries_send(ids)  # claimed; then the read of the peer's signature scheme loses its connection
    assert cut, "no connection was cut: the test would prove nothing"
    row = Delivery.objects.get(pk=ids[0])
    assert (row.state, row.attempts) == (DeliveryState.PENDING, 0) and row.next_attempt_at <= timezone.now()
    assert deliveries_send(ids) == {ids[0]: DeliveryState.SENT}  # the next message (the sweep's) takes it
