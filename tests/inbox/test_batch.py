"""A batch of received activities: plain new posts are stored at once (posts/services/remote_batch.py), the rest one
by one, and the rows are the ones the one-by-one path writes (tags, mentions, notifications, home feeds, replies)."""

import itertools

import orjson
import pytest

from actors.models import DomainSeverity, Follow
from actors.services.blocks import block_create
from actors.services.domains import domain_block
from actors.services.local import organization_create
from actors.services.suspension import actor_suspend
from community.services.scout_groups import group_create
from inbox.handlers import announces_split, creates_split, follows_split, likes_split
from inbox.models import InboxItem
from inbox.tasks import items_run
from outbox.models import OutgoingActivity
from posts.models import (
    Attachment,
    FeedEntry,
    Like,
    Notification,
    NotificationType,
    Post,
    PostType,
    Visibility,
)
from posts.services.publishing import post_create
from posts.services.remote import boost_store_remote
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
    assert [item for item, _, _ in batch] == [plain, mentioning, direct, child, parent, with_image]
    assert rest == [reply, again, for_group]  # a reply to us may be forwarded (inbox/forwarding.py)

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


def test_a_hostile_activity_fails_alone_and_not_its_batch():
    """An object whose type is a list (or an object) made the batch path's admission raise TypeError (a list in a
    set), which failed the whole task: every activity batched with it stayed unprocessed, again at every retry (found
    by tests/security/test_properties.py). Now such an object is no post, and whatever a batch path raises sends its
    items one by one, where a failure is its own item's."""
    peer = remote_actor(host="peer.example")
    items = [_create(peer), listed := _create(peer), _create(peer), keyed := _create(peer), _create(peer)]
    for item, kind in ((listed, ["Note", "schema:Thing"]), (keyed, {"@id": "Note"})):
        item.payload["object"]["type"] = kind
        item.save()
    batch, rest = creates_split(items)
    assert len(batch) == 3 and rest == [listed, keyed]
    items_run([item.id for item in items])
    states = dict(InboxItem.objects.values_list("id", "state"))
    assert [states[item.id] for item in items] == ["processed", "ignored", "processed", "ignored", "processed"]


def test_whatever_a_batch_path_raises_sends_its_items_one_by_one(monkeypatch):
    peer = remote_actor(host="peer.example")
    items = [_create(peer), _create(peer)]

    def broken(_items):
        raise ValueError("a defect of the batch path")

    monkeypatch.setattr("inbox.tasks.AT_ONCE", [(broken, lambda entries: None)])
    items_run([item.id for item in items])
    assert set(InboxItem.objects.values_list("state", flat=True)) == {"processed"}
    assert Post.objects.filter(author=peer).count() == 2


MEDIA = [
    {"type": "Image", "mediaType": "image/png", "url": "https://{host}/bild.png", "name": "Ein Garten",
     "blurhash": "LEHV6nWB2yk8pyo0adR*.7kCMdnj", "width": 800, "height": 600, "focalPoint": [0.5, -0.25]},
    {"type": "Link", "href": "https://{host}/seite"},  # no media: not stored, and the position counts on
    {"type": "Video", "mediaType": "video/mp4", "url": "https://{host}/film.mp4"},
]
ATTACHMENT_FIELDS = ("position", "remote_url", "media_type", "description", "blurhash", "width", "height", "focus_x",
                     "focus_y")


def _with_media(peer) -> list[InboxItem]:
    """Two posts with the same media (a batch needs two), and their attachments as stored, once processed."""
    media = [{key: value.format(host=peer.domain) if isinstance(value, str) else value for key, value in item.items()}
             for item in MEDIA]
    items = [_create(peer), _create(peer)]
    for item in items:
        item.payload["object"]["attachment"] = media
        item.save()
    return items


def _stored_media(items: list[InboxItem]) -> list[list[tuple]]:
    return [
        list(Attachment.objects.filter(post__uri=item.payload["object"]["id"]).values_list(*ATTACHMENT_FIELDS))
        for item in items
    ]


def test_a_batch_stores_media_as_the_one_by_one_path_does():
    batched, one_by_one = remote_actor(host="stapel.example"), remote_actor(host="einzeln.example")
    items = _with_media(batched)
    assert len(creates_split(items)[0]) == 2
    items_run([item.id for item in items])
    singles = _with_media(one_by_one)
    for item in singles:
        items_run([item.id])  # a batch of one runs one by one

    stored, expected = _stored_media(items), _stored_media(singles)
    assert stored == [[(0, "https://stapel.example/bild.png", "image/png", "Ein Garten", "LEHV6nWB2yk8pyo0adR*.7kCMdnj",
                        800, 600, 0.5, -0.25),
                       (2, "https://stapel.example/film.mp4", "video/mp4", "", "", None, None, 0.0, 0.0)]] * 2
    assert [[row[:1] + row[2:] for row in post] for post in stored] == [
        [row[:1] + row[2:] for row in post] for post in expected]
    assert set(Attachment.objects.filter(post__author=batched).values_list("owner", flat=True)) == {batched.id}


