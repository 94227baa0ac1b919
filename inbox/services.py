"""Receiving: check a signed POST, store it durably as an InboxItem, queue its processing."""

import asyncio
import contextlib
import functools
import logging
import queue
import threading
import time
from dataclasses import dataclass
from typing import NamedTuple

import orjson
from django.conf import settings
from django.core.exceptions import SynchronousOnlyOperation
from django.db import close_old_connections, connections, router, transaction
from django.db.models.signals import post_save
from django.utils import timezone

from actors.models import Actor
from actors.services.domains import domain_is_blocked
from actors.services.remote import ResolveError, origin, public_key_for
from fediverse_node.protocol.digests import check_body_digests
from fediverse_node.protocol.keys import load_public_key
from fediverse_node.protocol.signatures import SignatureError, signature_key_id, verify_request
from fediverse_node.protocol.vocab import id_of
from fediverse_node.protocol.vocab.values import document_holds_nul

from .forwarded import FORWARDABLE, NotConfirmed, forwarded_payload
from .models import InboxItem, InboxState

log = logging.getLogger(__name__)

# Deeply nested JSON is a denial-of-service vector and no real activity needs it.
MAX_DEPTH = 32


@dataclass
class Refusal(Exception):
    """Why an inbox POST is refused, with its HTTP status."""

    status: int
    message: str


def _depth(value, level: int = 0) -> int:
    if level > MAX_DEPTH:
        return level
    if isinstance(value, dict):
        return max((_depth(v, level + 1) for v in value.values()), default=level)
    if isinstance(value, list):
        return max((_depth(v, level + 1) for v in value), default=level)
    return level


def parse_activity(body: bytes) -> dict:
    """The activity in a request body, or Refusal(400) saying what is wrong with it."""
    try:
        activity = orjson.loads(body)
    except orjson.JSONDecodeError as error:
        raise Refusal(400, f"The body is not valid JSON: {error}") from None
    if not isinstance(activity, dict):
        raise Refusal(400, "An activity must be a JSON object.")
    # Nesting needs an opening bracket per level: a body with few of them (nearly all) skips the walk.
    if body.count(b"{") + body.count(b"[") > MAX_DEPTH and _depth(activity) > MAX_DEPTH:
        raise Refusal(400, "The activity is nested too deeply.")
    if document_holds_nul(body, activity):
        # No text column (PostgreSQL's above all) stores U+0000, and no real activity carries it.
        raise Refusal(400, "The activity contains a NUL character (\\u0000).")
    if not isinstance(activity.get("type"), str) or not activity["type"]:
        raise Refusal(400, "The activity has no type.")
    if not isinstance(activity.get("id"), str) or not activity["id"].startswith(("https://", "http://")):
        raise Refusal(400, "The activity has no id URL.")
    if not id_of(activity.get("actor")):
        raise Refusal(400, "The activity has no actor.")
    return activity


class _KeyCache:
    """keyId -> (owner URI, parsed public key) for a few minutes per process: a busy peer signs every POST with
    the same key, and reading plus parsing it each time costs more than verifying the signature."""

    SECONDS = 300

    def __init__(self) -> None:
        self.entries: dict[str, tuple[float, str, object, bool]] = {}

    def get(self, key_id: str, *, refresh: bool) -> tuple[str, object, bool]:
        """(owner URI, parsed key, whether the owner is suspended)."""
        now = time.monotonic()
        entry = None if refresh else self.entries.get(key_id)
        if entry is not None and entry[0] > now:
            return entry[1], entry[2], entry[3]
        key = public_key_for(key_id, refresh=refresh)
        parsed = load_public_key(key.pem)
        if len(self.entries) > 10000:
            self.entries.clear()
        self.entries[key_id] = (now + self.SECONDS, key.owner.uri, parsed, key.owner.suspended)
        return key.owner.uri, parsed, key.owner.suspended

    def forget_owner(self, owner_uri: str) -> None:
        for key_id in [k for k, entry in list(self.entries.items()) if entry[1] == owner_uri]:
            self.entries.pop(key_id, None)


_keys = _KeyCache()


def _suspension_changed(sender, instance: Actor, update_fields=None, **kwargs) -> None:
    """A suspension (or its undo) applies to this process's inbox at once; other processes' cached keys expire
    within minutes, and item_process ignores a suspended actor's activities meanwhile."""
    if update_fields and "suspended" in update_fields and not instance.local:
        _keys.forget_owner(instance.uri)


post_save.connect(_suspension_changed, sender=Actor, dispatch_uid="inbox-key-cache-suspension")


