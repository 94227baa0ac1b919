"""Celery tasks of the inbox: run stored items through their handlers; the sweep catches lost messages; ended items
are deleted after their keep period."""

import collections
import contextlib
import logging
import random
import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta

import orjson
from celery import shared_task
from django.conf import settings
from django.db import IntegrityError, InterfaceError, OperationalError, connections, router, transaction
from django.db.models import Q
from django.utils import timezone

from actors.services.follow import follows_accepted_remote
from actors.services.remote import ResolveError
from fediverse_node.postgresql.scans import custom_plans, ordered_index_scans
from posts.services.remote_batch import boosts_add_remote, likes_add_remote, posts_create_remote

from .handlers import Unprocessable, announces_split, creates_split, follows_split, item_process, likes_split
from .models import INBOX_ITEM_STATES, InboxItem, InboxState
from .retention import items_expired_delete

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 5
# How long a worker holds the items it claimed; those of a worker that died are run again after it (the sweep).
LEASE = timedelta(seconds=settings.FEDINODE_INBOX_LEASE_SECONDS)


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


def items_claim(item_ids: list[int], reserved: datetime | None = None) -> tuple[list[InboxItem], datetime]:
    """Take the received items among ids that no other worker holds, under a lease of this claim's own: one
    UPDATE … RETURNING, the statement that read them before (SQLite >= 3.35 and PostgreSQL speak it). Items the
    sweep reserved for this task's message (`reserved`, their lease) are this claim's too."""
    database = router.db_for_write(InboxItem)
    connection = connections[database]
    ops, quote = connection.ops, connection.ops.quote_name
    now = timezone.now()
    # The lease end marks this claim's rows; the random microseconds keep two claims in one instant apart.
    lease = now + LEASE + timedelta(microseconds=random.randrange(1_000_000))
    ids: list[int] | str
    if connection.vendor == "postgresql":
        among, ids = f"{quote('id')} = ANY(%s)", list(item_ids)
    else:
        among, ids = f"{quote('id')} IN (SELECT value FROM json_each(%s))", orjson.dumps(list(item_ids)).decode()
    columns = ("id", "type", "actor_uri", "payload", "attempts")
    free = f"{quote('lease_until')} IS NULL OR {quote('lease_until')} < %s"
    params = [ops.adapt_datetimefield_value(lease), ids, InboxState.RECEIVED, ops.adapt_datetimefield_value(now)]
    if reserved is not None:
        free += f" OR {quote('lease_until')} = %s"
        params.append(ops.adapt_datetimefield_value(reserved))
    sql = (
        f"UPDATE {quote(InboxItem._meta.db_table)} SET {quote('lease_until')} = %s "
        f"WHERE {among} AND {quote('state')} = %s AND ({free}) "
        f"RETURNING {', '.join(quote(c) for c in columns)}"
    )
    # SQLite commits a RETURNING statement once its rows are read: inside the block, under the write lock.
    in_transaction = contextlib.nullcontext() if connection.vendor == "postgresql" else transaction.atomic(database)
    with in_transaction, connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    items = [
        InboxItem(id=pk, type=kind, actor_uri=actor_uri, attempts=attempts, state=InboxState.RECEIVED,
                  payload=orjson.loads(payload), lease_until=lease)
        for pk, kind, actor_uri, payload, attempts in rows
    ]
    return sorted(items, key=lambda item: item.id), lease


def items_run(item_ids: list[int], reserved: datetime | None = None) -> None:
    """Run a batch of stored items through their handlers, then, for up to DRAIN_SECONDS and while the oldest waiting
    item has waited longer than WAITING (a backlog: their messages are still in the queue, and would each carry a
    handful), the oldest waiting items (_backlog_next)."""
    _claimed_process(*items_claim(item_ids, reserved))
    deadline = time.monotonic() + DRAIN_SECONDS
    while time.monotonic() < deadline and (waiting := _backlog_next(timezone.now() - WAITING)):
        items, lease = items_claim(waiting)
        if not items:  # another worker took them meanwhile
            return
        _claimed_process(items, lease)


def _claimed_process(items: list[InboxItem], lease: datetime) -> None:
    try:
        _items_process(items)
    except (OperationalError, InterfaceError):
        _claim_release(items, lease)
        raise


def _claim_release(items: list[InboxItem], lease: datetime) -> None:
    """The database went away under a batch (a restart, a fail-over, a cut connection): the items it still holds are
    let go at once, so the sweep runs them again within seconds instead of after the lease (minutes). Anything else
    is handled per item by _step. Best effort: while the database is still away, the lease ends by itself."""
    connection = connections[router.db_for_write(InboxItem)]
    connection.close_if_unusable_or_obsolete()  # a broken connection is opened anew by the next statement
    try:
        INBOX_ITEM_STATES.move(
            InboxItem.objects.filter(id__in=[item.id for item in items], lease_until=lease),
            source=InboxState.RECEIVED, to=InboxState.RECEIVED, lease_until=None,
        )
    except (OperationalError, InterfaceError):
        log.warning("%s inbox items stay held until their lease ends: the database is still away", len(items))


