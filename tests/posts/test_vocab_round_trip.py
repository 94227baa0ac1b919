"""Our own documents, rendered through the typed layer, read back by it unchanged (render → parse): what we send
is what a peer that parses like us would store."""

from datetime import timedelta

import pytest
from django.utils import timezone

from actors.documents import actor_document, actor_document_suspended
from actors.services.local import organization_create
from fediverse_node.protocol.vocab import PUBLIC, Activity, Actor, PostObject
from posts.activities import announce_activity, create_activity, post_object, update_activity
from posts.services.boosts import boost_create
from posts.services.events import event_create
from posts.services.publishing import post_create
from tests.factories import remote_actor

pytestmark = pytest.mark.django_db


@pytest.fixture
def org():
    return organization_create(username="awo_rt", email="rt@example.org", password="round-trip-1",
                               display_name="AWO Rundreise")


def test_a_note_reads_back_as_rendered(org):
    peer = remote_actor(host="peer.example")
    post = post_create(author=org, text=f"Hallo @{peer.username}@peer.example, schaut mal #Praxis",
                       summary="Hinweis", sensitive=True, language="de")
    activity = Activity.parse(create_activity(post))
    assert (activity.type, activity.actor, activity.object_id) == ("Create", org.uri, post.uri)
    assert activity.to == (PUBLIC,) and org.followers_url in activity.cc
    note = PostObject.parse(activity.object)
    assert (note.id, note.type, note.attributed_to, note.url) == (post.uri, "Note", org.uri, post.url or post.uri)
    assert note.content == post.content and note.language == "de"
    assert note.summary == "Hinweis" and note.sensitive
    assert note.published == post.published.replace(microsecond=0)
    assert note.mentions == [peer.uri] and note.hashtags == ["#praxis"]
    assert note.to == (PUBLIC,) and note.cc == (org.followers_url, peer.uri)


def test_a_reply_an_update_and_a_boost_read_back(org):
    parent = post_create(author=org, text="Frage")
    reply = post_create(author=org, text="Antwort", in_reply_to=parent)
    assert PostObject.parse(post_object(reply)).in_reply_to == parent.uri
    reply.edited_at = timezone.now()
    update = Activity.parse(update_activity(reply))
    assert update.type == "Update" and PostObject.parse(update.object).updated == reply.edited_at.replace(microsecond=0)
    booster = organization_create(username="awo_boost", email="b@example.org", password="round-trip-2")
    announce = Activity.parse(announce_activity(boost_create(actor=booster, post=parent)))
    assert (announce.type, announce.object_id, announce.object) == ("Announce", parent.uri, None)
    assert announce.to == (PUBLIC,) and announce.cc == (org.uri, booster.followers_url)


def test_an_event_reads_back_with_its_place_and_times(org):
    start = (timezone.now() + timedelta(days=3)).replace(microsecond=0)
    event = event_create(author=org, name="Sprechstunde", text="Offen für alle", starts_at=start,
                         ends_at=start + timedelta(hours=2), location="Treffpunkt Mitte",
                         online_url="https://meet.example/sprechstunde")
    parsed = PostObject.parse(post_object(event))
    assert parsed.type == "Event" and parsed.name == "Sprechstunde"
    assert (parsed.start_time, parsed.end_time) == (start, start + timedelta(hours=2))
    assert parsed.location is not None and parsed.location.name == "Treffpunkt Mitte"
    assert parsed.location.url == "https://meet.example/sprechstunde" and parsed.timezone


def test_an_actor_document_reads_back(org):
    org.summary, org.fields = "<p>Beratung</p>", [{"name": "Web", "value": "https://awo.example"}]
    org.save()
    actor = Actor.parse(actor_document(org))
    assert (actor.id, actor.type, actor.preferred_username, actor.name) == (
        org.uri, "Organization", "awo_rt", "AWO Rundreise")
    assert (actor.inbox, actor.shared_inbox, actor.outbox, actor.followers, actor.following) == (
        org.inbox_url, org.shared_inbox_url, org.outbox_url, org.followers_url, org.following_url)
    assert actor.summary == "<p>Beratung</p>" and [(f.name, f.value) for f in actor.fields] == [
        ("Web", "https://awo.example")]
    key = org.public_keys.get()
    assert [(k.id, k.owner, k.pem) for k in actor.public_keys] == [(key.key_id, org.uri, key.pem)]
    suspended = Actor.parse(actor_document_suspended(org))
    assert suspended.suspended and suspended.summary == "" and suspended.fields == ()
    assert suspended.public_keys == actor.public_keys  # peers can still verify what it signed
