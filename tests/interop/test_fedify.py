"""Interop with an independent server built on npm @fedify/fedify: it follows our org, receives its Note
(our signatures verify there), replies (its RFC 9421 signatures verify here), and our node stores the reply."""

import pytest

from tests.interop.fedify_peer import FedifyPeer
from tests.nodes import free_loopback_address, wait_until


@pytest.fixture
def peer(fedify_available):
    host, port = free_loopback_address()
    with FedifyPeer(host, port, name="fedi") as peer:
        yield peer


def test_fedify_follows_receives_and_replies(start_node, peer):
    node = start_node("ours")
    node.cli("createorg", "praxis", "--email", "p@example.org", "--password", "praxis-pass-1")
    org = node.actor_url("praxis")

    peer.follow(org)
    wait_until(lambda: org in peer.following(), message="our Accept at the Fedify peer")
    followers = node.get_json(f"{org}/followers?page=1")["orderedItems"]
    assert peer.actor_url in followers

    post_uri = node.cli("post", "praxis", "Neues aus der Praxis #GleichImNetz")
    create = peer.wait_for(lambda a: a["type"] == "Create" and _object_id(a["activity"]) == post_uri)
    assert create["activity"]["actor"] == org

    reply = peer.note(org, "<p>Danke für den Bericht!</p>", in_reply_to=post_uri)
    stored = wait_until(
        lambda: node.query(
            "from posts.models import Post\n"
            f"p = Post.objects.filter(uri={reply['id']!r}).first()\n"
            "print(json.dumps(p and [p.in_reply_to.uri if p.in_reply_to else None, p.content, p.author.uri]))"
        ),
        message="the Fedify reply stored",
    )
    assert stored[0] == post_uri and "Danke" in stored[1] and stored[2] == peer.actor_url
    schemes = node.query(
        "from actors.models import Domain\n"
        "print(json.dumps(dict(Domain.objects.values_list('name', 'signature_scheme'))))"
    )
    assert schemes[f"{peer.host}:{peer.port}"] == "rfc9421", schemes
    notified = node.query(
        "from posts.models import Notification\n"
        "print(json.dumps(list(Notification.objects.filter(recipient__username='praxis').values_list('type', flat=True))))"
    )
    assert "mention" in notified and "follow" in notified


def _object_id(activity: dict) -> str | None:
    obj = activity.get("object")
    return obj.get("id") if isinstance(obj, dict) else obj
