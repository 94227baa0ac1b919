"""Rendering local actors as ActivityStreams documents (with their public key)."""

from django.conf import settings

from .activities import CONTEXT
from .models import Actor
from .services.local import local_actor_by_username


def _actor_core(actor: Actor) -> dict:
    """What every actor document carries, suspended or not: identity, endpoints, collections and key."""
    key = actor.public_keys.order_by("id").first()
    document = {
        "@context": CONTEXT,
        "id": actor.uri,
        "type": actor.type,
        "preferredUsername": actor.username,
        "name": actor.username,
        "url": actor.url or actor.uri,
        "inbox": actor.inbox_url,
        "outbox": actor.outbox_url,
        "followers": actor.followers_url,
        "following": actor.following_url,
        "endpoints": {"sharedInbox": actor.shared_inbox_url},
        "published": actor.created_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
    }
    if key is not None:
        document["publicKey"] = {"id": key.key_id, "owner": actor.uri, "publicKeyPem": key.pem}
    return document


def actor_document(actor: Actor) -> dict:
    """The actor document peers fetch: identity, endpoints, collections, key and profile fields."""
    document = _actor_core(actor)
    document.update({
        "name": actor.display_name or actor.username,
        "summary": actor.summary,
        "manuallyApprovesFollowers": actor.manually_approves_followers,
        "discoverable": actor.discoverable,
        "attachment": [
            {"type": "PropertyValue", "name": field.get("name", ""), "value": field.get("value", "")}
            for field in actor.fields
        ],
        "tag": [],
    })
    if actor.icon_url:
        document["icon"] = {"type": "Image", "url": _absolute(actor.icon_url)}
    if actor.image_url:
        document["image"] = {"type": "Image", "url": _absolute(actor.image_url)}
    place = _place(actor)
    if place:
        document["location"] = place
    return document


def actor_document_suspended(actor: Actor) -> dict:
    """What a suspended actor's URL serves, as Mastodon does: who it is, where to reach it and its key (so peers
    can still verify the Delete we sent and, after an undo, the Update), `suspended: true` and nothing of the
    profile."""
    return {**_actor_core(actor), "suspended": True}


def _place(actor: Actor) -> dict | None:
    """A member's public position as an ActivityStreams Place (the profile is community's: read, not imported)."""
    profile = getattr(actor, "member_profile", None)
    if profile is None or not profile.location_public or profile.latitude is None or profile.longitude is None:
        return None
    place = {"type": "Place", "latitude": round(profile.latitude, 5), "longitude": round(profile.longitude, 5)}
    if profile.city:
        place["name"] = profile.city
    return place


def _absolute(url: str) -> str:
    return url if url.startswith(("http://", "https://")) else settings.FEDINODE_BASE_URL + url


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
