"""Authorized fetch (secure mode) with real processes: unsigned ActivityStreams GETs are refused, GETs signed by an
independent implementation (PyPI bovine) are served, a blocked server gets nothing, the website stays public, and
two nodes that both run in secure mode still follow each other and deliver posts."""

import requests

from tests.interop.bovine_peer import BovinePeer
from tests.nodes import wait_until

ACTIVITY = {"Accept": "application/activity+json"}
SECURE = {"FEDINODE_AUTHORIZED_FETCH": "1"}


def test_secure_mode_serves_signed_fetches_only(start_node):
    node = start_node("secure", env=SECURE)
    node.cli("createorg", "verein", "--email", "v@example.org", "--password", "verein-pass-1")
    post = node.cli("post", "verein", "Nur für Server, die sich ausweisen")
    actor = node.actor_url("verein")

    for url in (actor, post, f"{actor}/outbox?page=1", f"{actor}/followers"):
        unsigned = requests.get(url, headers=ACTIVITY, timeout=10)
        assert unsigned.status_code == 401 and "signed" in unsigned.json()["error"], url
    assert requests.get(actor, headers={"Accept": "text/html"}, timeout=10).status_code == 200  # the website
    node.query("from actors.services.local import instance_actor\ninstance_actor()\nprint(json.dumps(1))")
    instance = requests.get(f"{node.base}/actors/instance.actor", headers=ACTIVITY, timeout=10)
    assert instance.status_code == 200 and instance.json()["publicKey"]["publicKeyPem"]
    assert requests.get(f"{node.base}/.well-known/webfinger?resource=acct:verein@{node.domain}", timeout=10).ok

    with BovinePeer("leser") as reader, BovinePeer("gesperrt") as blocked:
        # blocked before any signed request reaches the node: each process reads the blocklist at its first use
        node.query(
            "from actors.services.domains import domain_block\n"
            f"domain_block(name={blocked.base.removeprefix('http://')!r})\nprint(json.dumps(1))"
        )
        status, text = reader.get(actor)
        assert status == 200 and '"Organization"' in text
        status, text = reader.get(post)
        assert status == 200 and "Nur für Server" in text
        for url in (actor, post):
            status, text = blocked.get(url)
            assert status == 403 and "blocked" in text


def test_two_secure_nodes_follow_each_other_and_deliver(start_node):
    node_a, node_b = start_node("a", env=SECURE), start_node("b", env=SECURE)
    node_a.cli("createorg", "sender", "--email", "s@example.org", "--password", "sender-pass-1")
    node_b.cli("createorg", "reader", "--email", "r@example.org", "--password", "reader-pass-1")
    node_b.cli("follow", "reader", f"@sender@{node_a.domain}")
    wait_until(lambda: node_b.actor_url("reader") in node_a.query(
        "from actors.models import Follow\n"
        "print(json.dumps(list(Follow.objects.filter(target__username='sender', state='accepted')"
        ".values_list('follower__uri', flat=True))))"), message="the follow accepted across two secure nodes")
    post = node_a.cli("post", "sender", "Hallo aus dem sicheren Modus")
    wait_until(lambda: node_b.query(
        f"from posts.models import Post\nprint(json.dumps(Post.objects.filter(uri={post!r}).exists()))"
    ), message="the post at the secure follower")
