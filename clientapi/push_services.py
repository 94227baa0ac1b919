"""Web Push: keeping an access token's subscription, choosing which notifications reach it, and sending one.

Pushes go out from the workers: a notification's listener (clientapi/apps.py) hands the new ids to a task
(clientapi/push_tasks.py), which sends each push here; a push service that is away is tried again with back-off,
and one that says the subscription is gone (a 4xx other than 408/429, as Mastodon reads them) ends it."""

import logging
from dataclasses import dataclass

import orjson
from django.conf import settings
from django.db import transaction

from actors.models import Actor, Follow, FollowState
from posts.models import Notification, NotificationType

from .entities.accounts import account_base, plain_text
from .push_models import ALERT_TYPES, PushPolicy, PushSubscription
from .push_sender import FetchError, push_keys_check, push_message_encrypt, push_post

log = logging.getLogger(__name__)
BODY_LENGTH = 140  # Mastodon truncates the body to this many characters
# Titles as Mastodon words them (its English `notification_mailer.<type>.subject`).
TITLES: dict[str, str] = {
    NotificationType.MENTION: "You were mentioned by {name}",
    NotificationType.STATUS: "{name} just posted",
    NotificationType.REBLOG: "{name} boosted your post",
    NotificationType.FOLLOW: "{name} is now following you",
    NotificationType.FOLLOW_REQUEST: "Pending follower: {name}",
    NotificationType.FAVOURITE: "{name} favorited your post",
    NotificationType.UPDATE: "{name} edited a post",
}


class PushError(ValueError):
    """A subscription request that cannot be kept (bad endpoint, keys, alert or policy)."""


def _alerts_clean(alerts: dict[str, bool], base: dict[str, bool] | None = None) -> dict[str, bool]:
    unknown = sorted(set(alerts) - set(ALERT_TYPES))
    if unknown:
        raise PushError(f"data[alerts] has unknown types: {', '.join(unknown)}")
    return {name: bool(alerts.get(name, (base or {}).get(name, False))) for name in ALERT_TYPES}


def _policy_clean(policy: str | None, default: str) -> str:
    if policy is None or policy == "":
        return default
    if policy not in PushPolicy.values:
        raise PushError(f"data[policy] must be one of {', '.join(PushPolicy.values)}")
    return policy


def _endpoint_clean(endpoint: str) -> str:
    scheme = endpoint.split("://", 1)[0].lower() if "://" in endpoint else ""
    allowed = ("https", "http") if settings.FEDINODE_INSECURE_HTTP else ("https",)
    if scheme not in allowed or len(endpoint) > 2000 or any(c.isspace() for c in endpoint):
        raise PushError("subscription[endpoint] must be an https URL")
    return endpoint


def push_subscription_set(
    *, token_id: int, actor: Actor, endpoint: str, p256dh: str, auth: str, standard: bool,
    alerts: dict[str, bool], policy: str | None,
) -> PushSubscription:
    """Subscribe the access token (replacing its subscription, if it had one)."""
    endpoint = _endpoint_clean(endpoint)
    try:
        push_keys_check(p256dh=p256dh, auth=auth)
    except ValueError as error:
        raise PushError(str(error)) from None
    fields = {"actor": actor, "endpoint": endpoint, "key_p256dh": p256dh, "key_auth": auth, "standard": standard,
              "alerts": _alerts_clean(alerts), "policy": _policy_clean(policy, PushPolicy.ALL)}
    with transaction.atomic():
        PushSubscription.objects.filter(access_token_id=token_id).delete()
        return PushSubscription.objects.create(access_token_id=token_id, **fields)


def push_subscription_change(
    *, subscription: PushSubscription, alerts: dict[str, bool], policy: str | None
) -> PushSubscription:
    """Change alerts and policy; alerts and a policy not named stay as they were."""
    subscription.alerts = _alerts_clean(alerts, base=subscription.alerts)
    subscription.policy = _policy_clean(policy, subscription.policy)
    subscription.save(update_fields=["alerts", "policy"])
    return subscription


@dataclass(frozen=True)
class PushTarget:
    subscription: PushSubscription
    notification: Notification


