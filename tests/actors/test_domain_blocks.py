"""Domain block severities: a silenced server stays out of public feeds but reaches followers, a server whose media
are rejected keeps its posts without attachments, and nothing is delivered to a suspended server."""

import pytest
from django.core.cache import cache
from django.test import Client

from actors.models import Domain, DomainSeverity
from actors.services.domains import _policies, domain_block, domain_unblock
from actors.services.remote import actor_upsert_from_document
from community.services.profiles import profile_create
from outbox.models import Delivery, DeliveryState
from outbox.sender import deliveries_send
from posts.models import Attachment
from posts.services.publishing import post_create
from posts.services.remote import post_upsert_remote
from tests.clientapi.conftest import Api, issue_token, make_org
from tests.factories import accepted_follow, remote_actor

pytestmark = pytest.mark.django_db
PUBLIC = "https://www.w3.org/ns/activitystreams#Public"


@pytest.fixture(autouse=True)
def no_stale_policies():
    _policies.forget()
    cache.clear()
    yield
    _policies.forget()


def remote_note(author, number: int, text: str, **extra) -> dict:
    return {
        "id": f"{author.uri}/statuses/{number}", "type": "Note", "attributedTo": author.uri, "content": f"<p>{text}</p>",
        "to": [PUBLIC], "cc": [author.followers_url], "published": "2026-11-20T10:00:00Z",
        "tag": [{"type": "Hashtag", "name": "#gleichimnetz"}], **extra,
    }


def linked_member(host: str):
    """A member organisation whose account lives on another server (its posts join the community feed)."""
    actor = remote_actor(host=host)
    profile_create(actor=actor, city="Berlin", state="BE", description="Verein")
    return actor


def public_ids(api: Api, path: str) -> set[str]:
    response = api.get(path)
    assert response.status_code == 200, response.content
    return {status["uri"] for status in response.json()}


def test_silenced_server_is_kept_out_of_public_feeds_but_reaches_followers():
    loud, calm = linked_member("social.laut.example"), linked_member("ruhig.example")
    reader = make_org()
    accepted_follow(follower=reader, target=loud)
    domain_block(name="laut.example", severity=DomainSeverity.SILENCE)  # the parent domain covers social.laut…
    silenced = post_upsert_remote(obj=remote_note(loud, 1, "Laut!"), author=loud)
    heard = post_upsert_remote(obj=remote_note(calm, 1, "Ruhig."), author=calm)

    site = Client()
    for page in ("/", "/feed/", "/tags/gleichimnetz", "/feed/?tag=gleichimnetz", "/feed.rss"):
        body = site.get(page).content.decode()
        assert "Ruhig." in body and "Laut!" not in body, page
    anonymous, own = Api(None), Api(issue_token(reader))
    for path in ("/api/v1/timelines/public", "/api/v1/timelines/tag/gleichimnetz"):
        assert public_ids(anonymous, path) == {heard.uri}, path
    assert silenced.uri in public_ids(own, "/api/v1/timelines/home")  # the follower still sees it
    assert own.get(f"/api/v1/statuses/{silenced.id}").status_code == 200

    domain_unblock(name="laut.example")
    assert public_ids(anonymous, "/api/v1/timelines/public") == {heard.uri, silenced.uri}


def test_rejected_media_are_neither_stored_nor_shown():
    author = remote_actor(host="bilder.example")
    image = {"type": "Image", "url": "https://bilder.example/a.png", "mediaType": "image/png", "name": "Bild"}
    before = post_upsert_remote(obj=remote_note(author, 1, "Mit Bild", attachment=[image]), author=author)
    assert before.attachments.count() == 1
    api = Api(None)
    assert len(api.get(f"/api/v1/statuses/{before.id}").json()["media_attachments"]) == 1  # now in the API's cache

    domain_block(name="bilder.example", severity=DomainSeverity.NOOP, reject_media=True)
    assert not Attachment.objects.filter(post=before).exists()  # what we had is dropped
    assert api.get(f"/api/v1/statuses/{before.id}").json()["media_attachments"] == []
    after = post_upsert_remote(obj=remote_note(author, 2, "Noch ein Bild", attachment=[image]), author=author)
    assert after.content == "<p>Noch ein Bild</p>" and after.attachments.count() == 0  # the post itself is kept

    document = {
        "id": author.uri, "type": "Person", "preferredUsername": author.username, "inbox": author.inbox_url,
        "icon": {"type": "Image", "url": "https://bilder.example/avatar.png"},
        "image": {"type": "Image", "url": "https://bilder.example/header.png"},
    }
    refreshed = actor_upsert_from_document(document, fetched_from=author.uri)
    assert refreshed.icon_url == "" and refreshed.image_url == ""
    assert Domain.objects.get(name="bilder.example").severity == DomainSeverity.NOOP  # not silenced by it


def test_nothing_is_delivered_to_a_suspended_server(monkeypatch):
    monkeypatch.setattr("outbox.services.deliveries_enqueue", lambda ids: None)  # rows stay pending
    org = make_org()
    for host in ("gut.example", "boese.example", "social.boese.example"):
        accepted_follow(follower=remote_actor(host=host), target=org)
    post_create(author=org, text="Vor der Sperre")
    assert Delivery.objects.filter(state=DeliveryState.PENDING).count() == 3

    domain_block(name="boese.example")
    queued = dict(Delivery.objects.values_list("inbox_url", "state"))
    assert queued == {
        "https://gut.example/inbox": DeliveryState.PENDING,
        "https://boese.example/inbox": DeliveryState.GIVEN_UP,  # pending deliveries to it are stopped
        "https://social.boese.example/inbox": DeliveryState.GIVEN_UP,
    }
    after = post_create(author=org, text="Nach der Sperre")
    assert list(Delivery.objects.filter(activity__uri=f"{after.uri}/activity").values_list("inbox_url", flat=True)) == [
        "https://gut.example/inbox"
    ]


def test_a_delivery_claimed_after_the_suspension_is_given_up_unsent(monkeypatch):
    monkeypatch.setattr("outbox.services.deliveries_enqueue", lambda ids: None)
    org = make_org()
    accepted_follow(follower=remote_actor(host="spaet.example"), target=org)
    post_create(author=org, text="Hallo")
    delivery = Delivery.objects.get()
    # as another process sees it: the block is in the database, its rows were not stopped here
    Domain.objects.create(name="spaet.example", severity=DomainSeverity.SUSPEND)
    _policies.forget()
    monkeypatch.setattr("outbox.sender._post", lambda *args: pytest.fail("POST to a suspended server"))
    assert deliveries_send([delivery.pk]) == {delivery.pk: DeliveryState.GIVEN_UP}
    delivery.refresh_from_db()
    assert delivery.attempts == 0 and "suspended" in delivery.last_error
