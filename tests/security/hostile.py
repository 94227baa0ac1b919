"""Helpers of the hostile-case tests: two loopback peers, hand-made signatures and a snapshot of what is stored.

The signatures here are computed by the test itself (not by the production signer), so a case can sign exactly the
headers it wants to abuse.
"""

import base64
import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding

from actors.models import Actor, Follow
from fediverse_node.protocol.keys import generate_rsa_keypair, load_private_key
from posts.models import Attachment, Like, Post
from tests.interop.bovine_peer import BovinePeer

AS = "https://www.w3.org/ns/activitystreams"
PUBLIC = f"{AS}#Public"
INBOX_URL_PATH = "/inbox"
HOST = "testserver"
STANDARD_NAMES = ("(request-target)", "host", "date", "digest")


@dataclass
class World:
    """The cast of a hostile case: the sender (peer), a second actor on the sender's server (mate), a third-party
    server (other) and the local organisation that is addressed (target)."""

    peer: BovinePeer
    other: BovinePeer
    target: Actor
    mate_id: str
    mate_private_pem: str

    def note(self, server: BovinePeer, slug: str, *, author: str | None = None, content: str = "Hallo") -> dict:
        return {
            "@context": AS, "id": f"{server.base}/notes/{slug}", "type": "Note",
            "attributedTo": author or server.actor_id, "content": content, "to": [PUBLIC],
            "published": "2025-01-01T10:00:00Z",
        }

    def activity(self, kind: str, obj, *, slug: str = "1", actor: str | None = None) -> dict:
        return {
            "@context": AS, "id": f"{self.peer.base}/activities/{kind.lower()}-{slug}", "type": kind,
            "actor": actor or self.peer.actor_id, "object": obj, "to": [PUBLIC],
        }

    def follow(self, slug: str = "1") -> dict:
        return self.activity("Follow", self.target.uri, slug=slug)


def add_mate(peer: BovinePeer) -> tuple[str, str]:
    """A second actor on the peer's server, with a key of its own; (actor id, private PEM)."""
    private_pem, public_pem = generate_rsa_keypair()
    mate_id = f"{peer.base}/mate"
    peer.serve({
        "@context": [AS, "https://w3id.org/security/v1"], "id": mate_id, "type": "Person",
        "preferredUsername": "mate", "inbox": f"{mate_id}/inbox",
        "publicKey": {"id": f"{mate_id}#main-key", "owner": mate_id, "publicKeyPem": public_pem},
    })
    return mate_id, private_pem


def digest_of(body: bytes) -> str:
    return "SHA-256=" + base64.b64encode(hashlib.sha256(body).digest()).decode()


def http_date(moment: datetime | None = None) -> str:
    return format_datetime((moment or datetime.now(UTC)).astimezone(UTC), usegmt=True)


def signed_headers(
    body: bytes, *, key_id: str, private_pem: str, names=STANDARD_NAMES, claimed_names=None,
    date: str | None = None, digest: str | None = None, signed_values: dict | None = None,
    algorithm: str = "rsa-sha256", send_digest: bool = True,
) -> dict:
    """Headers of a draft-cavage signed POST to /inbox. `claimed_names` is what the Signature header says was
    signed (defaults to `names`); `signed_values` overrides what went into the signing string."""
    values = {
        "(request-target)": f"post {INBOX_URL_PATH}", "host": HOST, "date": date or http_date(),
        "digest": digest or digest_of(body),
    }
    signing = {**values, **(signed_values or {})}
    message = "\n".join(f"{name}: {signing[name]}" for name in names).encode()
    signature = base64.b64encode(
        load_private_key(private_pem).sign(message, padding.PKCS1v15(), hashes.SHA256())
    ).decode()
    listed = " ".join(claimed_names or names)
    headers = {
        "Date": values["date"],
        "Signature": f'keyId="{key_id}",algorithm="{algorithm}",headers="{listed}",signature="{signature}"',
    }
    if send_digest:
        headers["Digest"] = values["digest"]
    return headers


def peer_headers(world: World, body: bytes, **options) -> dict:
    """Signed by the peer's own key, unless the options say otherwise."""
    options.setdefault("key_id", f"{world.peer.actor_id}#main-key")
    options.setdefault("private_pem", world.peer.private_pem)
    return signed_headers(body, **options)


def post_to_inbox(client, body: bytes, headers: dict, **extra):
    meta = {f"HTTP_{name.upper().replace('-', '_')}": value for name, value in headers.items()}
    return client.post(
        INBOX_URL_PATH, data=body, content_type="application/activity+json", HTTP_HOST=HOST, **meta, **extra
    )


def stored_state() -> tuple:
    """What a refused activity must not change: posts, follows, likes, attachments and actors' visible fields."""
    return (
        sorted(Post.objects.values_list("uri", "content", "author__uri", "edited_at", "boost_of__uri")),
        sorted(Follow.objects.values_list("uri", "state", "follower__uri", "target__uri")),
        sorted(Like.objects.values_list("uri", "actor__uri")),
        Attachment.objects.count(),
        sorted(Actor.objects.values_list("uri", "deleted", "display_name", "summary")),
    )

