"""`/api/v1/push/subscription`: the access token's Web Push subscription (Mastodon's WebPushSubscription)."""

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from .http import USER, ApiError, Params, endpoint, not_found
from .push_models import ALERT_TYPES, PushSubscription
from .push_services import PushError, push_subscription_change, push_subscription_set

TRUE_WORDS = {"1", "true", "on", "yes"}


def push_subscription_entity(subscription: PushSubscription) -> dict:
    return {
        "id": str(subscription.id),
        "endpoint": subscription.endpoint,
        "standard": subscription.standard,
        "alerts": {name: bool(subscription.alerts.get(name)) for name in ALERT_TYPES},
        "server_key": settings.FEDINODE_VAPID_PUBLIC_KEY,
        "policy": subscription.policy,
    }


def _nested(params: Params, *path: str):
    """`a[b][c]` as a form key or a JSON object path: Mastodon.py and Tusky send forms, Elk and masto.js JSON."""
    value: Any = params.json
    for name in path:
        value = value.get(name) if isinstance(value, dict) else None
    if value is not None:
        return value
    return params.raw(path[0] + "".join(f"[{name}]" for name in path[1:]))


def _text(params: Params, *path: str) -> str:
    value = _nested(params, *path)
    if value is not None and not isinstance(value, str):
        raise ApiError(422, f"Validation failed: {path[0]}[{']['.join(path[1:])}] must be a string")
    return value or ""


def _flag(value) -> bool:
    return value if isinstance(value, bool) else str(value).strip().lower() in TRUE_WORDS


def _alerts(params: Params) -> dict[str, bool]:
    """The alerts sent, by Mastodon's names (`admin.sign_up` included)."""
    sent = _nested(params, "data", "alerts")
    if isinstance(sent, dict):
        return {str(name): _flag(value) for name, value in sent.items()}
    found: dict[str, bool] = {}
    for source in (params.form, params.query):
        for key in source:
            if key.startswith("data[alerts][") and key.endswith("]"):
                found[key[len("data[alerts]["):-1]] = _flag(source[key])
    return found


def _policy(params: Params) -> str | None:
    # Mastodon reads `data[policy]`; Mastodon.py sends a top-level `policy`
    return _text(params, "data", "policy") or params.str("policy") or None


def _subscription_of(caller) -> PushSubscription:
    subscription = PushSubscription.objects.filter(access_token_id=caller.token_id).first()
    if subscription is None:
        raise not_found()
    return subscription


@endpoint(auth=USER, scope="push")
def push_subscription_create(request: HttpRequest, caller, params: Params) -> dict:
    endpoint_url = _text(params, "subscription", "endpoint")
    p256dh, auth = _text(params, "subscription", "keys", "p256dh"), _text(params, "subscription", "keys", "auth")
    if not endpoint_url or not p256dh or not auth:
        raise ApiError(422, "Validation failed: subscription[endpoint] and subscription[keys][p256dh] and [auth] "
                            "are required")
    standard = _nested(params, "subscription", "standard")
    try:
        subscription = push_subscription_set(
            token_id=caller.token_id, actor=caller.actor, endpoint=endpoint_url, p256dh=p256dh, auth=auth,
            standard=standard is not None and _flag(standard), alerts=_alerts(params),
            policy=_policy(params),
        )
    except PushError as error:
        raise ApiError(422, f"Validation failed: {error}") from None
    return push_subscription_entity(subscription)


@endpoint(auth=USER, scope="push")
def push_subscription_get(request: HttpRequest, caller, params: Params) -> dict:
    return push_subscription_entity(_subscription_of(caller))


@endpoint(auth=USER, scope="push")
def push_subscription_update(request: HttpRequest, caller, params: Params) -> dict:
    try:
        subscription = push_subscription_change(
            subscription=_subscription_of(caller), alerts=_alerts(params),
            policy=_policy(params),
        )
    except PushError as error:
        raise ApiError(422, f"Validation failed: {error}") from None
    return push_subscription_entity(subscription)


@endpoint(auth=USER, scope="push")
def push_subscription_delete(request: HttpRequest, caller, params: Params) -> dict:
    PushSubscription.objects.filter(access_token_id=caller.token_id).delete()
    return {}
