"""Object Integrity Proofs on what we publish (FEP-8b32): an activity to the public or to followers carries its
author's proof, checked against the key the actor document lists; a message to named people only does not; a
forwarded activity goes on exactly as it came, with its author's proof and never ours."""

import orjson
import pytest

from actors.documents import actor_document
from actors.services.local import organization_create
from fediverse_node.protocol.integrity import ProofError, ed25519_key_from_multikey, proof_verify
from fediverse_node.protocol.vocab import PUBLIC
from outbox.models import OutgoingActivity
from outbox.services import activity_forward, activity_publish

pytestmark = pytest.mark.django_db

REMOTE_INBOX = "http://127.0.0.1:9/inbox"


def _org(username: str):
    return organization_create(username=username, email=f"{username}@example.org", password=None)


def _stored(uri: str) -> dict:
    return orjson.loads(bytes(OutgoingActivity.objects.get(uri=uri).body))


def _key_for(document: dict):
    def key_for(method: str):
        for key in document["assertionMethod"]:
            if key["id"] == method and key["controller"] == document["id"]:
                return ed25519_key_from_multikey(key["publicKeyMultibase"])
        raise ProofError(f"not listed: {method}")

    return key_for


def _activity(actor, name: str, **addressing) -> dict:
    return {"@context": ["https://www.w3.org/ns/activitystreams"], "id": f"{actor.uri}#{name}", "type": "Create",
            "actor": actor.uri, "object": {"id": f"{actor.uri}/posts/{name}", "type": "Note", "content": name},
            **addressing}


def test_public_and_followers_activities_carry_a_proof_the_actor_document_vouches_for():
    actor = _org("verein")
    document = actor_document(actor)
    assert "https://w3id.org/security/multikey/v1" in document["@context"]
    assert [k["type"] for k in document["assertionMethod"]] == ["Multikey"]
    for name, addressing in [("public", {"to": [PUBLIC]}), ("followers", {"to": [actor.followers_url]})]:
        activity_publish(actor=actor, activity=_activity(actor, name, **addressing), inboxes=[REMOTE_INBOX])
        stored = _stored(f"{actor.uri}#{name}")
        assert stored["proof"]["verificationMethod"] == actor.proof_key_id
        assert "https://w3id.org/security/data-integrity/v1" in stored["@context"]
        assert proof_verify(stored, key_for=_key_for(document)) == actor.proof_key_id


def test_a_direct_message_is_not_signed():
    actor = _org("verein")
    activity_publish(actor=actor, activity=_activity(actor, "direct", to=["http://127.0.0.1:9/users/a"]),
                     inboxes=[REMOTE_INBOX])
    assert "proof" not in _stored(f"{actor.uri}#direct")


def test_a_forwarded_activity_keeps_its_authors_proof_and_gets_none_of_ours():
    author, forwarder = _org("pflege"), _org("verein")
    activity_publish(actor=author, activity=_activity(author, "reply", to=[PUBLIC]), inboxes=[REMOTE_INBOX])
    original = _stored(f"{author.uri}#reply")
    OutgoingActivity.objects.filter(uri=original["id"]).delete()  # as if it came from another server
    activity_forward(actor=forwarder, activity=original, inboxes=[REMOTE_INBOX])
    assert _stored(original["id"]) == original
    assert proof_verify(original, key_for=_key_for(actor_document(author))) == author.proof_key_id
