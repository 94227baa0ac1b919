"""Hostile cases of privacy and blocks: a blocked account, a curious visitor and an unsigned reader each try to get
what is not theirs. Each case goes through the real code path (the inbox's handlers, the publishing services, the
client API, the ActivityPub views, the website) and checks both the refusal and that nothing leaked or changed.
The cases with a second real node are in tests/federation/test_blocks.py."""

from datetime import time

import orjson
import pytest
from django.test import Client
from icalendar import Calendar

from actors.models import Follow, FollowState
from actors.services.blocks import block_create
from actors.services.follow import FollowBlocked, follow_request
from community.services.scout_groups import group_create
from fediverse_node.protocol.vocab import Activity
from inbox.handlers import handle_follow
from outbox.models import Delivery, OutgoingActivity
from posts.models import Notification, Visibility
from posts.services.publishing import post_create, post_delete, post_edit
from posts.services.remote import post_upsert_remote
from posts.services.remote_batch import posts_create_remote
from tests.clientapi.conftest import Api, issue_token, make_org
from tests.factories import accepted_follow, remote_actor

pytestmark = pytest.mark.django_db
AS_JSON = "application/activity+json"


def remote_note(author, slug: str, *, to: list[str], mention=None, in_reply_to=None, content="Hallo") -> dict:
    note = {
        "id": f"{author.uri}/notes/{slug}", "type": "Note", "attributedTo": author.uri, "content": content,
        "to": to, "published": "2025-01-01T10:00:00Z",
    }
    if mention is not None:
        note["tag"] = [{"type": "Mention", "href": mention.uri, "name": f"@{mention.username}"}]
    if in_reply_to is not None:
        note["inReplyTo"] = in_reply_to.uri
    return note


def notifications_of(actor) -> list[dict]:
    response = Api(issue_token(actor)).get("/api/v1/notifications")
    assert response.status_code == 200, response.content
    return orjson.loads(response.content)


# ---------------------------------------------------------------- blocks hold everywhere (one process)

def test_a_blocked_actor_that_follows_again_is_rejected():
    org, stranger = make_org(), remote_actor(host="blocked.example")
    block_create(actor=org, target=stranger)
    before = OutgoingActivity.objects.count()
    handle_follow(Activity.parse({"id": f"{stranger.uri}#follow-2", "type": "Follow", "actor": stranger.uri,
                                  "object": org.uri}), stranger)
    assert not Follow.objects.filter(follower=stranger, target=org).exists()
    answers = list(OutgoingActivity.objects.order_by("id")[before:])
    assert [a.type for a in answers] == ["Reject"]  # told so, never Accepted
    assert orjson.loads(bytes(answers[0].body))["object"]["id"] == f"{stranger.uri}#follow-2"
    assert list(Delivery.objects.filter(activity=answers[0]).values_list("inbox_url", flat=True)) == [
        stranger.inbox_url]


def test_an_actor_that_blocks_cannot_be_followed_and_cannot_follow():
    org, other = make_org(), make_org()
    stranger = remote_actor(host="blocked.example")
    block_create(actor=org, target=stranger)
    block_create(actor=other, target=org)
    with pytest.raises(FollowBlocked):
        follow_request(follower=org, target=stranger)  # ours out to the one we block
    with pytest.raises(FollowBlocked):
        follow_request(follower=org, target=other)  # ours to a local account that blocks us
    assert not Follow.objects.filter(follower=org).exists()


def test_no_delivery_reaches_a_blocked_follower_or_a_blocked_mention():
    org = make_org()
    friend, stranger = remote_actor(host="friend.example"), remote_actor(host="blocked.example", shared_inbox=False)
    accepted_follow(follower=friend, target=org)
    block_create(actor=org, target=stranger)
    accepted_follow(follower=stranger, target=org)  # a follow that slipped through (from before this fix)
    post_create(author=org, text="Nur für unsere Follower", visibility=Visibility.PRIVATE)
    post_create(author=org, text=f"Hallo @{stranger.username}@blocked.example", visibility=Visibility.PUBLIC)
    inboxes = set(Delivery.objects.filter(activity__type="Create").values_list("inbox_url", flat=True))
    assert friend.shared_inbox_url in inboxes
    assert stranger.inbox_url not in inboxes


