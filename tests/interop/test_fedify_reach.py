"""Interoperability round two with an independent Fedify server, the cases tests/federation proves between our own
nodes: a Fedify post found by its link through the client API and answered (reply, favourite, boost), and Fedify
as the third server that a reply and its Delete reach only by inbox forwarding (ActivityPub §7.1.2). What counts is
what Fedify let through to its listeners: it verified each activity first (an HTTP signature by the actor, or the
author's Object Integrity Proof when another server forwards it)."""

import json

from tests.api_session import log_in, mastodon_py, reply_like_boost
from tests.nodes import wait_until


def _object_id(activity: dict) -> str | None:
    obj = activity.get("object")
    return obj.get("id") if isinstance(obj, dict) else obj


def test_a_fedify_post_is_found_by_its_link_and_answered(start_node, peer):
    node = start_node("ours")
    node.cli("createorg", "leser", "--email", "l@example.org", "--password", "leser-pass-1")
    leser_uri = node.actor_url("leser")
    post = peer.publish("<p>Wer kommt zum Fachtag Inklusion?</p>")["id"]

    leser = mastodon_py(node.base, username="leser", password="leser-pass-1")
    assert leser.search_v2(post, resolve=False).statuses == []  # nothing of the peer's is held here yet
    found = leser.search_v2(post, resolve=True).statuses
    assert [s.uri for s in found] == [post] and "Fachtag Inklusion" in found[0].content
    assert found[0].account.uri == peer.actor_url
    assert found[0].account.acct == f"fedi@{peer.host}:{peer.port}"

    reply_like_boost(leser, found[0].id, reply="Wir sind dabei!")

    def ours(kind: str) -> dict:
        return peer.wait_for(lambda a: a["type"] == kind and a["activity"].get("actor") == leser_uri)

    create = ours("Create")
    note = create["activity"]["object"]
    assert note["type"] == "Note" and note["inReplyTo"] == post and "dabei" in note["content"]
    assert note["attributedTo"] == leser_uri
    assert _object_id(ours("Like")["activity"]) == post
    assert _object_id(ours("Announce")["activity"]) == post
    assert {a["keyId"] for a in peer.received() if a["activity"].get("actor") == leser_uri} == {f"{leser_uri}#main-key"}


def test_fedify_as_third_server_gets_a_reply_and_its_delete_by_forwarding(start_node, peer):
    node_a, node_b = start_node("a"), start_node("b")
    node_a.cli("createorg", "verein", "--email", "v@example.org", "--password", "verein-pass-1")
    node_b.cli("createorg", "pflege", "--email", "p@example.org", "--password", "pflege-pass-1")
    verein_uri, pflege_uri = node_a.actor_url("verein"), node_b.actor_url("pflege")
    verein = log_in(node_a.base, username="verein", password="verein-pass-1")
    pflege = log_in(node_b.base, username="pflege", password="pflege-pass-1")

    peer.follow(verein_uri)
    wait_until(lambda: verein_uri in peer.following(), message="A's Accept at the Fedify peer")
    status = verein.ok("POST", "/api/v1/statuses", data={"status": "Wer bringt Kuchen zum Sommerfest?"})
    peer.wait_for(lambda a: a["type"] == "Create" and _object_id(a["activity"]) == status["uri"])

    reply = pflege.ok("POST", "/api/v1/statuses", data={"status": "Wir backen zwei!",
                                                       "in_reply_to_id": pflege.status_by_url(status["url"])["id"]})
    created = peer.wait_for(lambda a: a["type"] == "Create" and _object_id(a["activity"]) == reply["uri"], timeout=60)
    assert created["activity"]["actor"] == pflege_uri
    note = created["activity"]["object"]
    assert note["attributedTo"] == pflege_uri and note["inReplyTo"] == status["uri"] and "zwei" in note["content"]
    assert created["keyId"] == f"{verein_uri}#main-key"  # A's signature on the request: A forwarded it
    sent_by_b = _sent(node_b, created["activity"]["id"])
    assert json.loads(created["raw"]) == sent_by_b  # the original, with B's proof, not a copy A made
    assert sent_by_b["proof"]["verificationMethod"].startswith(f"{pflege_uri}#")
    assert peer.actor_url not in node_b.get_json(f"{pflege_uri}/followers?page=1")["orderedItems"]

    pflege.ok("DELETE", f"/api/v1/statuses/{reply['id']}")
    deleted = peer.wait_for(lambda a: a["type"] == "Delete" and a["activity"].get("actor") == pflege_uri, timeout=60)
    assert _object_id(deleted["activity"]) == reply["uri"]
    assert deleted["keyId"] == f"{verein_uri}#main-key"
    assert json.loads(deleted["raw"]) == _sent(node_b, deleted["activity"]["id"])


def _sent(node, activity_id: str) -> dict:
    """The activity as the node stored it to send (outbox.OutgoingActivity)."""
    return node.query(
        f"from outbox.models import OutgoingActivity\nprint(bytes(OutgoingActivity.objects.get(uri={activity_id!r}).body).decode())"
    )