def _items_process(items: list[InboxItem]) -> None:
    """Claimed items through their handlers, in slices of one transaction each; their states are written after each
    slice commits (should the process die between the two, the sweep runs them again once the lease ends, and the
    handlers take a repeated activity once)."""
    items = _at_once(items)
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


# Under a backlog, a task goes on with the oldest waiting items for up to DRAIN_SECONDS, DRAIN_BATCH at a time: at 120
# mentions a second the web queues a message every few items, and a long queue of small tasks (each paying its own
# claim and, on the filesystem broker, a listing of the whole queue folder) fell further behind the longer it got.
# The messages of items taken this way find them done and cost a claim that takes nothing.
DRAIN_SECONDS = 1.0
DRAIN_BATCH = 200
WAITING = timedelta(seconds=2)


def _backlog_next(received_before: datetime) -> list[int]:
    """Under a backlog (the oldest received item no worker holds, first run not yet tried, arrived before
    received_before): the oldest DRAIN_BATCH such items, however young. Else none.

    Taking only the items older than WAITING kept a backlog alive once it formed: every lane drained the few items
    that had just turned two seconds old, in batches of a handful, while the messages of the younger ones waited
    behind those lanes until they were old enough to be drained in turn. The node settled at two seconds behind,
    with half again the CPU for the same items (the soak in docs/benchmarks.md). Taking the young ones too ends
    the backlog; their messages then find them done."""
    with ordered_index_scans(router.db_for_read(InboxItem)):
        rows = list(_untried_oldest(timezone.now()))
    if not rows or rows[0][1] >= received_before:
        return []
    return [pk for pk, _ in rows]


def _untried_oldest(now: datetime):
    """(id, received_at) of the oldest DRAIN_BATCH items no run has tried and no worker holds (index inbox_untried)."""
    return (
        InboxItem.objects.filter(state=InboxState.RECEIVED, processed_at__isnull=True)
        .filter(_free(now)).order_by("id").values_list("id", "received_at")[:DRAIN_BATCH]
    )


def items_outcome_save(items: list[InboxItem]) -> int:
    """Write the items' new states: one UPDATE per distinct outcome (nearly always one; bulk_update's CASE per row
    and column took a third of the workers' CPU under load), each guarded by the state the items leave and by this
    worker's lease. An item whose lease ran out and was taken by another worker is left to that one (logged).
    Returns how many rows were written."""
    outcomes: dict[tuple, list[int]] = {}
    for item in items:
        INBOX_ITEM_STATES.check(InboxState.RECEIVED, item.state)
        outcomes.setdefault((item.state, item.error, item.attempts, item.processed_at, item.lease_until), []).append(
            item.id)
    written = 0
    for (state, error, attempts, processed_at, lease), ids in outcomes.items():
        count = INBOX_ITEM_STATES.move(
            InboxItem.objects.filter(id__in=ids, lease_until=lease), source=InboxState.RECEIVED, to=state,
            error=error, attempts=attempts, processed_at=processed_at, lease_until=None,
        )
        if count < len(ids):
            log.warning("%s of %s inbox items had passed to another worker (lease ended): their outcome is theirs",
                        len(ids) - count, len(ids))
        written += count
    return written


def _at_once(items: list[InboxItem]) -> list[InboxItem]:
    """Store what the batch paths take (new posts, likes, boosts, follows), each kind in one go, and then their
    outcomes in one write; the items left to run one by one. Should a kind's batch fail (a row stored meanwhile by
    another worker, or anything else), its items run one by one, where each failure is its own item's: one hostile
    activity must not fail the others of its batch, again at every retry."""
    done: list[InboxItem] = []
    for split, store in AT_ONCE:
        try:
            batch, rest = split(items)
            if len(batch) < 2:
                continue
            with transaction.atomic():
                store([entry[1:] for entry in batch])
        except IntegrityError:
            continue
        except Exception:
            log.exception("the batch path of %s failed; its items run one by one", getattr(split, "__name__", split))
            continue
        done += [item for item, *_ in batch]
        items = rest
    now = timezone.now()  # when the last kind was stored
    for item in done:
        item.state, item.error, item.attempts, item.processed_at = InboxState.PROCESSED, "", item.attempts + 1, now
    if done:
        items_outcome_save(done)
    return items


AT_ONCE: list[tuple[Callable[[list[InboxItem]], tuple[list, list[InboxItem]]], Callable[[list], object]]] = [
    (creates_split, lambda entries: posts_create_remote(entries=entries)),
    (likes_split, lambda entries: likes_add_remote(likes=entries)),
    (announces_split, lambda entries: boosts_add_remote(boosts=entries)),
    (follows_split, lambda entries: follows_accepted_remote(follows=entries)),
]


def item_run(item_id: int) -> None:
    items_run([item_id])


