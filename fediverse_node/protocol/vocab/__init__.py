"""One typed layer for ActivityStreams 2.0: the actor, object and activity models each domain package parses peers'
documents with and renders its own with. Pure protocol: no ORM, nothing of ours.

Parsing never raises anything but `VocabError`, whatever the input."""

from .activities import ACTIVITY_TYPES, Activity
from .actor import ACTOR_TYPES, Actor, Multikey, Place, ProfileField, PublicKey, key_owner
from .objects import POST_TYPES, Attachment, Hashtag, Link, Mention, PollOption, PostObject
from .values import (
    AS_CONTEXT,
    PUBLIC,
    PUBLIC_ALIASES,
    SECURITY_CONTEXT,
    VocabError,
    addresses,
    id_of,
    ids_of,
    iso,
)

__all__ = [
    "ACTIVITY_TYPES", "ACTOR_TYPES", "AS_CONTEXT", "POST_TYPES", "PUBLIC", "PUBLIC_ALIASES", "SECURITY_CONTEXT",
    "Activity", "Actor", "Attachment", "Hashtag", "Link", "Mention", "Multikey", "Place", "PollOption", "PostObject",
    "ProfileField", "PublicKey", "VocabError", "addresses", "id_of", "ids_of", "iso", "key_owner",
]
