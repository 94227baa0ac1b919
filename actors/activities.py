"""The ActivityStreams envelope of everything we send: the context, times, fresh activity ids, and the activities
that only point at their object (Follow, Accept, Block, Undo, Flag…). Posts render theirs in posts/activities.py."""

import uuid
from datetime import UTC

from fediverse_node.activitystreams import AS_CONTEXT

from .models import Actor

TOOT_CONTEXT = {
    "sensitive": "as:sensitive",
    "Hashtag": "as:Hashtag",
    "toot": "http://joinmastodon.org/ns#",
    "focalPoint": {"@container": "@list", "@id": "toot:focalPoint"},
    "blurhash": "toot:blurhash",
    "discoverable": "toot:discoverable",
    "suspended": "toot:suspended",
    "manuallyApprovesFollowers": "as:manuallyApprovesFollowers",
    "schema": "http://schema.org#",
    "PropertyValue": "schema:PropertyValue",
    "value": "schema:value",
}
CONTEXT = [AS_CONTEXT, "https://w3id.org/security/v1", TOOT_CONTEXT]


def iso(dt) -> str:
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def activity_id(actor: Actor, kind: str) -> str:
    """A fresh id for an activity that has no page of its own (Follow, Like, Undo…), under the actor's id."""
    return f"{actor.uri}#{kind}/{uuid.uuid4()}"


def with_context(document: dict) -> dict:
    return {"@context": CONTEXT, **document}


def simple_activity(*, id: str, type: str, actor: Actor, object, to: list[str] | None = None) -> dict:
    """Follow, Accept, Reject, Like, Undo…: an activity that only points at its object."""
    document = {"id": id, "type": type, "actor": actor.uri, "object": object}
    if to:
        document["to"] = to
    return with_context(document)