def test_a_batch_stores_no_media_of_a_server_whose_media_are_rejected():
    peer = remote_actor(host="bilder.example")
    domain_block(name="bilder.example", severity=DomainSeverity.NOOP, reject_media=True)
    items = _with_media(peer)
    items_run([item.id for item in items])
    assert Post.objects.filter(author=peer).count() == 2
    assert not Attachment.objects.exists()


def _reaction(kind: str, actor, obj: str, *, number=None) -> InboxItem:
    activity = {"id": f"{actor.uri}/{kind.lower()}s/{number or next(_numbers)}", "type": kind, "actor": actor.uri,
                "object": obj, "to": [PUBLIC], "published": "2026-11-20T10:00:00Z"}
    return InboxItem.objects.create(activity_id=activity["id"], actor_uri=actor.uri, type=kind, payload=activity)


def _states(items: list[InboxItem]) -> list[str]:
    by_id = dict(InboxItem.objects.filter(id__in=[i.id for i in items]).values_list("id", "state"))
    return [by_id[item.id] for item in items]


def test_likes_of_our_posts_are_stored_at_once_as_one_by_one():
    member = organization_create(username="praxis", email="p@example.org", password="praxis-pass-1")
    first, second = (post_create(author=member, text=text) for text in ("Erster", "Zweiter"))
    anna, ben, gone = (remote_actor(host=f"{name}.example") for name in ("anna", "ben", "weg"))
    actor_suspend(actor=gone)
    remote_post = Post.objects.create(id=5, uri=f"{ben.uri}/notes/1", author=ben, published="2026-11-20T10:00:00Z")
    items = [
        anna_first := _reaction("Like", anna, first.uri),
        ben_first := _reaction("Like", ben, first.uri),
        anna_second := _reaction("Like", anna, second.uri),
        again := _reaction("Like", anna, first.uri),  # the same pair once more (another activity id): left
        not_ours := _reaction("Like", anna, remote_post.uri),
        suspended := _reaction("Like", gone, first.uri),
    ]
    batch, rest = likes_split(items)
    assert [entry[0] for entry in batch] == [anna_first, ben_first, anna_second, again]
    assert rest == [not_ours, suspended]

    items_run([item.id for item in items])

    assert _states(items) == ["processed"] * 4 + ["ignored"] * 2
    assert set(Like.objects.values_list("actor", "post", "uri")) == {
        (anna.id, first.id, anna_first.activity_id), (ben.id, first.id, ben_first.activity_id),
        (anna.id, second.id, anna_second.activity_id),
    }
    notified = Notification.objects.filter(recipient=member, type=NotificationType.FAVOURITE)
    assert sorted(notified.values_list("from_actor", "post")) == sorted(
        [(anna.id, first.id), (ben.id, first.id), (anna.id, second.id)])


def test_a_like_that_cannot_be_stored_sends_the_batch_one_by_one():
    member = organization_create(username="praxis", email="p@example.org", password="praxis-pass-1")
    post = post_create(author=member, text="Beitrag")
    anna, ben = remote_actor(host="anna.example"), remote_actor(host="ben.example")
    taken = _reaction("Like", anna, post.uri)
    items_run([taken.id])
    # ben's Like reuses the id of anna's: the batch's insert fails, and each like is tried on its own
    clash = InboxItem.objects.create(activity_id=f"{ben.uri}/clash", actor_uri=ben.uri, type="Like",
                                     payload={**taken.payload, "actor": ben.uri})
    fine = _reaction("Like", remote_actor(host="cleo.example"), post.uri)
    items_run([clash.id, fine.id])
    assert _states([clash, fine]) == ["received", "processed"]  # retried by the sweep, then failed
    assert Like.objects.filter(post=post).count() == 2


