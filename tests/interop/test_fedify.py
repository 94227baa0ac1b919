"""Interop with an independent server built on npm @fedify/fedify: it follows our org, receives the Note posted
through our client API (our signatures verify there), replies (its RFC 9421 signatures verify here), and the reply
shows up in the poster's notifications."""

import requests

from tests.api_session import log_in
from tests.nodes import wait_until


def test_fedify_follows_receives_and_replies(start_node, peer):
    node = start_node("ours")
    node.cli("createorg", "praxis", "--email", "p@example.org", "--password", "praxis-pass-1")
    org = node.actor_url("praxis")

    peer.follow(org)
    wait_until(lambda: org in peer.following(), message="our Accept at the Fedify peer")
    followers = node.get_json(f"{org}/followers?page=1")["orderedItems"]
    assert peer.actor_url in followers

    api = log_in(node.base, username="praxis", password="praxis-pass-1")
    status = api.ok("POST", "/api/v1/statuses", data={"status": "Neues aus der Praxis #GleichImNetz"})
    post_uri = status["uri"]
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
    notifications = api.ok("GET", "/api/v1/notifications")
    assert {n["type"] for n in notifications} == {"mention", "follow"}
    mention = next(n for n in notifications if n["type"] == "mention")
    assert mention["status"]["in_reply_to_id"] == status["id"] and "Danke" in mention["status"]["content"]
    assert mention["account"]["uri"] == peer.actor_url


def test_fedify_receives_a_blog_article_and_its_reply_shows_on_the_website(start_node, peer):
    node = start_node("ours")
    node.cli("createorg", "praxis", "--email", "p@example.org", "--password", "praxis-pass-1",
             "--city", "Berlin", "--state", "BE")  # with its listed member profile
    org = node.actor_url("praxis")
    peer.follow(org)
    wait_until(lambda: org in peer.following(), message="our Accept at the Fedify peer")
    article_uri, article_id = node.query(
        "from actors.models import Actor\nfrom posts.services.publishing import post_create\n"
        "p = post_create(author=Actor.objects.get(username='praxis'), type='Article', name='Digitale Sprechstunde',"
        " text='Seit März beraten wir **online**.')\nprint(json.dumps([p.uri, p.id]))"
    )
    create = peer.wait_for(lambda a: a["type"] == "Create" and _object_id(a["activity"]) == article_uri)
    article = create["activity"]["object"]
    assert article["type"] == "Article" and article["name"] == "Digitale Sprechstunde"
    assert "<strong>online</strong>" in article["content"]

    peer.note(org, "<p>Spannend, wie lange dauert ein Termin?</p>", in_reply_to=article_uri)
    wait_until(
        lambda: "wie lange dauert ein Termin" in requests.get(f"{node.base}/blog/{article_id}/", timeout=10).text,
        message="the Fedify reply under the article on the website",
    )


def _object_id(activity: dict) -> str | None:
    obj = activity.get("object")
    return obj.get("id") if isinstance(obj, dict) else obj
