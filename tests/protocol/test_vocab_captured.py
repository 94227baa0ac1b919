"""The typed ActivityStreams layer reads payloads captured from running software (payloads/capture.py): what a
@fedify/fedify actor and a bovine actor sent to a node of ours and served at their URLs, and what our node sent and
served itself. Ids, hosts and dates are as captured, so the tests read them from the documents around them."""

from pathlib import Path

import orjson
import pytest

from fediverse_node.protocol.vocab import PUBLIC, Activity, Actor, Attachment, PostObject

PAYLOADS = Path(__file__).parent / "payloads"
CAPTURED = ("fedify-captured", "bovine-captured", "fediverse-node-captured")


def load(folder: str, name: str) -> dict:
    return orjson.loads((PAYLOADS / folder / f"{name}.json").read_bytes())


def activity(folder: str, name: str) -> Activity:
    return Activity.parse(load(folder, name))


@pytest.fixture(scope="module")
def ours() -> dict:
    """Our org and the post the peers answered, as our node's captured documents name them."""
    org = load("fediverse-node-captured", "actor")["id"]
    return {"org": org, "post": load("fedify-captured", "note")["inReplyTo"]}


def test_each_capture_folder_is_complete():
    names = {folder: sorted(p.stem for p in (PAYLOADS / folder).glob("*.json")) for folder in CAPTURED}
    assert names["fedify-captured"] == sorted([
        "accept_follow", "actor", "announce", "create", "create_question", "delete", "follow", "like", "note",
        "question", "undo_follow", "undo_like", "update",
    ])
    assert names["bovine-captured"] == sorted([
        "actor", "announce", "create", "delete", "follow", "like", "note", "undo_like", "update",
    ])
    assert names["fediverse-node-captured"] == sorted([
        "accept_follow", "actor", "announce", "article", "create_article", "create_event", "create_note", "event",
        "follow", "like", "note", "undo_follow",
    ])


@pytest.mark.parametrize("folder, username, key_fragment, has_shared_inbox", [
    ("fedify-captured", "emil", "#main-key", True),
    ("bovine-captured", "bovi", "#main-key", False),
    ("fediverse-node-captured", "praxis", "#main-key", True),
])
def test_captured_actor_documents(folder, username, key_fragment, has_shared_inbox):
    document = load(folder, "actor")
    actor = Actor.parse(document)
    assert actor.id == document["id"] and actor.preferred_username == username
    assert actor.inbox == document["inbox"] and actor.outbox == document["outbox"]
    assert actor.followers == document.get("followers", "")  # bovine's Actor leaves it out of a public profile
    assert actor.shared_inbox == (document["endpoints"]["sharedInbox"] if has_shared_inbox else "")
    [key] = actor.public_keys  # the Multikeys under assertionMethod are no publicKey
    assert (key.id, key.owner) == (actor.id + key_fragment, actor.id)
    assert key.pem.startswith("-----BEGIN PUBLIC KEY-----")


def test_fedify_actor_details():
    emil = Actor.parse(load("fedify-captured", "actor"))
    assert emil.type == "Person" and emil.name == "Emil Fedify" and emil.discoverable
    assert emil.icon.endswith("/media/emil.png") and not emil.manually_approves_followers
    assert emil.published == "2026-01-05T09:00:00Z"
    document = load("fedify-captured", "actor")
    assert [m["type"] for m in document["assertionMethod"]] == ["Multikey", "Multikey"]


def test_fedify_create_note_with_mention_hashtag_and_image(ours):
    create = activity("fedify-captured", "create")
    assert create.type == "Create" and create.to == (PUBLIC,)  # "to" as one string
    assert create.cc == (f"{create.actor}/followers", ours["org"])
    note = PostObject.parse(create.object)
    assert note.id == create.object_id and note.attributed_to == create.actor
    assert note.in_reply_to == ours["post"] and note.to == (PUBLIC,)
    assert note.mentions == [ours["org"]] and note.hashtags == ["#Ehrenamt"]
    [image] = note.attachments
    assert isinstance(image, Attachment) and image.type == "Image" and image.media_type == "image/png"
    assert (image.name, image.width, image.height) == ("Ein Plakat zum Aktionstag", 1200, 800)
    assert note.published == create.published and note.url.endswith(note.id.rsplit("/", 1)[1])
    served = PostObject.parse(load("fedify-captured", "note"))  # the edited version, served at its id
    assert served.id == note.id and "Das neue Plakat" in served.content and served.updated > note.published


def test_fedify_update_and_delete(ours):
    update = activity("fedify-captured", "update")
    edited = PostObject.parse(update.object)
    assert update.object_type == "Note" and edited.updated is not None and "Das neue Plakat" in edited.content
    delete = activity("fedify-captured", "delete")
    assert delete.object_type == "Tombstone" and delete.object_id == edited.id and delete.to == (PUBLIC,)


def test_fedify_follow_like_announce_and_undos(ours):
    follow = activity("fedify-captured", "follow")
    assert follow.type == "Follow" and follow.object_id == ours["org"] and follow.object is None
    like = activity("fedify-captured", "like")
    assert like.type == "Like" and like.object_id == ours["post"]
    announce = activity("fedify-captured", "announce")
    assert announce.object_id == ours["post"] and announce.to == (PUBLIC,) and announce.published is not None
    undo_like = activity("fedify-captured", "undo_like")
    inner = undo_like.inner()
    assert undo_like.object_type == "Like" and inner is not None and inner.id == like.id
    assert inner.object_id == ours["post"]
    undo_follow = activity("fedify-captured", "undo_follow").inner()
    assert undo_follow is not None and (undo_follow.id, undo_follow.object_id) == (follow.id, ours["org"])


