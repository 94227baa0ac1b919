"""Staff suspend an account and undo it: a local one disappears from the website, the client API, WebFinger and its
followers' servers (Delete) and comes back whole; a remote one is refused, hidden and loses its follows of ours."""

import orjson
import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.management import call_command
from django.test import Client

from actors.models import Actor, Follow
from actors.services.suspension import actor_find, actor_suspend, actor_unsuspend
from community.services.profiles import profile_create
from inbox.handlers import item_process
from inbox.models import InboxItem, InboxState
from outbox.models import Delivery, DeliveryState, OutgoingActivity
from posts.services.feeds import feed_follow_started
from posts.services.publishing import post_create
from posts.services.remote import post_upsert_remote
from tests.clientapi.conftest import PASSWORD, Api, issue_token, make_org
from tests.factories import accepted_follow, remote_actor

pytestmark = pytest.mark.django_db
AS_JSON = "application/activity+json"


@pytest.fixture(autouse=True)
def no_sending(monkeypatch):
    cache.clear()
    monkeypatch.setattr("outbox.services.deliveries_enqueue", lambda ids: None)  # rows stay pending, as queued


@pytest.fixture
def member():
    """A listed member with a post, a follower elsewhere and a follower here."""
    actor = make_org("verein")
    profile_create(actor=actor, city="Berlin", state="BE", postal_code="10115", description="Wir beraten.")
    accepted_follow(follower=remote_actor(host="fern.example"), target=actor)
    post_create(author=actor, text="Sprechstunde am Montag #gleichimnetz")
    return actor


def sent(actor: Actor, kind: str) -> list[dict]:
    return [orjson.loads(bytes(a.body)) for a in OutgoingActivity.objects.filter(actor=actor, type=kind)]


def site_shows(client: Client, member: Actor) -> dict[str, bool]:
    post = member.posts.get()
    pages = {
        "profile": client.get("/members/verein/").status_code == 200,
        "actor page": client.get("/actors/verein", follow=True).status_code == 200,
        "post page": client.get(f"/actors/verein/posts/{post.id}", follow=True).status_code == 200,
        "site post page": client.get(f"/posts/{post.id}/").status_code == 200,
        "directory": "Wir beraten." in client.get("/members/").content.decode(),
        "feed": "Sprechstunde" in client.get("/feed/").content.decode(),
        "hashtag": "Sprechstunde" in client.get("/tags/gleichimnetz").content.decode(),
        "map": "/members/verein/" in client.get("/map.geojson").content.decode(),
    }
    return pages


def test_a_suspended_local_account_disappears_and_comes_back(member):
    post = member.posts.get()
    reader = make_org("leser")
    accepted_follow(follower=reader, target=member)
    feed_follow_started(follower=reader, target=member)
    token, reader_api, anonymous = issue_token(member), Api(issue_token(reader)), Api(None)
    assert [s["id"] for s in reader_api.get("/api/v1/timelines/home").json()] == [str(post.id)]
    own_api = Api(token)
    assert own_api.get("/api/v1/accounts/verify_credentials").status_code == 200
    client = Client()
    assert all(site_shows(client, member).values())
    earlier = Delivery.objects.get(activity__type="Create")

    actor_suspend(actor=member, by=None)

    assert not any(site_shows(client, member).values()), site_shows(client, member)
    assert own_api.get("/api/v1/accounts/verify_credentials").status_code == 401  # its tokens stop working
    assert own_api.post("/api/v1/statuses", {"status": "Trotzdem"}).status_code == 401
    assert anonymous.get(f"/api/v1/accounts/{member.id}").status_code == 404
    assert anonymous.get(f"/api/v1/statuses/{post.id}").status_code == 404
    assert anonymous.get("/api/v1/accounts/lookup", {"acct": "verein"}).status_code == 404
    assert anonymous.get("/api/v1/timelines/public").json() == []
    assert reader_api.get("/api/v1/timelines/home").json() == []  # gone from its followers' home timelines too
    assert Client().get("/.well-known/webfinger", {"resource": "acct:verein@testserver"}).status_code == 404
    assert Client().get("/actors/verein/outbox", HTTP_ACCEPT=AS_JSON).status_code == 404
    document = Client().get("/actors/verein", HTTP_ACCEPT=AS_JSON).json()
    assert document["suspended"] is True and document["publicKey"]["owner"] == member.uri  # Mastodon's tombstone
    assert "summary" not in document and "attachment" not in document and document["name"] == "verein"
    # Its followers' servers hear a Delete of the actor; what was still queued for it is not sent any more.
    (delete,) = sent(member, "Delete")
    assert delete["object"] == member.uri and delete["actor"] == member.uri
    assert set(Delivery.objects.filter(activity__type="Delete").values_list("inbox_url", flat=True)) == {
        "https://fern.example/inbox"
    }
    earlier.refresh_from_db()
    assert earlier.state == DeliveryState.GIVEN_UP
    assert not Client().login(username="verein", password=PASSWORD)

    actor_unsuspend(actor=member, by=None)

    assert all(site_shows(client, member).values())
    assert own_api.get("/api/v1/accounts/verify_credentials").status_code == 200  # the same token again
    assert [s["id"] for s in reader_api.get("/api/v1/timelines/home").json()] == [str(post.id)]
    assert Client().get("/.well-known/webfinger", {"resource": "acct:verein@testserver"}).status_code == 200
    assert "suspended" not in Client().get("/actors/verein", HTTP_ACCEPT=AS_JSON).json()
    (update,) = sent(member, "Update")
    assert update["object"]["id"] == member.uri and update["object"]["summary"] == member.summary
    assert Delivery.objects.filter(activity__type="Update", inbox_url="https://fern.example/inbox").exists()
    assert Follow.objects.filter(target=member).count() == 2  # its follows were kept


