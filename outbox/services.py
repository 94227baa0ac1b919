"""Publishing: store an activity once and one Delivery per distinct remote inbox, in the caller's transaction."""

from collections.abc import Callable, Iterable

import orjson
from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from actors.models import Actor, Block, FollowState
from actors.services.domains import domain_is_blocked

from .models import Delivery, DeliveryState, OutgoingActivity

TASK_BATCH = 50


def _is_local_inbox(url: str) -> bool:
    return url.startswith(settings.FEDINODE_BASE_URL + "/")


def follower_inboxes(actor: Actor) -> set[str]:
    """Delivery inboxes of the actor's accepted remote followers, one per shared inbox; never one the actor blocks
    (a block ends the follow, this holds should a follow slip through)."""
    rows = (
        Actor.objects.filter(
            following_set__target=actor, following_set__state=FollowState.ACCEPTED, local=False, deleted=False,
            suspended=False,
        )
        .exclude(Exists(Block.objects.filter(actor=actor, target=OuterRef("pk"))))
        .values_list("shared_inbox_url", "inbox_url")
        .distinct()
    )
    return {shared or inbox for shared, inbox in rows if shared or inbox}


def activity_publish(
    *, actor: Actor, activity: dict, inboxes: Iterable[str], public: bool = False
) -> OutgoingActivity:
    """Record an outgoing activity and queue its deliveries (never to a suspended server); tasks start once the
    transaction commits."""
    outgoing = OutgoingActivity.objects.create(
        uri=activity["id"], actor=actor, type=activity["type"], body=orjson.dumps(activity), public=public
    )
    now = timezone.now()
    targets = sorted({url for url in inboxes if url and not _is_local_inbox(url) and not domain_is_blocked(url)})
    deliveries = Delivery.objects.bulk_create(
        [Delivery(activity=outgoing, inbox_url=url, next_attempt_at=now) for url in targets]
    )
    ids = [d.pk for d in deliveries]
    if ids:
        transaction.on_commit(lambda: deliveries_enqueue(ids))
    return outgoing


def activity_forward(*, actor: Actor, activity: dict, inboxes: Iterable[str]) -> OutgoingActivity | None:
    """Forward another server's activity (ActivityPub §7.1.2) under our actor's signature (the author's own HTTP
    signature covered its request to us and cannot be reused); once per activity id, never listed in our outbox."""
    if OutgoingActivity.objects.filter(uri=activity["id"]).exists():
        return None
    return activity_publish(actor=actor, activity=activity, inboxes=inboxes)


def deliveries_enqueue(ids: list[int]) -> None:
    """Hand delivery ids to the workers in batches (one task carries many deliveries)."""
    from .tasks import deliver

    for start in range(0, len(ids), TASK_BATCH):
        deliver.delay(ids[start : start + TASK_BATCH])


def deliveries_stop(*, inbox_matches: Callable[[str], bool], reason: str) -> int:
    """Give up the pending deliveries to the inboxes that match (a server just suspended); how many."""
    pending = Delivery.objects.filter(state=DeliveryState.PENDING).values_list("id", "inbox_url").iterator()
    ids = [pk for pk, url in pending if inbox_matches(url)]
    stopped = 0
    for start in range(0, len(ids), 500):
        stopped += Delivery.objects.filter(id__in=ids[start : start + 500], state=DeliveryState.PENDING).update(
            state=DeliveryState.GIVEN_UP, last_error=reason
        )
    return stopped
