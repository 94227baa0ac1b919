"""Sending deliveries in batches: claim many at once, sign per request, POST, record all results in one write,
schedule retries with back-off."""

import logging
import random
import time
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.db import InterfaceError, OperationalError, connections, router, transaction
from django.db.models import Q
from django.utils import timezone

from fediverse_node.outgoing import poster
from fediverse_node.protocol.fetcher import FetchError
from fediverse_node.protocol.keys import load_private_key
from fediverse_node.protocol.signatures import sign_cavage, sign_rfc9421

from .models import DELIVERY_STATES, Delivery, DeliveryState, OutgoingActivity
from .peers import SignatureScheme, peer_directory

log = logging.getLogger(__name__)
# How long a worker holds a delivery it is sending; a worker that dies lets it go after this.
LEASE = timedelta(seconds=settings.FEDINODE_DELIVERY_LEASE_SECONDS)
# 4xx answers that mean "try again later"; any other 4xx is final (as Mastodon treats them).
RETRYABLE_4XX = {401, 408, 409, 425, 429}


def lease_new(now: datetime) -> datetime:
    """The lease end marks one claim's (or one reservation's) rows; the random microseconds keep two claims in one
    instant apart."""
    return now + LEASE + timedelta(microseconds=random.randrange(1_000_000))


def deliveries_claim(ids: list[int], reserved: datetime | None = None) -> list[Delivery]:
    """Take the due pending deliveries among ids for this worker (one UPDATE); another worker's are skipped, and so
    are those the sweep reserved for another message (their lease is `reserved` for that message's task)."""
    now = timezone.now()
    lease_until = lease_new(now)
    takeable = Q(next_attempt_at__lte=now) | Q(next_attempt_at=reserved) if reserved else Q(next_attempt_at__lte=now)
    # One transaction: should the connection break between the two statements, no row stays held by a lease
    # that nobody works on (it would wait out the lease before the sweep saw it again).
    with transaction.atomic():
        claimed = Delivery.objects.filter(takeable, id__in=ids, state=DeliveryState.PENDING).update(
            next_attempt_at=lease_until
        )
        if not claimed:
            return []
        deliveries = list(
            Delivery.objects.filter(id__in=ids, state=DeliveryState.PENDING, next_attempt_at=lease_until).order_by("id")
        )
        # A batch nearly always delivers one activity: its body and its actor (keys and all) are read once, not
        # with every row of the batch.
        activities = OutgoingActivity.objects.select_related("actor").in_bulk({d.activity_id for d in deliveries})
    for delivery in deliveries:
        delivery.activity = activities[delivery.activity_id]
        delivery.lease = lease_until  # the outcome is written only while the row still carries it
    return deliveries


def _host(url: str) -> str:
    return urlsplit(url).netloc.lower()


def _post(delivery: Delivery, scheme: str) -> int:
    actor = delivery.activity.actor
    key = load_private_key(actor.private_key_pem)
    body = bytes(delivery.activity.body)
    sign = sign_rfc9421 if scheme == SignatureScheme.RFC9421 else sign_cavage
    headers = sign(method="POST", url=delivery.inbox_url, body=body, key_id=actor.key_id, private_key=key)
    headers["Content-Type"] = 'application/ld+json; profile="https://www.w3.org/ns/activitystreams"'
    headers["Accept"] = "application/activity+json"
    return poster().post(delivery.inbox_url, body, headers)


def _attempt(delivery: Delivery, known: dict[str, str]) -> tuple[int | None, str]:
    """One attempt: double-knocks (RFC 9421, then draft-cavage after a 4xx) and remembers in `known` what the
    inbox's host takes."""
    host = _host(delivery.inbox_url)
    schemes = [known[host]] if known.get(host) else [SignatureScheme.RFC9421, SignatureScheme.CAVAGE]
    status, error = None, ""
    for scheme in schemes:
        try:
            status = _post(delivery, scheme)
        except FetchError as exc:
            return exc.status, str(exc)
        if status < 400:
            known[host] = scheme  # saved with the batch; later POSTs in it skip the knock
            return status, ""
        error = f"HTTP {status}"
        if not 400 <= status < 500:
            break
    return status, error


def deliveries_send(ids: list[int], reserved: datetime | None = None) -> dict[int, str]:
    """Claim, send and record a batch: two writes for the whole batch instead of two per delivery.
    Returns {delivery id: new state} of the deliveries whose outcome this worker wrote (one whose lease ran out
    and passed to another worker is that one's to answer for)."""
    deliveries = deliveries_claim(ids, reserved)
    if not deliveries:
        return {}
    try:
        return _claimed_send(deliveries)
    except (OperationalError, InterfaceError):
        _claim_release(deliveries)
        raise


def _claim_release(deliveries: list[Delivery]) -> None:
    """The database went away under a batch (a restart, a fail-over, a cut connection): its rows still pending under
    this claim's lease are let go at once, so the sweep sends them again within seconds instead of after the lease
    (minutes). Anything else that breaks a batch is a bug and keeps the lease's pace. Best effort: while the
    database is still away, the lease ends by itself."""
    connection = connections[router.db_for_write(Delivery)]
    connection.close_if_unusable_or_obsolete()  # a broken connection is opened anew by the next statement
    try:
        DELIVERY_STATES.move(
            Delivery.objects.filter(id__in=[d.pk for d in deliveries], next_attempt_at=deliveries[0].lease),
            source=DeliveryState.PENDING, to=DeliveryState.PENDING, next_attempt_at=timezone.now(),
        )
    except (OperationalError, InterfaceError):
        log.warning("%s deliveries stay held until their lease ends: the database is still away", len(deliveries))


