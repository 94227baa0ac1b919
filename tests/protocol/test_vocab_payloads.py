"""The typed ActivityStreams layer reads what real peers send: each payload under payloads/<peer>/ parses, and the
fields the node uses come out right (no database: the layer is pure protocol). The folders tested here hold
hand-written shapes of servers we cannot run here (payloads/README.md says from which source each was learned);
test_vocab_captured.py reads the payloads captured from running software."""

from datetime import UTC, datetime
from pathlib import Path

import orjson
import pytest

from fediverse_node.protocol.vocab import PUBLIC, Activity, Actor, Attachment, Link, PostObject, key_owner

PAYLOADS = Path(__file__).parent / "payloads"
NODE_ACTOR = "https://node.example/actors/awo"
NODE_POST = "https://node.example/posts/7"


def load(name: str) -> dict:
    return orjson.loads((PAYLOADS / name).read_bytes())


def test_every_stored_payload_parses_as_its_kind():
    names = sorted(str(p.relative_to(PAYLOADS)) for p in PAYLOADS.rglob("*.json"))
    assert {n.split("/")[0] for n in names} == {
        "mastodon", "gotosocial", "misskey", "pleroma", "fedify", "takahe",  # hand-written shapes
        "fedify-captured", "bovine-captured", "fediverse-node-captured",  # captured by capture.py
    }
    for name in names:
        document = load(name)
        if name.endswith("/actor.json"):
            Actor.parse(document)
        elif document.get("type") in ("Note", "Article", "Question", "Event"):
            PostObject.parse(document)
        elif name.endswith("main_key.json"):
            assert key_owner(document)
        else:
            Activity.parse(document)


@pytest.mark.parametrize("peer, username, shared_inbox, key_id, fields", [
    ("mastodon", "anna", "https://mastodon.example/inbox", "https://mastodon.example/users/anna#main-key",
     ["Website"]),
    ("gotosocial", "bert", "https://gts.example/sharedInbox", "https://gts.example/users/bert/main-key",
     ["Pronomen"]),  # one field, sent as an object rather than a list
    ("misskey", "chika", "https://misskey.example/inbox", "https://misskey.example/users/9h2kq3a1b0#main-key",
     ["Ort"]),
    ("pleroma", "dora", "https://pleroma.example/inbox", "https://pleroma.example/users/dora#main-key", []),
    ("fedify", "emil", "https://fedify.example/inbox", "https://fedify.example/users/emil#main-key", []),
    ("takahe", "frida", "https://takahe.example/inbox/", "https://takahe.example/@frida@takahe.example/#main-key",
     ["Blog", "Sprachen"]),  # Takahē writes the first type as the expanded schema.org IRI
])
def test_actor_documents(peer, username, shared_inbox, key_id, fields):
    document = load(f"{peer}/actor.json")
    actor = Actor.parse(document)
    assert actor.id == document["id"] and actor.type == "Person"
    assert actor.preferred_username == username
    assert actor.inbox == document["inbox"] and actor.shared_inbox == shared_inbox
    assert actor.followers == document["followers"] and actor.outbox == document["outbox"]
    assert [(k.id, k.owner) for k in actor.public_keys] == [(key_id, actor.id)]
    assert actor.public_keys[0].pem.startswith("-----BEGIN PUBLIC KEY-----")
    assert [f.name for f in actor.fields] == fields
    assert actor.icon.startswith(f"https://{peer if peer != 'gotosocial' else 'gts'}.example/")


def test_actor_details_of_each_peer():
    anna = Actor.parse(load("mastodon/actor.json"))
    assert anna.name == "Anna Beispiel :verified:" and anna.url == "https://mastodon.example/@anna"
    assert anna.image.endswith("/headers/anna.jpg") and anna.discoverable and not anna.manually_approves_followers
    assert 'href="https://anna.example"' in anna.fields[0].value
    bert = Actor.parse(load("gotosocial/actor.json"))
    assert bert.manually_approves_followers and bert.fields[0].value == "er/ihm"
    chika = Actor.parse(load("misskey/actor.json"))
    assert chika.image == "" and chika.summary == "<p><span>Kita-Leitung</span></p>"  # "image": null
    dora = Actor.parse(load("pleroma/actor.json"))
    assert not dora.discoverable and dora.icon == "https://pleroma.example/media/avatar.png"
    frida = Actor.parse(load("takahe/actor.json"))
    assert frida.id.endswith("/@frida@takahe.example/") and frida.followers.endswith("/followers/")


