"""Celery tasks of the inbox: run stored items through their handlers; the sweep catches lost messages."""

import logging
import time
from datetime import timedelta

from celery import shared_task
from django.db import IntegrityError, InterfaceError, OperationalError, transaction
from django.db.models import Q
from django.utils import timezone

from actors.services.remote import ResolveError
from posts.services.remote_batch import posts_create_remote

from .handlers import Unprocessable, creates_split, item_process
from .models import InboxItem, InboxState

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 5


# A batch's handlers share one transaction for at most this long (then it commits and a new one starts): a commit
# per item cost about a tenth of the processing time on SQLite, and more on PostgreSQL.
SLICE_SECONDS = 0.1


def _step(item: InboxItem) -> None:
    """One step for one item: received -> processed | ignored | failed (retried by the sweep). Runs in a savepoint:
    a failing handler rolls back only its own changes."""
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
    except (OperationalError, InterfaceError):
        raise  # the connection is gone: the batch stays 'received' for the sweep
    except Exception as error:  # a bug must not lose the item: keep it for the sweep, then fail it
        log.exception("inbox item %s failed", item.id)
        item.error = f"{type(error).__name__}: {error}"
        item.state = InboxState.FAILED if item.attempts >= MAX_ATTEMPTS else InboxState.RECEIVED


def items_run(item_ids: list[int]) -> None:
    """Run a batch of stored items through their handlers, in slices of one transaction each; their states are
    written after each slice commits (should the process die between the two, the sweep runs them again, and
    the handlers take a repeated activity once)."""
    items = list(InboxItem.objects.filter(id__in=item_ids, state=InboxState.RECEIVED).order_by("id"))
    items = _new_posts_at_once(items)
    position = 0
    while position < len(items):
        done: list[InboxItem] = []
        deadline = time.monotonic() + SLICE_SECONDS
        with transaction.atomic():
            while position < len(items) and (not done or time.monotonic() < deadline):
                _step(items[position])
                done.append(items[position])
                position += 1
        now = timezone.now()
        for item in done:
            item.processed_at = now
        items_outcome_save(done)


def items_outcome_save(items: list[InboxItem]) -> None:
    """Write the items' new states: one UPDATE per distinct outcome (nearly always one). bulk_update's CASE per row
    and column took a third of the workers' CPU under load."""
    outcomes: dict[tuple, list[int]] = {}
    for item in items:
        outcomes.setdefault((item.state, item.error, item.attempts, item.processed_at), []).append(item.id)
    for (state, error, attempts, processed_at), ids in outcomes.items():
        InboxItem.objects.filter(id__in=ids).update(
            state=state, error=error, attempts=attempts, processed_at=processed_at
        )


def _new_posts_at_once(items: list[InboxItem]) -> list[InboxItem]:
    """Store the batch's plain new posts in one go (posts/services/remote_batch.py); the items left to run one by
    one. Should the batch fail (a post stored meanwhile by another worker), every item runs one by one."""
    batch, rest = creates_split(items)
    if len(batch) < 2:
        return items
    try:
        with transaction.atomic():
            posts_create_remote(entries=[(obj, actor) for _, obj, actor in batch])
    except IntegrityError:
        return items
    now = timezone.now()
    for item, _, _ in batch:
        item.state, item.error, item.attempts, item.processed_at = InboxState.PROCESSED, "", item.attempts + 1, now
    items_outcome_save([item for item, _, _ in batch])
    return rest


def item_run(item_id: int) -> None:
    items_run([item_id])


@shared_task
def process_items(item_ids: list[int]) -> None:
    items_run(item_ids)


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
