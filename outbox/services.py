"""Publishing: store an activity once and one Delivery per distinct remote inbox, in the caller's transaction."""

from collections.abc import Iterable

import orjson
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from actors.models import Actor, FollowState

from .models import Delivery, OutgoingActivity

TASK_BATCH = 50


def _is_local_inbox(url: str) -> bool:
    return url.startswith(settings.FEDINODE_BASE_URL + "/")


def follower_inboxes(actor: Actor) -> set[str]:
    """Delivery inboxes of the actor's accepted remote followers, one per shared inbox."""
    rows = (
        Actor.objects.filter(
            following_set__target=actor, following_set__state=FollowState.ACCEPTED, local=False, deleted=False
        )
        .values_list("shared_inbox_url", "inbox_url")
        .distinct()
    )
    return {shared or inbox for shared, inbox in rows if shared or inbox}


def activity_publish(
    *, actor: Actor, activity: dict, inboxes: Iterable[str], public: bool = False
) -> OutgoingActivity:
    """Record an outgoing activity and queue its deliveries; tasks start once the transaction commits."""
    outgoing = OutgoingActivity.objects.create(
        uri=activity["id"], actor=actor, type=activity["type"], body=orjson.dumps(activity), public=public
    )
    now = timezone.now()
    targets = sorted({url for url in inboxes if url and not _is_local_inbox(url)})
    deliveries = Delivery.objects.bulk_create(
        [Delivery(activity=outgoing, inbox_url=url, next_attempt_at=now) for url in targets]
    )
    ids = [d.pk for d in deliveries]
    if ids:
        transaction.on_commit(lambda: deliveries_enqueue(ids))
    return outgoing


def deliveries_enqueue(ids: list[int]) -> None:
    """Hand delivery ids to the workers in batches (one task carries many deliveries)."""
    from .tasks import deliver

    for start in range(0, len(ids), TASK_BATCH):
        deliver.delay(ids[start : start + TASK_BATCH])