def test_a_signed_in_session_ends_with_the_suspension(member):
    client = Client()
    assert client.login(username="verein", password=PASSWORD)
    assert client.get("/members/verein/edit/").status_code == 200
    actor_suspend(actor=member, by=None)
    assert client.get("/members/verein/edit/").status_code == 302  # sent to log in again: the session is gone


def test_a_suspended_remote_account_is_refused_hidden_and_loses_its_follows():
    org, reader = make_org("verein"), make_org("leser")
    troll = remote_actor(host="troll.example")
    accepted_follow(follower=troll, target=org)
    accepted_follow(follower=reader, target=troll)
    feed_follow_started(follower=reader, target=troll)
    note = {
        "id": f"{troll.uri}/statuses/1", "type": "Note", "attributedTo": troll.uri, "content": "<p>Hallo</p>",
        "to": ["https://www.w3.org/ns/activitystreams#Public"], "published": "2026-11-20T10:00:00Z",
    }
    post = post_upsert_remote(obj=note, author=troll)
    reader_api, anonymous = Api(issue_token(reader)), Api(None)
    assert [s["uri"] for s in anonymous.get("/api/v1/timelines/public").json()] == [post.uri]
    assert [s["uri"] for s in reader_api.get("/api/v1/timelines/home").json()] == [post.uri]

    actor_suspend(actor=troll, by=None)

    assert anonymous.get("/api/v1/timelines/public").json() == []
    assert reader_api.get("/api/v1/timelines/home").json() == []
    assert anonymous.get(f"/api/v1/statuses/{post.id}").status_code == 404
    assert anonymous.get(f"/api/v1/accounts/{troll.id}").status_code == 404
    assert not Follow.objects.filter(follower=troll).exists()  # its follow of ours ended, and its server hears it
    (reject,) = sent(org, "Reject")
    assert reject["object"]["actor"] == troll.uri
    assert Delivery.objects.filter(activity__type="Reject", inbox_url=troll.inbox_url).exists()
    # Whatever the inbox took before the suspension reached this process is not acted on.
    item = InboxItem.objects.create(
        activity_id=f"{troll.uri}/statuses/2/activity", type="Create", actor_uri=troll.uri,
        payload={"type": "Create", "actor": troll.uri, "object": {**note, "id": f"{troll.uri}/statuses/2"}},
    )
    assert item_process(item) == InboxState.IGNORED
    assert not troll.posts.filter(uri=f"{troll.uri}/statuses/2").exists()

    actor_unsuspend(actor=troll, by=None)
    assert [s["uri"] for s in anonymous.get("/api/v1/timelines/public").json()] == [post.uri]
    assert Follow.objects.filter(follower=reader, target=troll).exists()  # our actors' follows of it were kept


def test_suspend_command_and_its_undo(member, capsys):
    call_command("suspend", "@verein@testserver")
    assert "verein@testserver suspended" in capsys.readouterr().out
    assert Actor.objects.get(pk=member.pk).suspended
    call_command("suspend", "verein", "--undo")
    assert "verein@testserver unsuspended" in capsys.readouterr().out
    assert not Actor.objects.get(pk=member.pk).suspended
    troll = remote_actor(host="troll.example", username="troll")
    assert actor_find(handle="troll@troll.example") == troll and actor_find(handle=troll.uri) == troll
    with pytest.raises(Exception, match="No account"):
        call_command("suspend", "niemand@nirgends.example")


def test_staff_suspend_and_unsuspend_in_the_admin(member):
    staff = get_user_model().objects.create_superuser("staff", "staff@example.org", "staff-pass-1")
    client = Client()
    client.force_login(staff)
    for action, suspended in (("suspend", True), ("unsuspend", False)):
        response = client.post(
            "/admin/actors/actor/", {"action": action, "_selected_action": [member.pk]}, follow=True
        )
        assert response.status_code == 200
        member.refresh_from_db()
        assert member.suspended is suspended
    assert sent(member, "Delete") and sent(member, "Update")
    assert Actor.objects.get(pk=member.pk).suspended_by is None  # cleared again by the undo


def test_suspension_records_who_and_when(member):
    staff = get_user_model().objects.create_user("staff", "staff@example.org", "staff-pass-1", is_staff=True)
    actor_suspend(actor=member, by=staff)
    member.refresh_from_db()
    assert member.suspended_by == staff and member.suspended_at is not None
    actor_suspend(actor=member, by=None)  # twice is once: no second Delete
    assert len(sent(member, "Delete")) == 1