def _policy_allows(subscription: PushSubscription, notification: Notification, follows: set[tuple[int, int]]) -> bool:
    policy = subscription.policy
    if policy == PushPolicy.ALL:
        return True
    if policy == PushPolicy.FOLLOWED:
        return (notification.recipient_id, notification.from_actor_id) in follows
    if policy == PushPolicy.FOLLOWER:
        return (notification.from_actor_id, notification.recipient_id) in follows
    return False


def push_targets(*, notification_ids: list[int]) -> list[PushTarget]:
    """Each (subscription, notification) pair to push: the subscription's alert for the type is on and its policy
    lets the sender through."""
    notifications = list(
        Notification.objects.filter(id__in=notification_ids, dismissed=False, from_actor__suspended=False)
        .select_related("from_actor", "post")
    )
    if not notifications:
        return []
    subscriptions: dict[int, list[PushSubscription]] = {}
    for subscription in PushSubscription.objects.filter(
        actor_id__in={n.recipient_id for n in notifications}
    ).select_related("access_token"):
        subscriptions.setdefault(subscription.actor_id, []).append(subscription)
    pairs = {(n.recipient_id, n.from_actor_id) for n in notifications} | {
        (n.from_actor_id, n.recipient_id) for n in notifications
    }
    follows = set(
        Follow.objects.filter(
            follower_id__in={a for a, _ in pairs}, target_id__in={b for _, b in pairs}, state=FollowState.ACCEPTED
        ).values_list("follower_id", "target_id")
    ) & pairs
    return [
        PushTarget(subscription=subscription, notification=notification)
        for notification in notifications
        for subscription in subscriptions.get(notification.recipient_id, [])
        if subscription.alerts.get(notification.type) and _policy_allows(subscription, notification, follows)
    ]


def push_payload(*, subscription: PushSubscription, notification: Notification) -> bytes:
    """The JSON a client's service worker decrypts: Mastodon's Web::NotificationSerializer fields."""
    sender = notification.from_actor
    post = notification.post
    text = plain_text((post.summary or post.content) if post else sender.summary)
    if len(text) > BODY_LENGTH:
        text = text[: BODY_LENGTH - 3] + "..."
    title = TITLES.get(notification.type, "{name}").format(name=sender.display_name or sender.username)
    return orjson.dumps({
        "access_token": subscription.access_token.token,
        "preferred_locale": settings.LANGUAGE_CODE.split("-")[0],
        "notification_id": notification.id,
        "notification_type": notification.type,
        "icon": account_base(sender)["avatar_static"],
        "title": title,
        "body": text,
    })


class PushRetry(Exception):
    """The push service is away or busy: try again later."""


def push_send(*, target: PushTarget) -> None:
    """Encrypt and send one push; a subscription the push service says is gone is deleted; PushRetry when the
    service should be asked again later."""
    subscription = target.subscription
    message = push_message_encrypt(
        endpoint=subscription.endpoint, p256dh=subscription.key_p256dh, auth=subscription.key_auth,
        standard=subscription.standard, payload=push_payload(subscription=subscription, notification=target.notification),
    )
    try:
        status = push_post(endpoint=subscription.endpoint, message=message)
    except FetchError as error:
        raise PushRetry(str(error)) from None
    if 200 <= status < 300:
        return
    if 400 <= status < 500 and status not in (408, 429):
        log.info("push endpoint of subscription %s answered %s: subscription ended", subscription.id, status)
        PushSubscription.objects.filter(id=subscription.id).delete()
        return
    raise PushRetry(f"the push service answered HTTP {status}")


def push_targets_of(*, subscription_id: int, notification_id: int) -> list[PushTarget]:
    """One pair again (for a retry), if the subscription and notification still exist and still match."""
    return [t for t in push_targets(notification_ids=[notification_id]) if t.subscription.id == subscription_id]


def push_wanted(*, recipient_ids: list[int]) -> bool:
    """Whether any of these actors has a push subscription (one cheap query before a task)."""
    return PushSubscription.objects.filter(actor_id__in=recipient_ids).exists()
