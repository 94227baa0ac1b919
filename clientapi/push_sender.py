"""Encrypting a Web Push message and posting it to a subscription's endpoint (push services are remote and
untrusted: the post goes through the safe fetcher, with its private-address guard).

The crypto is done by libraries: `http_ece` encrypts the content (RFC 8291's aes128gcm, or the older draft's
aesgcm that Mastodon sends and its clients decrypt), `py_vapid` signs the VAPID claims (RFC 8292)."""

import base64
import functools
import os
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

import http_ece
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from django.conf import settings
from py_vapid import Vapid01, Vapid02

from fediverse_node.outgoing import poster
from fediverse_node.protocol.fetcher import FetchError

# How long a push service keeps a message for an offline device (Mastodon: 48 hours).
TTL_SECONDS = 48 * 3600
VAPID_VALID_SECONDS = 12 * 3600


class PushKeyError(ValueError):
    """A subscription's keys that cannot be used (not a P-256 point, not a 16-byte secret)."""


@dataclass(frozen=True)
class PushMessage:
    body: bytes
    headers: dict[str, str]


def b64url_decode(text: str) -> bytes:
    """Base64url with or without padding (clients send both, some in the standard alphabet)."""
    text = text.strip().replace("+", "-").replace("/", "_")
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def push_keys_check(*, p256dh: str, auth: str) -> None:
    """Refuse keys no push could be encrypted for; raises PushKeyError saying which."""
    try:
        ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), b64url_decode(p256dh))
    except ValueError:
        raise PushKeyError("subscription[keys][p256dh] is not a P-256 public key in base64url") from None
    try:
        secret = b64url_decode(auth)
    except ValueError:
        secret = b""
    if len(secret) != 16:
        raise PushKeyError("subscription[keys][auth] is not a 16-byte secret in base64url")


@functools.cache
def _vapid(kind: type) -> Vapid01:
    """The node's VAPID signer, parsed once per process. Not strict about `sub`: py_vapid's check refuses a contact
    address on a host without a dot (an intranet or test node), and the address is the operator's to choose."""
    key = serialization.load_pem_private_key(settings.FEDINODE_VAPID_PRIVATE_KEY_PEM, password=None)
    return kind(private_key=key, conf={"no-strict": True})


def push_message_encrypt(*, endpoint: str, p256dh: str, auth: str, standard: bool, payload: bytes) -> PushMessage:
    """The encrypted body and the headers of one push to a subscription."""
    receiver_key, secret = b64url_decode(p256dh), b64url_decode(auth)
    sender_key = ec.generate_private_key(ec.SECP256R1())  # one per message (RFC 8291 section 3.4)
    salt = os.urandom(16)
    endpoint_parts = urlsplit(endpoint)
    claims = {
        "aud": f"{endpoint_parts.scheme}://{endpoint_parts.netloc}",
        "sub": f"mailto:{settings.FEDINODE_CONTACT_EMAIL}",
        "exp": int(time.time()) + VAPID_VALID_SECONDS,
    }
    headers = {"Content-Type": "application/octet-stream", "TTL": str(TTL_SECONDS), "Urgency": "normal"}
    if standard:
        body = http_ece.encrypt(payload, salt=salt, private_key=sender_key, dh=receiver_key, auth_secret=secret,
                                version="aes128gcm")
        headers |= {"Content-Encoding": "aes128gcm", **_vapid(Vapid02).sign(claims)}
    else:
        body = http_ece.encrypt(payload, salt=salt, private_key=sender_key, dh=receiver_key, auth_secret=secret,
                                version="aesgcm")
        sender_public = sender_key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        # the draft's headers: the salt apart, the sender's key beside the VAPID key in Crypto-Key
        headers |= {"Content-Encoding": "aesgcm", "Encryption": f"salt={_b64url(salt)}",
                    **_vapid(Vapid01).sign(claims, crypto_key=f"dh={_b64url(sender_public)}")}
    return PushMessage(body=body, headers=headers)


def push_post(*, endpoint: str, message: PushMessage) -> int:
    """POST the message to the push service; its HTTP status, or FetchError (refused address, network failure)."""
    return poster().post(endpoint, message.body, message.headers)


__all__ = ["FetchError", "PushKeyError", "PushMessage", "push_keys_check", "push_message_encrypt", "push_post"]
