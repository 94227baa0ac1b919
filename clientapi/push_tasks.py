"""Celery tasks of Web Push: push new notifications to their recipients' subscriptions, retry with back-off."""

import logging

from celery import shared_task
from django.conf import settings

from .push_services import PushRetry, PushTarget, push_send, push_targets, push_targets_of, push_wanted

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 6  # the first try and five more (Mastodon retries a push five times)


def _send_or_schedule(target: PushTarget, attempt: int) -> None:
    try:
        push_send(target=target)
    except PushRetry as error:
        if attempt + 1 >= MAX_ATTEMPTS:
            log.warning("giving up the push of notification %s to subscription %s: %s",
                        target.notification.id, target.subscription.id, error)
            return
        delay = settings.FEDINODE_DELIVERY_FIRST_RETRY * 2**attempt
        push_retry.apply_async((target.subscription.id, target.notification.id, attempt + 1), countdown=delay)


@shared_task
def push_notifications(notification_ids: list[int]) -> None:
    """Push each new notification to every subscription that wants it."""
    for target in push_targets(notification_ids=notification_ids):
        _send_or_schedule(target, 0)


@shared_task
def push_retry(subscription_id: int, notification_id: int, attempt: int) -> None:
    """Try a push again (unless the subscription or notification is gone since)."""
    for target in push_targets_of(subscription_id=subscription_id, notification_id=notification_id):
        _send_or_schedule(target, attempt)


def notifications_push_later(sender, *, ids: list[int], recipients: list[int], **kwargs) -> None:
    """Listener of new notifications (after commit): one task for them, if any recipient has a subscription."""
    if push_wanted(recipient_ids=recipients):
        push_notifications.delay(ids)
