"""Publishing: store an activity once and one Delivery per distinct remote inbox, in the caller's transaction."""

from collections.abc import Callable, Iterable

import orjson
from django.conf import settings
from django.db import models, transaction
from django.utils import timezone

from .models import DELIVERY_STATES, Delivery, DeliveryState, OutgoingActivity
from .peers import peer_directory
from .tasks import deliveries_enqueue


def _is_local_inbox(url: str) -> bool:
    return url.startswith(settings.FEDINODE_BASE_URL + "/")


def activity_publish(
    *, actor: models.Model, activity: dict, inboxes: Iterable[str], public: bool = False
) -> OutgoingActivity:
    """Record an outgoing activity and queue its deliveries (never to a suspended server); tasks start once the
    transaction commits. The actor (an `actors.Actor`) signs the deliveries."""
    outgoing = OutgoingActivity.objects.create(
        uri=activity["id"], actor_id=actor.pk, type=activity["type"], body=orjson.dumps(activity), public=public
    )
    now = timezone.now()
    directory = peer_directory()
    targets = sorted({url for url in inboxes if url and not _is_local_inbox(url) and not directory.is_suspended(url)})
    deliveries = Delivery.objects.bulk_create(
        [Delivery(activity=outgoing, inbox_url=url, next_attempt_at=now) for url in targets]
    )
    ids = [d.pk for d in deliveries]
    if ids:
        transaction.on_commit(lambda: deliveries_enqueue(ids))
    return outgoing


def activity_forward(*, actor: models.Model, activity: dict, inboxes: Iterable[str]) -> OutgoingActivity | None:
    """Forward another server's activity (ActivityPub §7.1.2) under our actor's signature (the author's own HTTP
    signature covered its request to us and cannot be reused); once per activity id, never listed in our outbox."""
    if OutgoingActivity.objects.filter(uri=activity["id"]).exists():
        return None
    return activity_publish(actor=actor, activity=activity, inboxes=inboxes)


def deliveries_stop(*, inbox_matches: Callable[[str], bool], reason: str) -> int:
    """Give up the pending deliveries to the inboxes that match (a server just suspended); how many."""
    pending = Delivery.objects.filter(state=DeliveryState.PENDING).values_list("id", "inbox_url").iterator()
    ids = [pk for pk, url in pending if inbox_matches(url)]
    stopped = 0
    for start in range(0, len(ids), 500):
        stopped += _give_up(Delivery.objects.filter(id__in=ids[start : start + 500]), reason)
    return stopped


def deliveries_stop_of(*, actor_id: int, reason: str) -> int:
    """Give up the pending deliveries of an actor's activities (the actor was suspended); how many."""
    return _give_up(Delivery.objects.filter(activity__actor_id=actor_id), reason)


def _give_up(rows, reason: str) -> int:
    """Pending -> given up, whoever holds the rows: a worker sending one meanwhile then finds it no longer
    pending and leaves it (outbox/sender.py writes only on the state it leaves)."""
    return DELIVERY_STATES.move(rows, source=DeliveryState.PENDING, to=DeliveryState.GIVEN_UP, last_error=reason)