def test_a_blocked_actors_mentions_and_direct_messages_do_not_notify():
    org = make_org()
    stranger, friend = remote_actor(host="blocked.example"), remote_actor(host="friend.example")
    block_create(actor=org, target=stranger)
    post_upsert_remote(obj=remote_note(stranger, "dm", to=[org.uri], mention=org), author=stranger)
    posts_create_remote(entries=[
        (remote_note(stranger, "b1", to=[org.uri], mention=org), stranger),
        (remote_note(friend, "f1", to=[org.uri], mention=org), friend),
    ])
    assert list(Notification.objects.filter(recipient=org).values_list("from_actor", flat=True)) == [friend.id]
    # one that arrived before the block is not shown either
    Notification.objects.create(recipient=org, type="mention", from_actor=stranger,
                                post=stranger.posts.get(uri__endswith="/dm"))
    assert [n["account"]["id"] for n in notifications_of(org)] == [str(friend.id)]


# ---------------------------------------------------------------- direct messages do not leak through notifications

def test_a_direct_reply_to_someone_else_does_not_notify_the_author_of_the_parent():
    org_a, org_b = make_org(), make_org()
    stranger = remote_actor(host="elsewhere.example")
    parent = post_create(author=org_a, text="Unser öffentlicher Beitrag")
    secret = "Nur für B: die Zugangsdaten"
    dm = post_upsert_remote(
        obj=remote_note(stranger, "dm-b", to=[org_b.uri], mention=org_b, in_reply_to=parent, content=secret),
        author=stranger,
    )
    assert dm.visibility == Visibility.DIRECT
    assert not Notification.objects.filter(recipient=org_a).exists()
    assert secret in str(notifications_of(org_b))  # the one it was sent to hears of it
    # a notification stored before this fix is left out, never rendered with the post
    Notification.objects.create(recipient=org_a, type="mention", from_actor=stranger, post=dm)
    assert secret not in str(notifications_of(org_a)) and notifications_of(org_a) == []
    notification = Notification.objects.get(recipient=org_a)
    assert Api(issue_token(org_a)).get(f"/api/v1/notifications/{notification.id}").status_code == 404


def test_the_batch_path_does_not_notify_of_a_followers_only_reply_either():
    org_a = make_org()
    stranger = remote_actor(host="elsewhere.example")
    parent = post_create(author=org_a, text="Unser Beitrag")
    posts_create_remote(entries=[
        (remote_note(stranger, "p1", to=[stranger.followers_url], in_reply_to=parent, content="privat"), stranger),
        (remote_note(stranger, "p2", to=["https://www.w3.org/ns/activitystreams#Public"], in_reply_to=parent,
                     content="öffentlich"), stranger),
    ])
    assert [n.post.content for n in Notification.objects.filter(recipient=org_a)] == ["öffentlich"]


def test_a_status_the_viewer_may_not_see_is_never_rendered_by_a_list():
    org_a, org_b = make_org(), make_org()
    secret = post_create(author=org_b, text="Nur für Follower von B", visibility=Visibility.PRIVATE)
    from clientapi.entities.statuses import status_entities_by_id

    assert status_entities_by_id([secret.id], org_a) == []
    assert status_entities_by_id([secret.id], None) == []
    assert [s["id"] for s in status_entities_by_id([secret.id], org_b)] == [str(secret.id)]


# ---------------------------------------------------------------- the outbox shows what exists now

def test_outbox_holds_neither_deleted_posts_nor_the_original_of_an_edited_one():
    org = make_org()
    post_create(author=org, text="Bleibt stehen")
    gone = post_create(author=org, text="Versehentlich veröffentlicht: Telefonnummer 0170")
    edited = post_create(author=org, text="Erste Fassung mit Tippfehler und Adresse")
    post_create(author=org, text="Nur für Follower", visibility=Visibility.PRIVATE)
    post_delete(post=gone)
    post_edit(post=edited, text="Zweite Fassung")
    response = Client().get(f"/actors/{org.username}/outbox?page=1", HTTP_ACCEPT=AS_JSON)
    assert response.status_code == 200
    text = response.content.decode()
    assert "Telefonnummer" not in text and "Erste Fassung" not in text and "Nur für Follower" not in text
    assert "Bleibt stehen" in text and "Zweite Fassung" in text
    items = orjson.loads(response.content)["orderedItems"]
    assert {item["type"] for item in items} == {"Create"} and len(items) == 2
    collection = orjson.loads(Client().get(f"/actors/{org.username}/outbox", HTTP_ACCEPT=AS_JSON).content)
    assert collection["totalItems"] == 2


# ---------------------------------------------------------------- authorized fetch whatever the Accept header

