"""Receiving a forwarded activity (ActivityPub §7.1.2): signed by the server that forwards it, not by its author.
The forwarder's signature proves only who forwarded it, so the activity is believed only as far as its author's own
server confirms it: a Create or Update keeps just its object's id (the worker fetches the object from its origin),
a Delete counts only when the object is gone from its origin. Nothing else is taken forwarded."""

from actors.services.remote import fetcher, origin
from fediverse_node.activitystreams import id_of
from fediverse_node.protocol.fetcher import FetchError

FORWARDABLE = ("Create", "Update", "Delete")
GONE = (404, 410)


class NotConfirmed(Exception):
    """The author's server does not confirm the forwarded activity (the message says why)."""


def forwarded_payload(activity: dict) -> dict:
    """What to store of a forwarded activity once its author's origin confirms it; NotConfirmed otherwise."""
    if activity["type"] not in FORWARDABLE:
        raise NotConfirmed(f"A forwarded {activity['type']} cannot be confirmed by its author's server.")
    actor_uri = id_of(activity["actor"]) or ""
    object_id = id_of(activity.get("object"))
    if not object_id or origin(object_id) != origin(actor_uri):
        raise NotConfirmed("A forwarded activity's object must be on its actor's server.")
    if activity["type"] == "Delete":
        _confirm_gone(object_id)
        return activity
    # Only the id travels on: the handler fetches the object from its own server, never the forwarder's copy.
    return {**activity, "object": object_id}


def _confirm_gone(object_id: str) -> None:
    """A forwarded Delete holds only if the object's own server no longer serves it (Mastodon answers 410 or 404,
    others a Tombstone)."""
    try:
        document = fetcher().get_json(object_id)
    except FetchError as error:
        if error.status in GONE:
            return
        raise NotConfirmed(f"Could not confirm the deletion of {object_id}: {error}") from None
    if document.get("type") != "Tombstone":
        raise NotConfirmed(f"{object_id} still exists on its server: the forwarded Delete is refused.")