def signer_verify(*, method: str, url: str, headers, body: bytes, key_id: str) -> tuple[str, bool]:
    """Verify with the cached key, then once more with a refetched one (the peer may have rotated it);
    (the signer's URI, whether the signer is suspended here)."""
    last_error = "signature did not verify"
    for refresh in (False, True):
        try:
            owner_uri, public_key, suspended = _keys.get(key_id, refresh=refresh)
        except ResolveError as error:
            raise Refusal(401, f"Cannot get the signing key: {error}") from None
        except ValueError as error:
            last_error = f"unusable key: {error}"
            continue
        try:
            verify_request(
                method=method, url=url, headers=headers, body=body, public_key=public_key,
                max_skew=settings.FEDINODE_SIGNATURE_MAX_SKEW,
            )
            return owner_uri, suspended
        except SignatureError as error:
            last_error = str(error)
            if "does not verify" not in last_error:
                break  # only a rotated key can explain a bad signature; a fresh key cannot fix a malformed request
    raise Refusal(401, f"Signature refused: {last_error}")


def _is_unknown_actor_deleting_itself(activity: dict, actor_uri: str) -> bool:
    return (
        activity["type"] == "Delete"
        and id_of(activity.get("object")) == actor_uri
        and not Actor.objects.filter(uri=actor_uri).exists()
    )


def inbox_receive(*, method: str, url: str, headers, body: bytes) -> None:
    """Check a POSTed activity and store it durably (a duplicate is stored once). Raises Refusal."""
    row = inbox_check(method=method, url=url, headers=headers, body=body)
    if row is not None:
        _appender.append(row)


async def inbox_receive_async(*, method: str, url: str, headers, body: bytes) -> None:
    """inbox_receive for a request on an event loop: the checks run on the loop while everything they need is in
    this process's caches (keys, domain policies), else on a thread (Django refuses the database on a loop); the
    request then waits for its batch's commit without holding a thread."""
    try:
        row = inbox_check(method=method, url=url, headers=headers, body=body)
    except SynchronousOnlyOperation:  # raised before any query: the checks read nothing and changed nothing
        row = await asyncio.get_running_loop().run_in_executor(
            None, functools.partial(_inbox_check_in_thread, method=method, url=url, headers=headers, body=body)
        )
    if row is not None:
        await _appender.append_async(row)


def _inbox_check_in_thread(**request) -> "SpoolRow | None":
    try:
        return inbox_check(**request)
    finally:
        close_old_connections()  # what Django does at the end of a request (CONN_MAX_AGE)


def inbox_check(*, method: str, url: str, headers, body: bytes) -> "SpoolRow | None":
    """What inbox_receive stores of a POSTed activity, checked (None: accepted, nothing to store). Raises Refusal."""
    if len(body) > settings.FEDINODE_INBOX_MAX_BYTES:
        raise Refusal(413, f"The body is larger than {settings.FEDINODE_INBOX_MAX_BYTES} bytes.")
    try:
        key_id = signature_key_id(headers)
        check_body_digests(headers, body)
    except SignatureError as error:
        raise Refusal(401, f"Signature refused: {error}") from None
    activity = parse_activity(body)
    actor_uri = id_of(activity["actor"])
    assert actor_uri is not None  # parse_activity refused an activity without one
    if origin(key_id) != origin(actor_uri) and activity["type"] not in FORWARDABLE and "proof" not in activity:
        raise Refusal(401, "The signing key is not on the actor's server.")
    if domain_is_blocked(actor_uri) or domain_is_blocked(key_id):  # before fetching a key: no request for them
        raise Refusal(403, "This server does not accept activities from yours.")
    try:
        signer, suspended = signer_verify(method=method, url=url, headers=headers, body=body, key_id=key_id)
    except Refusal:
        if _is_unknown_actor_deleting_itself(activity, actor_uri):
            return None  # Mastodon announces deleted accounts to every server; we never knew this one
        raise
    if suspended:
        raise Refusal(403, "This actor is suspended here.")
    if origin(activity["id"]) != origin(actor_uri):
        raise Refusal(400, "The activity's id is not on its actor's server.")
    payload = body.decode()  # stored as sent (it parsed as JSON above)
    if signer != actor_uri:
        # Forwarded (ActivityPub §7.1.2): the signature names the forwarder; the author's server must confirm it.
        if Actor.objects.filter(uri=actor_uri, suspended=True).exists():
            raise Refusal(403, "This actor is suspended here.")
        try:
            payload = orjson.dumps(forwarded_payload(activity)).decode()
        except NotConfirmed as error:
            raise Refusal(401, f"Forwarded activity refused: {error}") from None
    return SpoolRow(activity["id"], activity["type"][:50], actor_uri, payload)


