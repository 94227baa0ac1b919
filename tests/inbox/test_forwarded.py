"""Forwarded activities (ActivityPub §7.1.2) arrive signed by the server that forwards them, not by their author:
they are believed only as far as the author's own server confirms them, never on the forwarder's word."""

import copy
from pathlib import Path

import orjson
import pytest

from actors.services.remote import actor_fetch, actor_upsert_from_document
from fediverse_node.protocol.keys import load_private_key
from fediverse_node.protocol.signatures import sign_cavage
from inbox.models import InboxItem
from posts.models import Post
from posts.services.remote import post_upsert_remote
from tests.interop.bovine_peer import BovinePeer

pytestmark = pytest.mark.django_db(transaction=True)
PUBLIC = "https://www.w3.org/ns/activitystreams#Public"


def _note(author: BovinePeer, number: int, text: str) -> dict:
    return {"id": f"{author.base}/notes/{number}", "type": "Note", "attributedTo": author.actor_id,
            "content": f"<p>{text}</p>", "to": [PUBLIC], "published": "2026-12-01T10:00:00Z"}


def _forward(client, forwarder: BovinePeer, activity: dict):
    """POST an activity to our shared inbox, signed by the forwarder (not by the activity's actor)."""
    body = orjson.dumps({"@context": "https://www.w3.org/ns/activitystreams", **activity})
    headers = sign_cavage(method="POST", url="http://testserver/inbox", body=body,
                          key_id=f"{forwarder.actor_id}#main-key", private_key=load_private_key(forwarder.private_pem))
    extra = {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in headers.items() if k.lower() != "host"}
    return client.post("/inbox", data=body, content_type="application/activity+json", HTTP_HOST="testserver", **extra)


def test_a_forwarded_delete_counts_only_once_the_authors_server_no_longer_has_the_post(client):
    with BovinePeer("autor") as author, BovinePeer("weiter") as forwarder:
        note = _note(author, 1, "Sommerfest")
        author.serve(note)
        post_upsert_remote(obj=note, author=actor_fetch(author.actor_id))
        delete = {"id": f"{author.base}/deletes/1", "type": "Delete", "actor": author.actor_id, "object": note["id"]}

        forged = _forward(client, forwarder, delete)
        assert forged.status_code == 401 and "still exists" in forged.json()["error"]
        assert Post.objects.filter(uri=note["id"]).exists() and not InboxItem.objects.exists()

        del author.documents["/notes/1"]  # now its own server answers 404
        assert _forward(client, forwarder, delete).status_code == 202
        assert not Post.objects.filter(uri=note["id"]).exists()


def test_a_forwarded_create_is_stored_as_the_authors_server_has_it_not_as_forwarded(client):
    with BovinePeer("autor") as author, BovinePeer("weiter") as forwarder:
        note = _note(author, 2, "Echt")
        author.serve(note)
        create = {"id": f"{author.base}/creates/2", "type": "Create", "actor": author.actor_id,
                  "object": {**note, "content": "<p>Gefälscht</p>"}, "to": [PUBLIC]}
        assert _forward(client, forwarder, create).status_code == 202
        assert "Echt" in Post.objects.get(uri=note["id"]).content

        elsewhere = {**create, "id": f"{author.base}/creates/3", "object": f"{forwarder.base}/notes/3"}
        assert _forward(client, forwarder, elsewhere).status_code == 401  # the object is not on the author's server


def test_other_forwarded_activities_are_refused(client):
    with BovinePeer("autor") as author, BovinePeer("weiter") as forwarder:
        like = {"id": f"{author.base}/likes/1", "type": "Like", "actor": author.actor_id,
                "object": "http://testserver/actors/x/posts/1"}
        assert _forward(client, forwarder, like).status_code == 401
        assert not InboxItem.objects.exists()


def test_a_forwarded_activity_with_its_authors_integrity_proof_is_taken_as_it_came(client):
    """FEP-8b32: an activity captured from Fedify, forwarded by another server while Fedify's server is away: its
    proof alone vouches for it; a changed copy falls back to the author's server, which does not answer."""
    captured = orjson.loads((Path(__file__).parent.parent / "protocol" / "data" / "fedify_create_with_proof.json")
                            .read_bytes())
    actor_upsert_from_document(captured["actor"], fetched_from=captured["actor"]["id"])
    activity = captured["activity"]
    with BovinePeer("weiter") as forwarder:
        tampered = copy.deepcopy(activity)
        tampered["id"] += "-copy"
        tampered["object"]["content"] = "<p>Gefälscht</p>"
        assert _forward(client, forwarder, tampered).status_code == 202
        assert InboxItem.objects.get(activity_id=tampered["id"]).payload["object"] == activity["object"]["id"]
        assert not Post.objects.exists()

        assert _forward(client, forwarder, activity).status_code == 202
        assert InboxItem.objects.get(activity_id=activity["id"]).payload["object"]["content"] == "<p>Hallo aus Fedify</p>"
        assert "Hallo aus Fedify" in Post.objects.get(uri=activity["object"]["id"]).content
