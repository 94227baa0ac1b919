"""Celery tasks of the inbox: run stored items through their handlers; the sweep catches lost messages."""

import logging
from datetime import timedelta

from celery import shared_task
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from actors.services.remote import ResolveError

from .handlers import Unprocessable, item_process
from .models import InboxItem, InboxState

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 5


def item_run(item_id: int) -> None:
    """One step for one item: received -> processed | ignored | failed (retried by the sweep)."""
    item = InboxItem.objects.filter(id=item_id, state=InboxState.RECEIVED).first()
    if item is None:
        return
    item.attempts += 1
    try:
        with transaction.atomic():
            item.state = item_process(item)
            item.error = ""
    except (Unprocessable, PermissionError) as error:
        item.state, item.error = InboxState.IGNORED, str(error)
    except ResolveError as error:
        item.error = str(error)
        item.state = InboxState.FAILED if item.attempts >= MAX_ATTEMPTS else InboxState.RECEIVED
    except Exception as error:  # a bug must not lose the item: keep it for the sweep, then fail it
        log.exception("inbox item %s failed", item_id)
        item.error = f"{type(error).__name__}: {error}"
        item.state = InboxState.FAILED if item.attempts >= MAX_ATTEMPTS else InboxState.RECEIVED
    item.processed_at = timezone.now()
    item.save(update_fields=["state", "error", "attempts", "processed_at"])


@shared_task
def process_items(item_ids: list[int]) -> None:
    for item_id in item_ids:
        item_run(item_id)


@shared_task
def housekeeping_sweep_inbox() -> None:
    """Items still 'received' a while after arrival lost their message (or wait for a retry): run them again."""
    stale = timezone.now() - timedelta(seconds=10)
    ids = list(
        InboxItem.objects.filter(state=InboxState.RECEIVED)
        .filter(Q(processed_at__isnull=True, received_at__lt=stale) | Q(processed_at__lt=stale))
        .values_list("id", flat=True)[:5000]
    )
    for start in range(0, len(ids), 100):
        process_items.delay(ids[start : start + 100])
