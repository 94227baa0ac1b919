"""Notifications are stored here, and whoever listens (Web Push, the streaming API) hears of them once the
transaction commits: never of one that was rolled back, and never before a reader in another process can see it."""

import logging

from django.db import transaction
from django.dispatch import Signal

from actors.models import Actor
from fediverse_node.rows_insert import instances_insert

from ..models import Notification, NotificationType, Post

log = logging.getLogger(__name__)

# Sent after commit with `ids`, the new notifications' ids, and `recipients`, their recipients' actor ids (the
# listeners ask first whether any of them has a stream or a push subscription). A domain event sent by this
# service, not a model signal: rows written another way (a bulk update, a data migration) are not announced.
notifications_created = Signal()


def notifications_add(*, notifications: list[Notification]) -> list[Notification]:
    """Store notifications and announce them after commit."""
    rows = instances_insert(notifications)
    stored = [row for row in rows if row.pk is not None]
    ids, recipients = [row.pk for row in stored], sorted({row.recipient_id for row in stored})
    if ids:
        transaction.on_commit(lambda: _announce(ids, recipients))
    return rows


def notification_add(*, recipient: Actor, type: str, from_actor: Actor, post: Post | None = None) -> Notification:
    """Store one notification and announce it after commit."""
    return notifications_add(
        notifications=[Notification(recipient=recipient, type=type, from_actor=from_actor, post=post)]
    )[0]


def _announce(ids: list[int], recipients: list[int]) -> None:
    # A listener that fails (a broker away) must not fail the request or task whose data is committed already.
    for receiver, outcome in notifications_created.send_robust(sender=Notification, ids=ids, recipients=recipients):
        if isinstance(outcome, Exception):
            log.error("announcing notifications %s to %r failed: %s", ids, receiver, outcome)


def follow_notify(*, recipient: Actor, from_actor: Actor, requested: bool) -> None:
    """A local actor has a new follower, or a follow request to decide (actors.hooks.follow_noticed)."""
    kind = NotificationType.FOLLOW_REQUEST if requested else NotificationType.FOLLOW
    notification_add(recipient=recipient, type=kind, from_actor=from_actor)


def follows_notify(*, pairs: list[tuple[Actor, Actor]]) -> None:
    """Local actors have new followers: (recipient, follower) pairs, as follow_notify's, in one write."""
    notifications_add(notifications=[
        Notification(recipient=recipient, type=NotificationType.FOLLOW, from_actor=follower)
        for recipient, follower in pairs
    ])
