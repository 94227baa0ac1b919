"""Which received activities this node forwards to its members' followers (ActivityPub §7.1.2), signed by whom."""

import itertools

import pytest
from django.utils import timezone

from actors.services.local import organization_create
from inbox.models import InboxItem
from inbox.tasks import items_run
from outbox.models import Delivery, OutgoingActivity
from posts.models import Post, PostType, Visibility
from posts.services.boosts import boost_create
from posts.services.publishing import post_create
from tests.factories import accepted_follow, remote_actor

pytestmark = pytest.mark.django_db
PUBLIC = "https://www.w3.org/ns/activitystreams#Public"
_numbers = itertools.count(1)


def _receive(activity: dict) -> None:
    item = InboxItem.objects.create(activity_id=activity["id"], actor_uri=activity["actor"], type=activity["type"],
                                    payload=activity)
    items_run([item.id])


def _reply(author, parent: Post, *, to: list[str]) -> dict:
    number = next(_numbers)
    note = {"id": f"{author.uri}/notes/{number}", "type": "Note", "attributedTo": author.uri, "to": to,
            "content": "<p>Antwort</p>", "inReplyTo": parent.uri, "published": "2026-12-01T10:00:00Z"}
    return {"id": f"{note['id']}/activity", "type": "Create", "actor": author.uri, "object": note, "to": to}


def _forwarded_to(activity_id: str) -> set[str]:
    return set(Delivery.objects.filter(activity__uri=activity_id).values_list("inbox_url", flat=True))


def test_a_public_reply_to_a_members_post_goes_to_the_members_followers_but_not_back_to_its_server():
    member = organization_create(username="verein", email="v@example.org", password="verein-pass-1")
    reader, replier = remote_actor(host="c.example"), remote_actor(host="b.example")
    accepted_follow(follower=reader, target=member)
    accepted_follow(follower=remote_actor(host="b.example"), target=member)
    parent = post_create(author=member, text="Sommerfest")
    public = _reply(replier, parent, to=[PUBLIC])
    _receive(public)
    assert _forwarded_to(public["id"]) == {"https://c.example/inbox"}
    assert OutgoingActivity.objects.get(uri=public["id"]).actor == member  # signed by us, listed nowhere

    followers_only = _reply(replier, parent, to=[f"{replier.uri}/followers"])  # not addressed to our followers
    _receive(followers_only)
    assert _forwarded_to(followers_only["id"]) == set()
    to_ours = _reply(replier, parent, to=[member.followers_url])
    _receive(to_ours)
    assert _forwarded_to(to_ours["id"]) == {"https://c.example/inbox"}


def test_the_delete_of_a_post_a_member_boosted_goes_to_the_boosters_followers():
    member = organization_create(username="teiler", email="t@example.org", password="teiler-pass-1")
    author = remote_actor(host="b.example")
    accepted_follow(follower=remote_actor(host="c.example"), target=member)
    post = Post.objects.create(id=next(_numbers) + 10_000, uri=f"{author.uri}/notes/boosted", author=author,
                               local=False, type=PostType.NOTE, visibility=Visibility.PUBLIC, content="<p>x</p>",
                               published=timezone.now())
    boost_create(actor=member, post=post)
    delete = {"id": f"{author.uri}/deletes/1", "type": "Delete", "actor": author.uri, "object": post.uri,
              "to": [PUBLIC]}
    _receive(delete)
    assert not Post.objects.filter(uri=post.uri).exists()
    assert _forwarded_to(delete["id"]) == {"https://c.example/inbox"}
