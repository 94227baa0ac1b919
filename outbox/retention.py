"""Deliveries are not kept forever: beat's housekeeping_expire_deliveries deletes the sent and given-up ones made more
than FEDINODE_DELIVERY_KEEP_DAYS ago (why by created_at: the settings). A pending delivery is never deleted. The end
states are final (no move of DELIVERY_STATES leaves them), so a deleted row is never one a worker still holds.

Then the activities (OutgoingActivity) made as long ago that no delivery points at any more: each kept the JSON
sent, a deleted post's text among them. Nothing else reads them: the outbox is rendered from the posts as they are
now, and a new delivery is only ever made with a new activity. activity_forward's "once per activity id" then holds
for the keep period, beyond the inbox's own guard against a copy received again (FEDINODE_INBOX_KEEP_DAYS).

In batches: each DELETE takes at most BATCH rows and commits on its own, so the write lock (on SQLite the main
database's) is held for one batch at a time, and a run stops after BUDGET seconds; the next run goes on. The rows are
found by the (state, created_at) index."""

import time
from collections.abc import Callable
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Exists, OuterRef
from django.utils import timezone

from .models import Delivery, DeliveryState, OutgoingActivity

BATCH = 2000
BUDGET = 2.0  # seconds a run deletes for
PAUSE = 0.02  # between two batches: writers waiting for the lock go first
ENDED = (DeliveryState.SENT, DeliveryState.GIVEN_UP)


def deliveries_expired_delete(*, now: datetime | None = None, batch: int = BATCH, budget: float = BUDGET) -> int:
    """Delete the sent and given-up deliveries whose keep period has passed, a batch at a time, until none is left or
    the budget is spent; how many were deleted."""
    return _in_batches(deliveries_expired_batch_delete, now=now, batch=batch, budget=budget)


def deliveries_expired_batch_delete(*, made_before: datetime, batch: int) -> int:
    """One DELETE of at most `batch` sent or given-up deliveries made before `made_before`."""
    expired = Delivery.objects.filter(state__in=ENDED, created_at__lt=made_before).values("id")[:batch]
    deleted, _ = Delivery.objects.filter(id__in=expired).delete()
    return deleted


def activities_expired_delete(*, now: datetime | None = None, batch: int = BATCH, budget: float = BUDGET) -> int:
    """Delete the activities made before the keep period that no delivery points at, as deliveries_expired_delete."""
    return _in_batches(activities_expired_batch_delete, now=now, batch=batch, budget=budget)


def activities_expired_batch_delete(*, made_before: datetime, batch: int) -> int:
    """One DELETE of at most `batch` activities made before `made_before` that no delivery points at, found by the
    created_at index: once the old ones are gone, only those still delivering are looked at."""
    expired = (
        OutgoingActivity.objects.filter(created_at__lt=made_before)
        .exclude(Exists(Delivery.objects.filter(activity=OuterRef("pk"))))
        .values_list("id", flat=True)[:batch]
    )
    ids = list(expired)
    if not ids:
        return 0
    _, by_model = OutgoingActivity.objects.filter(id__in=ids).delete()
    return by_model.get(OutgoingActivity._meta.label, 0)


def _in_batches(delete_batch: Callable[..., int], *, now: datetime | None, batch: int, budget: float) -> int:
    """Run `delete_batch` on what was made before the keep period until a batch comes back short or the budget is
    spent, pausing between two; how many rows it deleted."""
    made_before = (now or timezone.now()) - timedelta(days=settings.FEDINODE_DELIVERY_KEEP_DAYS)
    deadline = time.monotonic() + budget
    deleted = 0
    while True:
        count = delete_batch(made_before=made_before, batch=batch)
        deleted += count
        if count < batch or time.monotonic() >= deadline:
            return deleted
        time.sleep(PAUSE)
