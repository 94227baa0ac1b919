"""Received activities are not kept forever: beat's housekeeping_expire_inbox deletes the items in an end state once
their keep period (FEDINODE_INBOX_KEEP_DAYS, failed ones FEDINODE_INBOX_KEEP_FAILED_DAYS; why that is safe: the
settings) has passed since they arrived. An item still `received` is never deleted; the end states are final (no
move of INBOX_ITEM_STATES leaves them), so a deleted item is never one a worker still holds.

In batches: each DELETE takes at most BATCH rows and commits on its own, so the write lock (on SQLite the spool's,
which every inbox POST needs) is held for one batch at a time, and a run stops after BUDGET seconds; the next run
goes on where it stopped.

Each batch is the BATCH lowest ids of one state (the (state, id) index), of which those received before the cut-off
go: ids grow with received_at, so the oldest items of a state are its lowest ids, and a batch that finds fewer than
BATCH old enough has reached the items that stay. No index on received_at is needed (the spool's appends, the inbox's
hot path, would pay for it), and a run that finds nothing to delete reads one batch of index entries per state.
"""

import time
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

from .models import InboxItem, InboxState

BATCH = 2000
BUDGET = 2.0  # seconds a run deletes for
PAUSE = 0.02  # between two batches: writers waiting for the lock go first


def items_expired_delete(*, now: datetime | None = None, batch: int = BATCH, budget: float = BUDGET) -> int:
    """Delete the end-state items whose keep period has passed, a batch per state in turn, until none is left or the
    budget is spent; how many were deleted."""
    now = now or timezone.now()
    kept = timedelta(days=settings.FEDINODE_INBOX_KEEP_DAYS)
    cutoffs = {
        InboxState.PROCESSED: now - kept,
        InboxState.IGNORED: now - kept,
        InboxState.FAILED: now - timedelta(days=settings.FEDINODE_INBOX_KEEP_FAILED_DAYS),
    }
    deadline = time.monotonic() + budget
    deleted = 0
    while cutoffs:
        for state, before in list(cutoffs.items()):
            count = items_expired_batch_delete(state=state, received_before=before, batch=batch)
            deleted += count
            if count < batch:
                del cutoffs[state]  # the rest of this state stays
            if not cutoffs or time.monotonic() >= deadline:
                return deleted
            time.sleep(PAUSE)
    return deleted


def items_expired_batch_delete(*, state: str, received_before: datetime, batch: int) -> int:
    """One DELETE: of the `batch` lowest ids in `state`, those received before `received_before`."""
    window = InboxItem.objects.filter(state=state).order_by("id").values("id")[:batch]
    deleted, _ = InboxItem.objects.filter(id__in=window, received_at__lt=received_before).delete()
    return deleted
