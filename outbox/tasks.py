"""Celery tasks of the outbox: run delivery rows; the sweep picks up what a lost message left behind; ended rows
are deleted after their keep period."""

import logging
from datetime import datetime, timedelta

from celery import shared_task
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from .models import Delivery, DeliveryState
from .retention import activities_expired_delete, deliveries_expired_delete
from .sender import deliveries_send, lease_new

log = logging.getLogger(__name__)

TASK_BATCH = 50


def deliveries_enqueue(ids: list[int], reserved: datetime | None = None) -> None:
    """Hand delivery ids to the workers in batches (one task carries many deliveries)."""
    for start in range(0, len(ids), TASK_BATCH):
        deliver.delay(ids[start : start + TASK_BATCH], reserved.isoformat() if reserved else None)


@shared_task
def deliver(delivery_ids: list[int], reserved: str | None = None) -> None:
    deliveries_send(delivery_ids, datetime.fromisoformat(reserved) if reserved else None)


# A new delivery is queued when it is made (and one whose worker died, when its lease ends); the sweep takes its
# message for lost once it is this late.
LOST_AFTER = timedelta(seconds=10)
SWEEP_LIMIT = 2000


@shared_task
def housekeeping_sweep_deliveries() -> None:
    """Queue the deliveries due for a retry, and those whose message was lost (10 s late), each reserved for the
    message queued here (their lease): re-queueing every 5 s whatever was due added copies of the messages that a
    long queue still held."""
    now = timezone.now()
    due = list(_lost_or_due(now))
    if not due:
        return
    reservation = lease_new(now)
    with transaction.atomic():  # a reservation without its message would wait out the lease
        Delivery.objects.filter(id__in=due, state=DeliveryState.PENDING, next_attempt_at__lte=now).update(
            next_attempt_at=reservation
        )
        reserved = list(
            Delivery.objects.filter(id__in=due, next_attempt_at=reservation).order_by("id").values_list("id", flat=True)
        )
    deliveries_enqueue(reserved, reservation)


def _lost_or_due(now: datetime):
    """The ids of the pending deliveries due for a retry, or whose message is taken for lost: one range of (state,
    next_attempt_at), which PostgreSQL reads in its order. As two ranges (retries; lost messages) it was a bitmap
    scan, which read every entry a sent row leaves there until the vacuum, twice on every sweep."""
    retry_or_lost = Q(attempts__gt=0) | Q(next_attempt_at__lte=now - LOST_AFTER)
    return (
        Delivery.objects.filter(state=DeliveryState.PENDING, next_attempt_at__lte=now).filter(retry_or_lost)
        .order_by("next_attempt_at").values_list("id", flat=True)[:SWEEP_LIMIT]
    )


@shared_task
def housekeeping_expire_deliveries() -> None:
    """Delete the sent and given-up deliveries whose keep period has passed, then the activities as old that none
    points at any more (outbox/retention.py), each for a short while."""
    deleted = deliveries_expired_delete()
    if deleted:
        log.info("deleted %s deliveries past their keep period", deleted)
    deleted = activities_expired_delete()
    if deleted:
        log.info("deleted %s sent activities past their keep period", deleted)