def test_fedify_accepts_our_follow(ours):
    accept = activity("fedify-captured", "accept_follow")
    follow = accept.inner()
    assert accept.type == "Accept" and follow is not None and follow.type == "Follow"
    assert follow.actor == ours["org"] and follow.object_id == accept.actor
    assert "#follows/" in accept.object_id  # the id our node gave its Follow


def test_fedify_question_is_a_poll(ours):
    create = activity("fedify-captured", "create_question")
    poll = PostObject.parse(create.object)
    assert poll.type == "Question" and poll.voters_count == 7 and not poll.any_of
    assert [(o.name, o.votes) for o in poll.one_of] == [("Dienstag", 4), ("Donnerstag", 3)]
    assert poll.end_time is not None and poll.end_time > poll.published
    served = PostObject.parse(load("fedify-captured", "question"))
    assert served.id == poll.id and served.to == (PUBLIC,)  # served with "to": "as:Public"
    assert served.mentions == [ours["org"]]  # one Mention written as the object, not a list


def test_bovine_note_and_activities(ours):
    create = activity("bovine-captured", "create")
    note = PostObject.parse(create.object)
    assert create.to == (PUBLIC,) and note.attributed_to == create.actor and note.in_reply_to == ours["post"]
    assert note.mentions == [ours["org"]] and note.hashtags == ["#Ehrenamt"]
    [image] = note.attachments
    assert isinstance(image, Attachment) and (image.type, image.name, image.width) == ("Image", "Ein Plakat", 120)
    assert PostObject.parse(load("bovine-captured", "note")).id == note.id
    update = activity("bovine-captured", "update")
    assert update.object_id == note.id and "Das neue Plakat" in PostObject.parse(update.object).content
    assert activity("bovine-captured", "follow").object_id == ours["org"]
    like = activity("bovine-captured", "like")
    assert like.object_id == ours["post"]
    assert activity("bovine-captured", "announce").object_id == ours["post"]
    undo = activity("bovine-captured", "undo_like")
    assert undo.object_type == "Like" and undo.inner().id == like.id
    delete = activity("bovine-captured", "delete")
    assert delete.object_id == note.id and delete.object is None  # bovine deletes by id, no Tombstone


def test_our_note_with_mention_hashtag_and_image(ours):
    create = activity("fediverse-node-captured", "create_note")
    note = PostObject.parse(create.object)
    assert create.actor == ours["org"] and note.attributed_to == ours["org"]
    kita = ours["org"].replace("/praxis", "/kita")
    assert note.mentions == [kita] and note.hashtags == ["#ehrenamt"] and note.language == "de"
    assert note.to == (PUBLIC,) and note.cc == (f"{ours['org']}/followers", kita)
    [image] = note.media
    assert (image.type, image.media_type, image.name) == ("Image", "image/jpeg", "Ein Plakat zum Aktionstag")
    assert image.focal_point == (0.0, 0.5) and image.blurhash and (image.width, image.height) == (120, 80)
    assert PostObject.parse(load("fediverse-node-captured", "note")) == note


def test_our_article_and_event(ours):
    article = PostObject.parse(activity("fediverse-node-captured", "create_article").object)
    assert article.type == "Article" and article.name == "Digitale Sprechstunde"
    assert "<strong>online</strong>" in article.content and article.source_markdown.endswith("**online**.")
    assert PostObject.parse(load("fediverse-node-captured", "article")) == article
    event = PostObject.parse(activity("fediverse-node-captured", "create_event").object)
    assert event.type == "Event" and event.name == "Offene Sprechstunde"
    assert (event.end_time - event.start_time).total_seconds() == 7200
    assert PostObject.parse(load("fediverse-node-captured", "event")) == event


def test_our_follow_accept_like_announce_undo(ours):
    bovi = load("bovine-captured", "actor")["id"]
    bovine_note = load("bovine-captured", "note")["id"]
    accept = activity("fediverse-node-captured", "accept_follow")
    assert accept.to == (bovi,) and accept.inner().actor == bovi
    assert accept.object_id == load("bovine-captured", "follow")["id"]
    follow = activity("fediverse-node-captured", "follow")
    assert (follow.actor, follow.object_id) == (ours["org"], bovi)
    assert activity("fediverse-node-captured", "like").object_id == bovine_note
    announce = activity("fediverse-node-captured", "announce")
    assert announce.object_id == bovine_note and announce.to == (PUBLIC,) and bovi in announce.cc
    undo = activity("fediverse-node-captured", "undo_follow")
    assert undo.inner().id == follow.id and undo.to == (bovi,)


@pytest.mark.parametrize("name", ["note", "article", "event"])
def test_our_objects_render_back_as_captured(name):
    """Parsing what our node sent and rendering it again gives the fields it sent (the layer loses nothing we use)."""
    document = load("fediverse-node-captured", name)
    rendered = PostObject.parse(document).render()
    for field in ("id", "type", "attributedTo", "content", "url", "to", "cc", "tag", "attachment", "name",
                  "startTime", "endTime", "published", "source"):
        if document.get(field) not in (None, [], ""):
            assert rendered.get(field) == document[field], field


@pytest.mark.parametrize("name", ["accept_follow", "follow", "like", "announce", "undo_follow"])
def test_our_activities_render_back_as_captured(name):
    document = load("fediverse-node-captured", name)
    rendered = Activity.parse(document).render()
    rendered.pop("cc") if rendered.get("cc") == [] else None  # actors.activities.simple_activity leaves it out
    assert rendered == {
        k: v for k, v in document.items() if k != "@context"
    }