class _Lanes:
    """At most FEDINODE_INBOX_LANES batches run at once in a worker process; a task that finds every lane busy
    leaves its ids to the tasks in them, which take them up after their own batch. More batches at once did not
    process more (they wait on each other in the database), and they took the CPU from the web process: with 16
    at once, a burst of signed POSTs was accepted at two thirds of the rate (docs/benchmarks.md).

    The ids left here are not claimed: should the process die, their items are still received and free, and the
    sweep runs them."""

    def __init__(self, lanes: int) -> None:
        self.free = threading.BoundedSemaphore(lanes)
        self.waiting: collections.deque[tuple[list[int], datetime | None]] = collections.deque()

    def run(self, item_ids: list[int], reserved: datetime | None) -> None:
        self.waiting.append((item_ids, reserved))
        # a lane released just after another task left its ids finds them on the next turn of this loop
        while self.waiting and self.free.acquire(blocking=False):
            try:
                while self.waiting:
                    try:
                        ids, lease = self.waiting.popleft()
                    except IndexError:  # another lane took the last one
                        break
                    items_run(ids, lease)
            finally:
                self.free.release()


_lanes = _Lanes(settings.FEDINODE_INBOX_LANES)


@shared_task
def process_items(item_ids: list[int], reserved: str | None = None) -> None:
    _lanes.run(item_ids, datetime.fromisoformat(reserved) if reserved else None)


# A received item waits at least this long before the sweep may take its message for lost.
STALE = timedelta(seconds=10)
SWEEP_LIMIT = 5000
SWEEP_BATCH = 100


@shared_task
def housekeeping_sweep_inbox() -> None:
    """Run again the items whose message was lost (a web process that died before queueing it, a broker that was
    away, a worker that died holding them) and those waiting for a retry.

    Each is queued once per lease time: the sweep reserves the items for the message it sends (their lease), and
    only that message's task takes them. Re-queueing every few seconds whatever was still waiting filled a long
    queue with copies of its own messages, and the queue never caught up (docs/benchmarks.md, the soak)."""
    now = timezone.now()
    ids = _items_lost_or_due(now)
    if not ids:
        return
    reservation = now + LEASE + timedelta(microseconds=random.randrange(1_000_000))
    # one transaction (on the spool's database): a reservation without its message would wait out the lease
    with transaction.atomic(router.db_for_write(InboxItem)):
        InboxItem.objects.filter(id__in=ids, state=InboxState.RECEIVED).filter(_free(now)).update(
            lease_until=reservation)
        reserved = list(
            InboxItem.objects.filter(id__in=ids, lease_until=reservation).order_by("id").values_list("id", flat=True)
        )
    for start in range(0, len(reserved), SWEEP_BATCH):
        process_items.delay(reserved[start : start + SWEEP_BATCH], reservation.isoformat())


def _free(now: datetime) -> Q:
    return Q(lease_until__isnull=True) | Q(lease_until__lt=now)  # never one a live worker holds or awaits


def _items_lost_or_due(now: datetime) -> list[int]:
    """The oldest received items no worker holds that are due for a retry, or whose message is taken for lost (read
    in the order of (state, id): ordered_index_scans)."""
    database = router.db_for_read(InboxItem)
    with custom_plans(database):
        lost_before = _lost_if_received_before(now)
    with ordered_index_scans(database):
        return list(_lost_or_due(now, lost_before))


def _lost_or_due(now: datetime, lost_before: datetime):
    retry_due = Q(processed_at__isnull=False, processed_at__lt=now - STALE)
    lost = Q(processed_at__isnull=True, received_at__lt=lost_before)
    return (
        InboxItem.objects.filter(state=InboxState.RECEIVED).filter(_free(now)).filter(retry_due | lost)
        .order_by("id").values_list("id", flat=True)[:SWEEP_LIMIT]
    )


def _lost_if_received_before(now: datetime) -> datetime:
    """An item's message is lost when the queues left it behind: the workers already ran items received STALE
    after it (the queues are first in, first out), or nothing was run for STALE (no message of it is coming). An
    item that waits in a long queue that moves is neither."""
    latest = _latest_run_item()
    if latest is None or latest[1] is None or latest[1] < now - STALE:
        return now - STALE
    return min(now, latest[0]) - STALE


def _latest_run_item() -> tuple[datetime, datetime | None] | None:
    """(received_at, processed_at) of the newest item that has run to its end: one index lookup per end state,
    planned for its state (custom_plans: the generic plan read the whole table for a state no item is in)."""
    rows = [
        InboxItem.objects.filter(state=state).order_by("-id").values_list("id", "received_at", "processed_at").first()
        for state in (InboxState.PROCESSED, InboxState.IGNORED, InboxState.FAILED)
    ]
    latest = max((row for row in rows if row), default=None)
    return None if latest is None else (latest[1], latest[2])


@shared_task
def housekeeping_expire_inbox() -> None:
    """Delete the items in an end state whose keep period has passed (inbox/retention.py), for a short while."""
    deleted = items_expired_delete()
    if deleted:
        log.info("deleted %s inbox items past their keep period", deleted)
