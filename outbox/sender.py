"""Sending one Delivery: sign per request, POST, record the result, schedule a retry with back-off."""

import logging
import threading
from datetime import timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.utils import timezone

from actors.models import Domain, SignatureScheme
from fediverse_node.protocol.fetcher import FetchError, SafeFetcher
from fediverse_node.protocol.keys import load_private_key
from fediverse_node.protocol.signatures import sign_cavage, sign_rfc9421

from .models import Delivery, DeliveryState

log = logging.getLogger(__name__)
_local = threading.local()
# How long a worker holds a delivery it is sending; a worker that dies lets it go after this.
LEASE = timedelta(minutes=5)
# 4xx answers that mean "try again later"; any other 4xx is final (as Mastodon treats them).
RETRYABLE_4XX = {401, 408, 409, 425, 429}


def _session() -> SafeFetcher:
    """One kept-alive HTTP session per worker thread."""
    if getattr(_local, "fetcher", None) is None:
        _local.fetcher = SafeFetcher(
            allow_private=settings.FEDINODE_INSECURE_HTTP,
            user_agent=f"fediverse-node/{settings.FEDINODE_VERSION} (+{settings.FEDINODE_BASE_URL})",
            timeout=15,
        )
    return _local.fetcher


def delivery_claim(delivery_id: int) -> Delivery | None:
    """Take a due pending delivery for this worker, or None if another has it or it is not due."""
    now = timezone.now()
    claimed = Delivery.objects.filter(id=delivery_id, state=DeliveryState.PENDING, next_attempt_at__lte=now).update(
        next_attempt_at=now + LEASE
    )
    if not claimed:
        return None
    return Delivery.objects.select_related("activity__actor").get(id=delivery_id)


def _post(delivery: Delivery, scheme: str) -> int:
    actor = delivery.activity.actor
    key = load_private_key(actor.private_key_pem)
    body = bytes(delivery.activity.body)
    sign = sign_rfc9421 if scheme == SignatureScheme.RFC9421 else sign_cavage
    headers = sign(method="POST", url=delivery.inbox_url, body=body, key_id=actor.key_id, private_key=key)
    headers["Content-Type"] = 'application/ld+json; profile="https://www.w3.org/ns/activitystreams"'
    headers["Accept"] = "application/activity+json"
    response = _session().post(delivery.inbox_url, body, headers)
    return response.status_code


def delivery_send(delivery: Delivery) -> DeliveryState:
    """One attempt; double-knocks (RFC 9421, then draft-cavage after a 4xx) and remembers what the domain takes."""
    host = urlsplit(delivery.inbox_url).netloc.lower()
    domain, _ = Domain.objects.get_or_create(name=host)
    schemes = [domain.signature_scheme] if domain.signature_scheme else [SignatureScheme.RFC9421, SignatureScheme.CAVAGE]
    status, error = None, ""
    for scheme in schemes:
        try:
            status = _post(delivery, scheme)
        except FetchError as exc:
            status, error = exc.status, str(exc)
            break
        if status < 400:
            if domain.signature_scheme != scheme:
                Domain.objects.filter(pk=domain.pk).update(signature_scheme=scheme)
            break
        error = f"HTTP {status}"
        if not 400 <= status < 500:
            break
    return _record(delivery, status, error)


def _record(delivery: Delivery, status: int | None, error: str) -> DeliveryState:
    now = timezone.now()
    delivery.attempts += 1
    delivery.last_status = status
    if status is not None and status < 400:
        delivery.state, delivery.sent_at, delivery.last_error = DeliveryState.SENT, now, ""
    elif status is not None and 400 <= status < 500 and status not in RETRYABLE_4XX:
        delivery.state, delivery.last_error = DeliveryState.GIVEN_UP, error
    elif now - delivery.created_at > timedelta(seconds=settings.FEDINODE_DELIVERY_GIVE_UP_AFTER):
        delivery.state, delivery.last_error = DeliveryState.GIVEN_UP, error
    else:
        backoff = settings.FEDINODE_DELIVERY_FIRST_RETRY * 2 ** min(delivery.attempts - 1, 16)
        delivery.next_attempt_at = now + timedelta(seconds=backoff)
        delivery.last_error = error
    if delivery.state != DeliveryState.SENT:
        log.info("delivery %s to %s: %s", delivery.pk, delivery.inbox_url, error or delivery.state)
    delivery.save(update_fields=["attempts", "last_status", "state", "sent_at", "last_error", "next_attempt_at"])
    return delivery.state