class SpoolRow(NamedTuple):
    """What the inbox stores of an accepted POST (a model instance costs more to build than the row to insert)."""

    activity_id: str
    type: str
    actor_uri: str
    payload_json: str


class _Waiting:
    """A request's item on its way to the writer, and how the writer tells it the batch is committed: a thread
    waits on `done`, a lock taken at once and released by the writer (a threading.Event costs 10 µs more CPU per
    handoff, measured with 16 threads); a request on an event loop awaits `future`, which the writer resolves
    through its loop."""

    __slots__ = ("done", "failed", "future", "item")

    def __init__(self, item: SpoolRow, future: asyncio.Future | None = None) -> None:
        self.item, self.failed, self.future = item, False, future
        self.done = threading.Lock()
        if future is None:
            self.done.acquire()


class _Appender:
    """Group commit: requests hand their item to one writer thread, which inserts whatever has gathered in one
    statement; each request answers 202 only after its batch is committed. SQLite has one writer at a time, so
    this turns lock contention into batched writes (a row in a batch costs a fraction of a row alone: docs/architecture.md, "Lessons the code taught").

    One writer per process on either database: while it waits for a commit, the next batch gathers. A second
    writer paid when a batch took three round trips (BEGIN, INSERT, COMMIT); with one, it only split the
    batches (PostgreSQL, 10,000 POSTs on 32 connections: about 2,370 accepted/s with one, 2,170 with two)."""

    MAX_BATCH = 500
    WAIT_SECONDS = 30

    def __init__(self) -> None:
        self.queue: queue.Queue = queue.Queue()
        self.lock = threading.Lock()
        self.thread: threading.Thread | None = None

    def append(self, item: SpoolRow) -> None:
        """Store the item, waiting in this thread for its batch's commit."""
        if settings.CELERY_TASK_ALWAYS_EAGER:
            self._write([item])  # tests run tasks in-line: no writer thread
            return
        waiting = _Waiting(item)
        self._start()
        self.queue.put(waiting)
        if not waiting.done.acquire(timeout=self.WAIT_SECONDS):
            raise Refusal(503, "The inbox is overloaded; try again later.")
        if waiting.failed:
            raise Refusal(503, "The activity could not be stored; try again later.")

    async def append_async(self, item: SpoolRow) -> None:
        """Store the item from an event loop: the request waits for its batch's commit without holding a thread."""
        loop = asyncio.get_running_loop()
        if settings.CELERY_TASK_ALWAYS_EAGER:
            await loop.run_in_executor(None, self._write_in_executor, [item])
            return
        waiting = _Waiting(item, loop.create_future())
        self._start()
        self.queue.put(waiting)
        try:
            await asyncio.wait_for(waiting.future, self.WAIT_SECONDS)  # type: ignore[arg-type]
        except TimeoutError:
            raise Refusal(503, "The inbox is overloaded; try again later.") from None
        if waiting.failed:
            raise Refusal(503, "The activity could not be stored; try again later.")

    def _start(self) -> None:
        with self.lock:
            if self.thread is None or not self.thread.is_alive():
                self.thread = threading.Thread(target=self._run, name="inbox-appender", daemon=True)
                self.thread.start()

    def _run(self) -> None:
        while True:
            batch = [self.queue.get()]
            while len(batch) < self.MAX_BATCH:
                try:
                    batch.append(self.queue.get_nowait())
                except queue.Empty:
                    break
            try:
                self._write([waiting.item for waiting in batch])
            except Exception:  # the peers are told to retry; nothing was half-stored
                log.exception("inbox batch of %s failed", len(batch))
                for waiting in batch:
                    waiting.failed = True
                close_old_connections()
            _batch_done(batch)

    def _write(self, items: list[SpoolRow]) -> None:
        _enqueue(items_insert(items))

    def _write_in_executor(self, items: list[SpoolRow]) -> None:
        """Tests (tasks run in-line): the item and its tasks on a thread of the loop's executor, whose connections
        are closed after, or they outlive the test and its database cannot be dropped."""
        try:
            self._write(items)
        finally:
            connections.close_all()


