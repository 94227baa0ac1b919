"""Rendering local actors as ActivityStreams documents (with their public keys)."""

import re
from functools import lru_cache
from typing import Any

from django.conf import settings

from fediverse_node.protocol import vocab
from fediverse_node.protocol.integrity import multikey_of
from fediverse_node.protocol.keys import load_private_key

from .activities import AS_CONTEXT, TOOT_CONTEXT
from .models import Actor
from .services.local import local_actor_by_username

# An actor document: the activities' CONTEXT and the terms of its Multikey (assertionMethod: did/v1; Multikey:
# multikey/v1), without which JSON-LD readers such as Fedify drop the key and cannot check the actor's proofs.
ACTOR_CONTEXT = [AS_CONTEXT, "https://w3id.org/security/v1", "https://www.w3.org/ns/did/v1",
                 "https://w3id.org/security/multikey/v1", TOOT_CONTEXT]


@lru_cache(maxsize=4096)
def _multikey(private_pem: str) -> str:
    return multikey_of(load_private_key(private_pem).public_key())


def _assertion_methods(actor: Actor) -> tuple[vocab.Multikey, ...]:
    if not actor.proof_key_pem:
        return ()
    return (vocab.Multikey(id=actor.proof_key_id, controller=actor.uri,
                           public_key_multibase=_multikey(actor.proof_key_pem)),)


def _actor_model(actor: Actor, *, suspended: bool = False) -> vocab.Actor:
    """The typed document of a local actor; a suspended one carries identity, endpoints and key only."""
    key = actor.public_keys.order_by("id").first()
    profile: dict[str, Any] = {} if suspended else {
        "name": actor.display_name or actor.username,
        "summary": actor.summary,
        "manually_approves_followers": actor.manually_approves_followers,
        "discoverable": actor.discoverable,
        "fields": tuple(
            vocab.ProfileField(name=field.get("name", ""), value=field.get("value", "")) for field in actor.fields
        ),
        "icon": _absolute(actor.icon_url) if actor.icon_url else "",
        "image": _absolute(actor.image_url) if actor.image_url else "",
        "location": _place(actor),
    }
    return vocab.Actor(**{
        "id": actor.uri,
        "type": actor.type,
        "inbox": actor.inbox_url,
        "preferred_username": actor.username,
        "name": actor.username,
        "url": actor.url or actor.uri,
        "outbox": actor.outbox_url,
        "followers": actor.followers_url,
        "following": actor.following_url,
        "shared_inbox": actor.shared_inbox_url,
        "published": vocab.iso(actor.created_at),
        "public_keys": (vocab.PublicKey(id=key.key_id, owner=actor.uri, pem=key.pem),) if key is not None else (),
        "assertion_methods": _assertion_methods(actor),
        "suspended": suspended,
        **profile,
    })


def actor_document(actor: Actor) -> dict:
    """The actor document peers fetch: identity, endpoints, collections, key and profile fields."""
    return {"@context": ACTOR_CONTEXT, **_actor_model(actor).render()}


def actor_document_suspended(actor: Actor) -> dict:
    """What a suspended actor's URL serves, as Mastodon does: who it is, where to reach it and its key (so peers
    can still verify the Delete we sent and, after an undo, the Update), `suspended: true` and nothing of the
    profile."""
    return {"@context": ACTOR_CONTEXT, **_actor_model(actor, suspended=True).render()}


def _place(actor: Actor) -> vocab.Place | None:
    """A member's public position as an ActivityStreams Place (the profile is community's: read, not imported)."""
    profile = getattr(actor, "member_profile", None)
    if profile is None or not profile.location_public or profile.latitude is None or profile.longitude is None:
        return None
    return vocab.Place(name=profile.city or "", latitude=round(profile.latitude, 5), longitude=round(profile.longitude, 5))


def _absolute(url: str) -> str:
    return url if url.startswith(("http://", "https://")) else settings.FEDINODE_BASE_URL + url


URI_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


def webfinger_resource_valid(resource: str) -> bool:
    """RFC 7033 §4.2: the resource is a URI, so it has a scheme; `user@host` or `=acct:…` is malformed (400)."""
    return bool(URI_SCHEME.match(resource))


def webfinger_actor(resource: str) -> Actor | None:
    """The local actor a WebFinger resource names: acct:user@our-domain, or an actor URL (or its /@user page)."""
    if resource.startswith(("http://", "https://")):
        actor = Actor.objects.filter(uri=resource, local=True, deleted=False).first()
        if actor is None and resource.startswith(settings.FEDINODE_BASE_URL + "/@"):
            actor = local_actor_by_username(resource.rsplit("/@", 1)[1])
        return actor
    user, _, host = resource.removeprefix("acct:").lstrip("@").partition("@")
    return local_actor_by_username(user) if host.lower() == settings.FEDINODE_DOMAIN.lower() else None


def webfinger_document(actor: Actor) -> dict:
    """RFC 7033's JRD for an actor: its id, profile page and remote-follow template."""
    return {
        "subject": f"acct:{actor.username}@{settings.FEDINODE_DOMAIN}",
        "aliases": [actor.uri, actor.url] if actor.url and actor.url != actor.uri else [actor.uri],
        "links": [
            {"rel": "self", "type": "application/activity+json", "href": actor.uri},
            {"rel": "http://webfinger.net/rel/profile-page", "type": "text/html", "href": actor.url or actor.uri},
            {"rel": "http://ostatus.org/schema/1.0/subscribe",
             "template": f"{settings.FEDINODE_BASE_URL}/authorize_interaction?uri={{uri}}"},
        ],
    }