def _claimed_send(deliveries: list[Delivery]) -> dict[int, str]:
    directory = peer_directory()
    known = directory.signature_schemes({_host(d.inbox_url) for d in deliveries})
    saved = dict(known)
    done: list[Delivery] = []
    written: set[int] = set()
    flushed_at = time.monotonic()
    for delivery in deliveries:
        if directory.is_suspended(delivery.inbox_url):
            # suspended after it was queued: domain_block stops such rows, this catches one claimed meanwhile
            delivery.state, delivery.last_error = DeliveryState.GIVEN_UP, "the server is suspended here"
        else:
            status, error = _attempt(delivery, known)
            _record(delivery, status, error)
        done.append(delivery)
        # What was sent is written down often, so a worker that dies mid-batch re-sends little.
        if time.monotonic() - flushed_at > RECORD_EVERY_SECONDS:
            written |= _save(done, known, saved)
            done, flushed_at = [], time.monotonic()
    written |= _save(done, known, saved)
    return {d.pk: d.state for d in deliveries if d.pk in written}


RECORD_EVERY_SECONDS = 0.1  # a worker killed mid-batch re-sends at most this much of its work


def _save(deliveries: list[Delivery], known: dict[str, str], saved: dict[str, str]) -> set[int]:
    """Record the batch's results and the signature schemes learned since the last save; the ids whose outcome
    was written."""
    learned = {host: scheme for host, scheme in known.items() if scheme != saved.get(host)}
    written: set[int] = set()
    with transaction.atomic():
        if deliveries:
            written = _update_rows(deliveries)
        if learned:
            peer_directory().signature_schemes_learned(learned)
    saved.update(learned)
    return written


RECORDED_FIELDS = ["attempts", "last_status", "state", "sent_at", "last_error", "next_attempt_at"]


def _update_rows(deliveries: list[Delivery]) -> set[int]:
    """One prepared UPDATE run for every row (executemany): bulk_update's CASE expressions cost more in Python
    than sending the deliveries did. Each row is written only while it is still pending under this worker's lease
    (a move DELIVERY_STATES does not declare raises first): a worker whose lease ran out (and whose delivery
    another worker took, or an operator stopped) cannot overwrite that one's result. Returns the ids written."""
    for delivery in deliveries:
        DELIVERY_STATES.check(DeliveryState.PENDING, delivery.state)
    connection = connections[router.db_for_write(Delivery)]
    ops, quote = connection.ops, connection.ops.quote_name
    assignments = ", ".join(f"{quote(field)} = %s" for field in RECORDED_FIELDS)
    sql = (
        f"UPDATE {quote(Delivery._meta.db_table)} SET {assignments} "
        f"WHERE {quote('id')} = %s AND {quote('state')} = %s AND {quote('next_attempt_at')} = %s"
    )
    rows = [
        [
            d.attempts, d.last_status, d.state, ops.adapt_datetimefield_value(d.sent_at), d.last_error,
            ops.adapt_datetimefield_value(d.next_attempt_at), d.pk, DeliveryState.PENDING,
            ops.adapt_datetimefield_value(d.lease),
        ]
        for d in deliveries
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)
        written = cursor.rowcount
    if written < 0 or written == len(rows):  # -1: the driver does not count; the guard held all the same
        return {d.pk for d in deliveries}
    mine = _outcomes_written(deliveries)
    log.warning("%s of %s deliveries had passed to another worker (lease ended) or were stopped: their result is "
                "theirs", len(rows) - len(mine), len(rows))
    return mine


def _outcomes_written(deliveries: list[Delivery]) -> set[int]:
    """Which rows carry this worker's outcome, read back only after a short count (a lost race, rare): each
    outcome holds a moment no other worker wrote (its retry time or sent_at, else its own lease)."""
    found = {
        pk: (state, next_attempt_at, sent_at)
        for pk, state, next_attempt_at, sent_at in Delivery.objects.filter(id__in=[d.pk for d in deliveries])
        .values_list("id", "state", "next_attempt_at", "sent_at")
    }
    return {d.pk for d in deliveries if found.get(d.pk) == (d.state, d.next_attempt_at, d.sent_at)}


def _record(delivery: Delivery, status: int | None, error: str) -> None:
    """Set the outcome of an attempt on the row (saved by the caller): sent, retried later, or given up."""
    now = timezone.now()
    delivery.attempts += 1
    delivery.last_status = status
    if status is not None and status < 400:
        delivery.state, delivery.sent_at, delivery.last_error = DeliveryState.SENT, now, ""
        return
    if status is not None and 400 <= status < 500 and status not in RETRYABLE_4XX:
        delivery.state, delivery.last_error = DeliveryState.GIVEN_UP, error
    elif now - delivery.created_at > timedelta(seconds=settings.FEDINODE_DELIVERY_GIVE_UP_AFTER):
        delivery.state, delivery.last_error = DeliveryState.GIVEN_UP, error
    else:
        backoff = settings.FEDINODE_DELIVERY_FIRST_RETRY * 2 ** min(delivery.attempts - 1, 16)
        delivery.next_attempt_at = now + timedelta(seconds=backoff)
        delivery.last_error = error
    log.info("delivery %s to %s: %s", delivery.pk, delivery.inbox_url, error or delivery.state)