def test_gotosocial_key_document_names_its_owner():
    assert key_owner(load("gotosocial/main_key.json")) == "https://gts.example/users/bert"
    assert key_owner(load("gotosocial/actor.json")) == ""  # an actor is no standalone key


def test_mastodon_create_note():
    activity = Activity.parse(load("mastodon/create_note.json"))
    assert activity.type == "Create" and activity.actor == "https://mastodon.example/users/anna"
    assert activity.object_id == "https://mastodon.example/users/anna/statuses/113000000000000001"
    note = PostObject.parse(activity.object)
    assert note.type == "Note" and note.attributed_to == activity.actor
    assert note.in_reply_to == NODE_POST and note.summary == "" and not note.sensitive
    assert note.to == (PUBLIC,) and note.cc == ("https://mastodon.example/users/anna/followers", NODE_ACTOR)
    assert note.content.startswith("<p><span class=\"h-card\">") and note.language == "de"
    assert note.published == datetime(2026, 11, 20, 10, tzinfo=UTC)
    assert note.url == "https://mastodon.example/@anna/113000000000000001"
    assert note.mentions == [NODE_ACTOR] and note.hashtags == ["#Ehrenamt"]
    [image] = note.attachments
    assert isinstance(image, Attachment) and image.type == "Document" and image.media_type == "image/jpeg"
    assert image.name == "Ein Plakat zum Aktionstag" and image.blurhash.startswith("LFHV")
    assert (image.width, image.height, image.focal_point) == (1200, 800, (0.0, 0.5))


def test_mastodon_question_is_a_poll():
    poll = PostObject.parse(load("mastodon/question.json"))
    assert poll.type == "Question" and poll.voters_count == 7 and not poll.any_of
    assert [(o.name, o.votes) for o in poll.one_of] == [("Dienstag", 4), ("Donnerstag", 3)]
    assert poll.end_time == datetime(2026, 11, 22, 9, tzinfo=UTC)


def test_mastodon_activities():
    follow = Activity.parse(load("mastodon/follow.json"))
    assert (follow.type, follow.object_id, follow.object) == ("Follow", NODE_ACTOR, None)
    undo = Activity.parse(load("mastodon/undo_follow.json"))
    inner = undo.inner()
    assert undo.object_type == "Follow" and inner is not None and inner.id == follow.id
    assert inner.actor == follow.actor and inner.object_id == NODE_ACTOR
    like = Activity.parse(load("mastodon/like.json"))
    assert like.object_id == NODE_POST and like.id.endswith("#likes/991")
    announce = Activity.parse(load("mastodon/announce.json"))
    assert announce.object_id == NODE_POST and announce.object is None
    assert announce.published == datetime(2026, 11, 21, 10, tzinfo=UTC)
    delete = Activity.parse(load("mastodon/delete_note.json"))
    assert delete.object_type == "Tombstone" and delete.object_id.endswith("/statuses/113000000000000001")
    gone = Activity.parse(load("mastodon/delete_actor.json"))
    assert gone.object_id == gone.actor  # an account deleting itself
    flag = Activity.parse(load("mastodon/flag.json"))
    assert flag.actor == "https://mastodon.example/actor"  # the instance actor: Mastodon hides the reporter
    assert flag.object_ids == (NODE_ACTOR, NODE_POST) and flag.content == "Werbung in jedem Beitrag"


def test_gotosocial_writes_one_item_lists_as_the_item():
    activity = Activity.parse(load("gotosocial/create_note.json"))
    assert activity.cc == ("https://gts.example/users/bert/followers",)
    note = PostObject.parse(activity.object)
    assert note.cc == ("https://gts.example/users/bert/followers",) and note.to == (PUBLIC, NODE_ACTOR)
    assert note.mentions == [NODE_ACTOR]  # "tag" is one Mention object
    [image] = note.attachments  # "attachment" is one Image object
    assert isinstance(image, Attachment) and image.type == "Image" and image.name == "Ein Diagramm"
    assert note.summary == "" and note.language == "de"
    accept = Activity.parse(load("gotosocial/accept_follow.json"))
    assert accept.to == (NODE_ACTOR,) and accept.inner().actor == NODE_ACTOR
    assert accept.object_id == "https://node.example/actors/awo#follow/5b2c"


