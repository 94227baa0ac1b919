"""Publishing a post: the Create it renders, whom it addresses, and one Delivery per distinct inbox."""

import orjson
import pytest

from actors.services.local import organization_create
from fediverse_node.activitystreams import PUBLIC
from outbox.models import Delivery, OutgoingActivity
from posts.services.publishing import PostError, post_create, post_delete
from tests.factories import accepted_follow, remote_actor

pytestmark = pytest.mark.django_db


@pytest.fixture
def org():
    return organization_create(username="verein", email="v@example.org", password="verein-pass-1")


def sent(activity_type: str) -> dict:
    return orjson.loads(bytes(OutgoingActivity.objects.get(type=activity_type).body))


def test_create_goes_once_to_each_shared_inbox(org, monkeypatch):
    monkeypatch.setattr("outbox.services.deliveries_enqueue", lambda ids: None)
    for _ in range(5):
        accepted_follow(follower=remote_actor(host="a.example"), target=org)
    accepted_follow(follower=remote_actor(host="b.example", shared_inbox=False), target=org)
    post = post_create(author=org, text="Hallo #Pflege https://example.org/x", summary="Hinweis")
    inboxes = set(Delivery.objects.values_list("inbox_url", flat=True))
    assert len(inboxes) == 2
    assert "https://a.example/inbox" in inboxes
    create = sent("Create")
    assert create["actor"] == org.uri and create["object"]["id"] == post.uri
    assert create["to"] == [PUBLIC] and org.followers_url in create["cc"]
    note = create["object"]
    assert note["type"] == "Note" and note["summary"] == "Hinweis" and note["sensitive"] is True
    assert '<a href="https://example.org/x"' in note["content"]
    assert {"type": "Hashtag", "name": "#pflege"} .items() <= next(t for t in note["tag"] if t["type"] == "Hashtag").items()


def test_followers_only_and_direct_addressing(org, monkeypatch):
    monkeypatch.setattr("outbox.services.deliveries_enqueue", lambda ids: None)
    friend = remote_actor(host="c.example", username="freund")
    accepted_follow(follower=remote_actor(host="d.example"), target=org)
    private = post_create(author=org, text="Nur für Folgende", visibility="private")
    create = orjson.loads(bytes(OutgoingActivity.objects.get(uri=f"{private.uri}/activity").body))
    assert PUBLIC not in create["to"] + create["cc"] and create["to"] == [org.followers_url]
    from actors.models import Actor

    Actor.objects.filter(pk=friend.pk).update(domain="c.example")
    direct = post_create(author=org, text="Direkt", visibility="direct")
    direct.mentions.add(friend)
    assert OutgoingActivity.objects.filter(uri=f"{direct.uri}/activity").exists()
    assert not Delivery.objects.filter(activity__uri=f"{direct.uri}/activity", inbox_url="https://d.example/inbox")


def test_empty_post_is_refused_and_nothing_is_stored(org):
    with pytest.raises(PostError):
        post_create(author=org, text="   ")
    assert not OutgoingActivity.objects.exists()


def test_delete_sends_a_tombstone(org, monkeypatch):
    monkeypatch.setattr("outbox.services.deliveries_enqueue", lambda ids: None)
    accepted_follow(follower=remote_actor(host="e.example"), target=org)
    post = post_create(author=org, text="Bald weg")
    post_delete(post=post)
    delete = sent("Delete")
    assert delete["object"] == {"id": post.uri, "type": "Tombstone"}
    assert Delivery.objects.filter(activity__type="Delete", inbox_url="https://e.example/inbox").exists()
