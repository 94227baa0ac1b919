"""The ActivityStreams envelope of everything we send: the context, times, fresh activity ids, and the activities
that only point at their object (Follow, Accept, Block, Undo, Flag…). Posts render theirs in posts/activities.py."""

import uuid
from datetime import UTC

from fediverse_node.activitystreams import AS_CONTEXT
from fediverse_node.protocol import vocab

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
    "votersCount": "toot:votersCount",  # a Question's voters (JSON-LD readers such as Fedify drop it without this)
}
CONTEXT = [AS_CONTEXT, "https://w3id.org/security/v1", TOOT_CONTEXT]


def iso(dt) -> str:
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def activity_id(actor: Actor, kind: str) -> str:
    """A fresh id for an activity that has no page of its own (Follow, Like, Undo…), under the actor's id."""
    return f"{actor.uri}#{kind}/{uuid.uuid4()}"


def with_context(document: dict) -> dict:
    return {"@context": CONTEXT, **document}


def simple_activity(
    *, id: str, type: str, actor: Actor, object: str | dict | list[str], to: list[str] | None = None
) -> dict:
    """Follow, Accept, Reject, Like, Undo…: an activity that only points at its object (an id, or the activity
    it answers or undoes, already rendered)."""
    document = vocab.Activity(
        id=id, type=type, actor=actor.uri, to=tuple(to or ()),
        object=object if isinstance(object, dict) else None,
        object_id=object if isinstance(object, str) else "",
        object_ids=tuple(object) if isinstance(object, list) else (),
    ).render()
    # these name their one recipient in `to` or nobody: no empty `cc` (peers have always seen them without one)
    if not document.get("cc"):
        document.pop("cc", None)
    return with_context(document)
