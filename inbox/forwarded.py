"""Receiving a forwarded activity (ActivityPub §7.1.2): signed by the server that forwards it, not by its author.
The forwarder's signature proves only who forwarded it. An activity with its author's Object Integrity Proof
(FEP-8b32, eddsa-jcs-2022, as Fedify sends) is taken as it came; otherwise it is believed only as far as its
author's own server confirms it: a Create or Update keeps just its object's id (the worker fetches the object from
its origin), a Delete counts only when the object is gone from its origin. Nothing else is taken forwarded."""

from actors.services.remote import ResolveError, actor_fetch, fetcher, origin
from fediverse_node.protocol.fetcher import FetchError
from fediverse_node.protocol.integrity import ProofError, ed25519_key_from_multikey, proof_verify
from fediverse_node.protocol.vocab.values import as_list, id_of

FORWARDABLE = ("Create", "Update", "Delete")
GONE = (404, 410)


class NotConfirmed(Exception):
    """The author's server does not confirm the forwarded activity (the message says why)."""


def forwarded_payload(activity: dict) -> dict:
    """What to store of a forwarded activity once its author's proof or origin confirms it; NotConfirmed otherwise."""
    if "proof" in activity:
        try:
            proof_verify(activity, key_for=_author_key_for(id_of(activity["actor"]) or ""))
            return activity
        except ProofError:
            pass  # no usable proof: the author's server may still confirm it
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


def _author_key_for(actor_uri: str):
    """A key lookup for proof_verify: only an Ed25519 Multikey the actor's own document lists as an assertionMethod
    it controls (the document refetched once when the key is not there: keys rotate)."""

    def key_for(method: str):
        for refresh in (False, True):
            try:
                document = actor_fetch(actor_uri, refresh=refresh).document or {}
            except ResolveError as error:
                raise ProofError(f"Cannot get the author's keys: {error}") from None
            for key in as_list(document.get("assertionMethod")):
                if isinstance(key, dict) and key.get("id") == method and key.get("controller") == actor_uri:
                    return ed25519_key_from_multikey(key.get("publicKeyMultibase"))
        raise ProofError(f"The author does not list the key {method}.")

    return key_for
