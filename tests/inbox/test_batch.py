"""A batch of received activities: plain new posts are stored at once (posts/services/remote_batch.py), the rest one
by one, and the rows are the ones the one-by-one path writes (tags, mentions, notifications, home feeds, replies)."""

import itertools

import pytest

from actors.services.local import organization_create
from community.services.scout_groups import group_create
from inbox.handlers import creates_split
from inbox.models import InboxItem
from inbox.tasks import items_run
from posts.models import FeedEntry, Notification, Post, Visibility
from posts.services.publishing import post_create
from tests.factories import accepted_follow, remote_actor

pytestmark = pytest.mark.django_db
PUBLIC = "https://www.w3.org/ns/activitystreams#Public"
_numbers = itertools.count(1)


def _create(peer, *, to=(PUBLIC,), cc=(), tag=(), reply=None, attachment=None, number=None) -> InboxItem:
    note = f"{peer.uri}/notes/{number or next(_numbers)}"
    obj = {"id": note, "type": "Note", "attributedTo": peer.uri, "content": f"<p>Notiz {note}</p>", "to": list(to),
           "cc": list(cc), "tag": list(tag), "published": "2026-11-20T10:00:00Z"}
    if reply:
        obj["inReplyTo"] = reply
    if attachment:
        obj["attachment"] = [attachment]
    activity = {"id": f"{note}/activity/{next(_numbers)}", "type": "Create", "actor": peer.uri, "object": obj}
    return InboxItem.objects.create(activity_id=activity["id"], actor_uri=peer.uri, type="Create", payload=activity)


def test_a_mixed_batch_stores_what_the_one_by_one_path_would():
    reader = organization_create(username="leserin", email="l@example.org", password="leserin-pass-1")
    other = organization_create(username="andere", email="a@example.org", password="andere-pass-1")
    group = group_create(username="scouts_batch").actor
    peer = remote_actor(host="peer.example")
    accepted_follow(follower=reader, target=peer)
    local_post = post_create(author=other, text="Worauf geantwortet wird")
    mention = {"type": "Mention", "href": other.uri}
    items = [
        plain := _create(peer, tag=[{"type": "Hashtag", "name": "#Praxis"}]),
        mentioning := _create(peer, cc=[other.uri], tag=[mention]),
        reply := _create(peer, reply=local_post.uri, cc=[other.uri]),
        direct := _create(peer, to=[other.uri], tag=[mention]),
        child := _create(peer, reply=f"{peer.uri}/notes/parent-later"),
        parent := _create(peer, number="parent-later"),
        again := _create(peer, number="parent-later"),  # the same object once more: stored once
        with_image := _create(peer, attachment={"type": "Image", "mediaType": "image/png", "url": "https://peer.example/a.png"}),
        for_group := _create(peer, cc=[group.uri], tag=[{"type": "Mention", "href": group.uri}]),
    ]
    batch, rest = creates_split(items)
    assert [item for item, _, _ in batch] == [plain, mentioning, direct, child, parent]
    assert rest == [reply, again, with_image, for_group]  # a reply to us may be forwarded (inbox/forwarding.py)

    accepted_follow(follower=peer, target=group)  # the peer is a member: the group shares its post
    items_run([item.id for item in items])

    states = dict(InboxItem.objects.filter(id__in=[i.id for i in items]).values_list("id", "state"))
    assert set(states.values()) == {"processed"}
    posts = {p.uri: p for p in Post.objects.filter(author=peer)}
    assert len(posts) == 8  # nine Creates, one of them a repeat
    by_item = {item.id: posts[item.payload["object"]["id"]] for item in items}
    assert list(by_item[plain.id].tags.values_list("name", flat=True)) == ["praxis"]
    assert list(by_item[mentioning.id].mentions.all()) == [other]
    assert by_item[reply.id].in_reply_to == local_post
    assert by_item[direct.id].visibility == Visibility.DIRECT
    assert by_item[child.id].in_reply_to == by_item[parent.id]  # the parent came later in the same batch
    assert by_item[with_image.id].attachments.count() == 1
    assert Post.objects.filter(author=group, boost_of=by_item[for_group.id]).exists()
    notified = sorted(Notification.objects.filter(recipient=other, from_actor=peer).values_list("post__uri", flat=True))
    assert notified == sorted(by_item[i.id].uri for i in (mentioning, reply, direct))
    in_feed = set(FeedEntry.objects.filter(owner=reader).values_list("post__uri", flat=True))
    assert in_feed == {p.uri for p in posts.values() if p.visibility != Visibility.DIRECT}
    assert FeedEntry.objects.filter(owner=other, post=by_item[direct.id]).exists()  # a direct post: the mentioned


def test_a_post_stored_meanwhile_sends_the_batch_one_by_one():
    peer = remote_actor(host="peer.example")
    first, second = _create(peer), _create(peer)
    Post.objects.create(id=1, uri=second.payload["object"]["id"], author=peer, published="2026-11-20T10:00:00Z")
    batch, rest = creates_split([first, second])
    assert [item for item, _, _ in batch] == [first] and rest == [second]  # already stored: an update, one by one
    items_run([first.id, second.id])
    assert set(InboxItem.objects.values_list("state", flat=True)) == {"processed"}