def test_misskey_note_like_and_poll():
    activity = Activity.parse(load("misskey/create_note.json"))
    assert activity.published == datetime(2026, 11, 20, 12, 34, 56, 789000, tzinfo=UTC)  # milliseconds
    note = PostObject.parse(activity.object)
    assert note.content.startswith("<p><span>Sommerfest") and note.in_reply_to == ""  # "inReplyTo": null
    assert note.hashtags == ["#kita"] and note.language == ""
    [file] = note.attachments
    assert isinstance(file, Attachment) and file.name == "" and file.url == "https://misskey.example/files/webpublic-1"
    like = Activity.parse(load("misskey/like.json"))
    assert like.type == "Like" and like.object_id == NODE_POST and like.content == "\u2764"  # the reaction
    poll = PostObject.parse(load("misskey/question.json"))
    assert [(o.name, o.votes) for o in poll.any_of] == [("Montag", 2), ("Mittwoch", 5)] and not poll.one_of
    assert poll.voters_count is None  # Misskey counts in _misskey_votes, not votersCount


def test_pleroma_note_reply_and_content_map_only():
    activity = Activity.parse(load("pleroma/create_note.json"))
    assert activity.published == datetime(2026, 11, 20, 13, 0, 0, 123456, tzinfo=UTC)
    note = PostObject.parse(activity.object)
    assert note.in_reply_to == NODE_POST and note.mentions == [NODE_ACTOR] and not note.sensitive  # null
    assert note.to == (PUBLIC, NODE_ACTOR) and note.attachments[0].name == ""
    only_map = PostObject.parse(load("pleroma/content_map_only.json"))
    assert only_map.content == "<p>Only a content map</p>" and only_map.language == "en"
    assert only_map.attributed_to == "https://pleroma.example/users/dora"  # attributedTo as a list
    assert only_map.to == (PUBLIC,)  # "to" as one string
    accept = Activity.parse(load("pleroma/accept_follow.json"))
    assert accept.object_type == "Follow" and accept.inner().object_id == "https://pleroma.example/users/dora"
    react = Activity.parse(load("pleroma/emoji_react.json"))
    assert react.type == "EmojiReact" and react.object_id == NODE_POST and react.cc == (PUBLIC,)


def test_fedify_compact_json_ld():
    activity = Activity.parse(load("fedify/create_note.json"))
    assert activity.to == (PUBLIC,) and activity.cc == ("https://fedify.example/users/emil/followers",)
    note = PostObject.parse(activity.object)
    assert note.url == "https://fedify.example/@emil/0193a2b4"  # a Link object, not a string
    assert note.hashtags == ["#Bildung"] and note.language == "de"
    article = PostObject.parse(load("fedify/article.json"))
    assert article.type == "Article" and article.name == "Jahresbericht 2026"
    assert article.summary == "Was wir im Jahr geschafft haben" and article.updated == datetime(2026, 12, 2, 8, tzinfo=UTC)


def test_takahe_event_and_undo_like():
    activity = Activity.parse(load("takahe/create_event.json"))
    event = PostObject.parse(activity.object)
    assert event.type == "Event" and event.name == "Offene Sprechstunde"
    assert event.to == (PUBLIC,)  # "as:Public"
    assert event.start_time == datetime(2026, 12, 1, 15, tzinfo=UTC) and event.timezone == "Europe/Berlin"
    assert event.location is not None and event.location.name == "Beratungsstelle Mitte"
    assert event.location.url == "https://meet.example/sprechstunde"
    undo = Activity.parse(load("takahe/undo_like.json"))
    assert undo.object_type == "Like" and undo.inner().object_id == NODE_POST


def test_link_attachments_are_kept_apart_from_media():
    note = PostObject.parse({
        "id": "https://mobilizon.example/events/1", "type": "Event", "attributedTo": "https://mobilizon.example/@a",
        "attachment": [{"type": "Link", "href": "https://slides.example/1", "name": "Folien"},
                       {"type": "Document", "url": "https://mobilizon.example/media/1.pdf", "mediaType": "application/pdf"}],
    })
    assert [type(a) for a in note.attachments] == [Link, Attachment] and len(note.media) == 1