ACCEPT_HEADERS = {
    "no_accept": None, "html": "text/html", "anything": "*/*", "plain_json": "application/json",
    "activity_json": AS_JSON,
}


@pytest.fixture
def secure_org(settings):
    settings.FEDINODE_AUTHORIZED_FETCH = True
    org = make_org()
    accepted_follow(follower=remote_actor(host="reader.example"), target=org)
    post = post_create(author=org, text="Nur für Server, die sich ausweisen")
    return org, post


@pytest.mark.parametrize("accept", [pytest.param(v, id=k) for k, v in ACCEPT_HEADERS.items()])
@pytest.mark.parametrize("suffix", [
    "outbox", "outbox?page=1", "followers", "followers?page=1", "following", "posts/{id}/activity",
    "posts/{id}/replies", "posts/{id}/replies?page=1", "outbox/",
])
def test_unsigned_gets_of_activity_only_endpoints_are_401_whatever_the_accept(secure_org, suffix, accept):
    org, post = secure_org
    path = f"/actors/{org.username}/" + suffix.format(id=post.id)
    response = Client().get(path, **({"HTTP_ACCEPT": accept} if accept else {}))
    assert response.status_code == 401, (path, response.status_code)
    assert "signed" in orjson.loads(response.content)["error"]
    assert "Nur für Server" not in response.content.decode() and "reader.example" not in response.content.decode()


def test_the_website_stays_public_under_authorized_fetch(secure_org):
    org, post = secure_org
    # a browser opening the actor's id is sent to the organisation's page, which stays public
    assert Client().get(f"/actors/{org.username}", HTTP_ACCEPT="text/html", follow=True).status_code == 200
    page = Client().get(f"/actors/{org.username}/posts/{post.id}", HTTP_ACCEPT="text/html", follow=True)
    assert page.status_code == 200 and "Nur für Server" in page.content.decode()


# ---------------------------------------------------------------- private hashtags and counts

def test_hashtags_of_private_posts_are_not_listed_and_nodeinfo_counts_public_posts():
    org = make_org()
    post_create(author=org, text="Intern #fusionsgespraeche", visibility=Visibility.PRIVATE)
    post_create(author=org, text="Direkt #kuendigung @nobody", visibility=Visibility.DIRECT)
    post_create(author=org, text="Öffentlich #fachtag")
    anonymous = Api(None)
    for query in ("fusion", "kuendigung", "fachtag"):
        found = orjson.loads(anonymous.get("/api/v2/search", {"q": query, "type": "hashtags"}).content)
        assert [t["name"] for t in found["hashtags"]] == (["fachtag"] if query == "fachtag" else []), query
    assert anonymous.get("/api/v1/tags/fusionsgespraeche").status_code == 404
    assert anonymous.get("/api/v1/tags/fachtag").status_code == 200
    nodeinfo = orjson.loads(Client().get("/nodeinfo/2.0").content)
    assert nodeinfo["usage"]["localPosts"] == 1
    assert orjson.loads(anonymous.get("/api/v1/instance").content)["stats"]["status_count"] == 1


# ---------------------------------------------------------------- a closed group's room

ROOM = "https://meet.example.org/geheimer-raum-4711"


@pytest.mark.parametrize("closed", [True, False], ids=["closed", "open"])
def test_a_closed_groups_room_link_is_for_members_only(closed):
    group = group_create(username=f"scouts_{'zu' if closed else 'auf'}", weekday=2, at=time(17, 0),
                         meeting_link=ROOM, closed=closed)
    page, ics = f"/groups/{group.actor.username}/", f"/groups/{group.actor.username}/calendar.ics"
    visitor = Client()
    shown = visitor.get(page)
    assert shown.status_code == 200 and (ROOM in shown.content.decode()) is not closed
    calendar = visitor.get(ics)
    assert calendar.status_code == 200 and (ROOM in _ics_text(calendar.content)) is not closed
    outsider = make_org()
    signed_in = Client()
    signed_in.force_login(outsider.user)
    assert (ROOM in signed_in.get(page).content.decode()) is not closed
    member = make_org()
    Follow.objects.create(follower=member, target=group.actor, uri=f"{member.uri}#f", state=FollowState.ACCEPTED)
    signed_in.force_login(member.user)
    assert ROOM in signed_in.get(page).content.decode()
    assert ROOM in _ics_text(signed_in.get(ics).content)


def _ics_text(data: bytes) -> str:
    return " ".join(str(c.get("location", "")) for c in Calendar.from_ical(data).walk("VEVENT"))