def test_boosts_of_stored_public_posts_are_stored_at_once_as_one_by_one():
    member = organization_create(username="praxis", email="p@example.org", password="praxis-pass-1")
    reader = organization_create(username="leserin", email="l@example.org", password="leserin-pass-1")
    public = post_create(author=member, text="Öffentlich")
    private = post_create(author=member, text="Nur für Folgende", visibility=Visibility.PRIVATE)
    anna, ben = remote_actor(host="anna.example"), remote_actor(host="ben.example")
    accepted_follow(follower=reader, target=anna)
    remote_post = Post.objects.create(id=5, uri=f"{ben.uri}/notes/1", author=ben, published="2026-11-20T10:00:00Z")
    earlier = boost_store_remote(announce_id=f"{ben.uri}/announces/earlier", actor=ben, post=public, published=None)
    items = [
        anna_public := _reaction("Announce", anna, public.uri),
        ben_public := _reaction("Announce", ben, public.uri),
        anna_remote := _reaction("Announce", anna, remote_post.uri),
        again := _reaction("Announce", ben, public.uri, number="earlier"),  # stored before: left
        anna_private := _reaction("Announce", anna, private.uri),
    ]
    batch, rest = announces_split(items)
    assert [entry[0] for entry in batch] == [anna_public, ben_public, anna_remote, again]
    assert rest == [anna_private]

    items_run([item.id for item in items])

    assert _states(items) == ["processed"] * 4 + ["ignored"]
    boosts = {p.uri: p for p in Post.objects.filter(type=PostType.ANNOUNCE)}
    assert {uri: (p.author_id, p.boost_of_id) for uri, p in boosts.items()} == {
        anna_public.activity_id: (anna.id, public.id), ben_public.activity_id: (ben.id, public.id),
        anna_remote.activity_id: (anna.id, remote_post.id), earlier.uri: (ben.id, public.id),
    }
    assert boosts[anna_public.activity_id].published.isoformat() == "2026-11-20T10:00:00+00:00"
    assert (boosts[anna_public.activity_id].visibility, boosts[anna_public.activity_id].local) == ("public", False)
    notified = Notification.objects.filter(recipient=member, type=NotificationType.REBLOG)
    assert sorted(notified.values_list("from_actor", "post")) == sorted(
        [(anna.id, public.id), (ben.id, public.id), (ben.id, public.id)])  # the earlier boost's, and the new ones'
    assert again.activity_id == earlier.uri
    in_feed = set(FeedEntry.objects.filter(owner=reader).values_list("post__uri", flat=True))
    assert in_feed == {anna_public.activity_id, anna_remote.activity_id}  # the boosts of whom the reader follows


def test_follows_of_members_who_take_followers_are_taken_at_once_as_one_by_one():
    member = organization_create(username="praxis", email="p@example.org", password="praxis-pass-1")
    asking = organization_create(username="fragend", email="f@example.org", password="fragend-pass-1")
    asking.manually_approves_followers = True
    asking.save()
    anna, ben, cleo, dora = (remote_actor(host=f"{name}.example") for name in ("anna", "ben", "cleo", "dora"))
    block_create(actor=member, target=cleo)
    items = [
        anna_member := _reaction("Follow", anna, member.uri),
        ben_member := _reaction("Follow", ben, member.uri),
        anna_asking := _reaction("Follow", anna, asking.uri),  # a request to decide: one by one
        cleo_member := _reaction("Follow", cleo, member.uri),  # blocked: refused, one by one
        dora_member := _reaction("Follow", dora, member.uri),
        dora_again := _reaction("Follow", dora, member.uri),  # asked again: one by one, after the first
    ]
    batch, rest = follows_split(items)
    assert [entry[0] for entry in batch] == [anna_member, ben_member, dora_member]
    assert rest == [anna_asking, cleo_member, dora_again]

    items_run([item.id for item in items])

    assert _states(items) == ["processed"] * 6
    follows = {(f.follower_id, f.target_id): (f.state, f.uri) for f in Follow.objects.all()}
    assert follows == {
        (anna.id, member.id): ("accepted", anna_member.activity_id),
        (ben.id, member.id): ("accepted", ben_member.activity_id),
        (dora.id, member.id): ("accepted", dora_again.activity_id),  # our answer names the id sent last
        (anna.id, asking.id): ("pending", anna_asking.activity_id),
    }
    notified = set(Notification.objects.values_list("recipient", "type", "from_actor"))
    assert notified == {(member.id, "follow", anna.id), (member.id, "follow", ben.id), (member.id, "follow", dora.id),
                        (asking.id, "follow_request", anna.id)}
    answers = {}
    for activity in OutgoingActivity.objects.filter(actor=member, type__in=("Accept", "Reject")).order_by("id"):
        body = orjson.loads(bytes(activity.body))
        inboxes = list(activity.deliveries.values_list("inbox_url", flat=True))
        answers.setdefault((body["type"], body["object"]["actor"]), []).append((body["object"]["id"], inboxes))
    assert answers == {
        ("Accept", anna.uri): [(anna_member.activity_id, [anna.inbox_url])],
        ("Accept", ben.uri): [(ben_member.activity_id, [ben.inbox_url])],
        ("Accept", dora.uri): [(dora_member.activity_id, [dora.inbox_url]), (dora_again.activity_id, [dora.inbox_url])],
        ("Reject", cleo.uri): [(cleo_member.activity_id, [cleo.inbox_url])],
    }
