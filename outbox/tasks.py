"""Celery tasks of the outbox: run delivery rows; the sweep picks up what a lost message left behind."""

from celery import shared_task
from django.utils import timezone

from .models import Delivery, DeliveryState
from .sender import deliveries_send

TASK_BATCH = 50


def deliveries_enqueue(ids: list[int]) -> None:
    """Hand delivery ids to the workers in batches (one task carries many deliveries)."""
    for start in range(0, len(ids), TASK_BATCH):
        deliver.delay(ids[start : start + TASK_BATCH])


@shared_task
def deliver(delivery_ids: list[int]) -> None:
    deliveries_send(delivery_ids)


@shared_task
def housekeeping_sweep_deliveries() -> None:
    due = list(
        Delivery.objects.filter(state=DeliveryState.PENDING, next_attempt_at__lte=timezone.now())
        .order_by("next_attempt_at")
        .values_list("id", flat=True)[:2000]
    )
    if due:
        deliveries_enqueue(due)