def items_insert(items: list[SpoolRow]) -> list[int]:
    """Insert a batch in one statement; the ids of the new rows (a duplicate activity id is skipped).

    The hot path of the inbox, so plain SQL: one INSERT … ON CONFLICT DO NOTHING RETURNING (SQLite >= 3.35 and
    PostgreSQL both speak it) costs a fifth of bulk_create plus the query for the ids, and the payload goes in as
    the JSON the peer sent instead of being decoded and encoded again. On PostgreSQL the statement commits on its
    own (autocommit, no atomic block): one round trip instead of BEGIN, INSERT and COMMIT, and just as atomic.
    SQLite keeps the block: it commits a RETURNING statement only once its rows are read, and the node-wide write
    lock (fediverse_node/sqlite) must be held until then; in-process, there is no round trip to save."""
    database = router.db_for_write(InboxItem)
    connection = connections[database]
    ops = connection.ops
    row = "(%s, %s, %s, %s, %s, 0, '', %s)"
    received_at = ops.adapt_datetimefield_value(timezone.now())
    params: list = []
    for item in items:
        params += [item.activity_id, item.type, item.actor_uri, item.payload_json, InboxState.RECEIVED, received_at]
    table, quote = InboxItem._meta.db_table, ops.quote_name
    columns = ", ".join(quote(c) for c in ("activity_id", "type", "actor_uri", "payload", "state", "attempts", "error", "received_at"))
    sql = (
        f"INSERT INTO {quote(table)} ({columns}) VALUES {', '.join([row] * len(items))} "
        f"ON CONFLICT ({quote('activity_id')}) DO NOTHING RETURNING {quote('id')}"
    )
    in_transaction = contextlib.nullcontext() if connection.vendor == "postgresql" else transaction.atomic(database)
    with in_transaction, connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [pk for (pk,) in cursor.fetchall()]


def _batch_done(batch: list[_Waiting]) -> None:
    """Wake every request of a committed (or failed) batch: threads one by one, each event loop once for all of its
    requests (a wake-up of a loop from another thread costs a write to its pipe)."""
    by_loop: dict[asyncio.AbstractEventLoop, list[asyncio.Future]] = {}
    for waiting in batch:
        if waiting.future is None:
            waiting.done.release()
        else:
            by_loop.setdefault(waiting.future.get_loop(), []).append(waiting.future)
    for loop, futures in by_loop.items():
        with contextlib.suppress(RuntimeError):  # the loop has closed: its requests are gone with it
            loop.call_soon_threadsafe(_futures_resolve, futures)


def _futures_resolve(futures: list[asyncio.Future]) -> None:
    for future in futures:
        if not future.done():
            future.set_result(None)


_appender = _Appender()


TASK_BATCH = 200  # a task of this many goes at once: a burst is processed in batches this large


class _Batcher:
    """Coalesces the ids stored by concurrent requests into one task every few milliseconds: a task costs
    more than storing an item (docs/architecture.md, "Lessons the code taught"). An id lost with a crashed process is found by the sweep.

    One long-lived thread sends the tasks: Celery keeps a producer and a result backend per thread, and a new
    thread per send (threading.Timer) built them again each time, a quarter of the inbox's CPU under load."""

    DELAY = 0.1  # at most this long between an item's commit and its task (under light load, about this long)
    BATCH = TASK_BATCH

    def __init__(self) -> None:
        self.lock = threading.Condition()
        self.pending: list[int] = []
        self.thread: threading.Thread | None = None

    def add(self, ids: list[int]) -> None:
        if settings.CELERY_TASK_ALWAYS_EAGER:
            self.send(ids)
            return
        with self.lock:
            self.pending.extend(ids)
            if self.thread is None or not self.thread.is_alive():
                self.thread = threading.Thread(target=self._run, name="inbox-batcher", daemon=True)
                self.thread.start()
            self.lock.notify()

    def _run(self) -> None:
        while True:
            with self.lock:
                self.lock.wait_for(lambda: self.pending)
                # Gather until a full batch or DELAY after the first id: the fixed cost of a task and of its
                # queries is paid once per batch, so a burst goes best in full batches.
                deadline = time.monotonic() + self.DELAY
                while len(self.pending) < self.BATCH and (left := deadline - time.monotonic()) > 0:
                    self.lock.wait(left)
                ids, self.pending = self.pending, []
            try:
                self.send(ids)
            except Exception:  # the broker is away: the sweep finds the stored items
                log.exception("could not queue %s inbox items", len(ids))

    def send(self, ids: list[int]) -> None:
        from .tasks import process_items

        for start in range(0, len(ids), self.BATCH):
            process_items.delay(ids[start : start + self.BATCH])


_batcher = _Batcher()


def _enqueue(ids: list[int]) -> None:
    _batcher.add(ids)
