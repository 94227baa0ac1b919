"""Publishing writes one pending Delivery per distinct remote inbox in the caller's transaction, and queues exactly
those rows once it commits (outbox/services.py), on either back-end."""

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from actors.services.local import organization_create
from outbox import services, tasks
from outbox.models import Delivery, DeliveryState

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def queued(monkeypatch):
    sent: list[list[int]] = []
    monkeypatch.setattr(tasks.deliver, "delay", lambda ids, reserved: sent.append(ids))
    return sent


def _publish(org, number: int, inboxes):
    activity = {"id": f"{org.uri}/activities/{number}", "type": "Create", "actor": org.uri, "to": [org.uri]}
    with transaction.atomic():
        return services.activity_publish(actor=org, activity=activity, inboxes=inboxes)


def test_each_distinct_remote_inbox_gets_one_pending_row_due_now_and_exactly_those_rows_are_queued(queued, settings):
    org = organization_create(username="absender", email="a@example.org", password="absender-pass-1")
    earlier = _publish(org, 1, ["https://alt.example/inbox"])
    queued.clear()
    inboxes = [f"https://peer{i % 300}.example/inbox" for i in range(600)]  # each twice
    inboxes += ["", f"{settings.FEDINODE_BASE_URL}/inbox", "https://peer7.example/inbox"]  # none of these again
    before = timezone.now()
    outgoing = _publish(org, 2, inboxes)
    rows = list(Delivery.objects.filter(activity=outgoing).order_by("pk"))
    assert sorted(row.inbox_url for row in rows) == sorted({f"https://peer{i}.example/inbox" for i in range(300)})
    for row in rows:
        assert (row.state, row.attempts, row.last_error, row.last_status, row.sent_at) == (
            DeliveryState.PENDING, 0, "", None, None)
        assert before - timedelta(seconds=1) <= row.next_attempt_at <= timezone.now()
        assert before - timedelta(seconds=1) <= row.created_at <= timezone.now()
    # the earlier activity's row is neither counted nor queued again
    assert [pk for batch in queued for pk in batch] == [row.pk for row in rows]
    assert Delivery.objects.filter(activity=earlier).count() == 1


def test_a_rolled_back_publication_leaves_no_row_and_queues_nothing(queued):
    org = organization_create(username="absender", email="a@example.org", password="absender-pass-1")
    with pytest.raises(RuntimeError), transaction.atomic():
        services.activity_publish(actor=org, activity={"id": f"{org.uri}/activities/9", "type": "Create"},
                                  inboxes=["https://peer1.example/inbox"])
        raise RuntimeError("the post failed after its deliveries were written")
    assert not Delivery.objects.exists()
    assert queued == []


def test_inbox_urls_a_remote_server_gave_are_stored_as_they_are(queued):
    # inbox URLs come from remote actor documents: characters that mean something in SQL or in an array literal
    # must reach the rows unchanged on both back-ends (PostgreSQL takes them as one text[] parameter)
    org = organization_create(username="absender", email="a@example.org", password="absender-pass-1")
    hostile = [
        'https://peer.example/inbox?a="b",c',
        "https://peer.example/{inbox}",
        "https://peer.example/in\\box",
        "https://peer.example/inbox';DROP TABLE outbox_delivery;--",
        "https://peer.example/posteingang/äöü/NULL",
    ]
    outgoing = _publish(org, 3, hostile)
    assert sorted(Delivery.objects.filter(activity=outgoing).values_list("inbox_url", flat=True)) == sorted(hostile)
    assert len(queued) == 1 and len(queued[0]) == len(hostile)
