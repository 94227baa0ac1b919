"""Peers deliver at least once: the same Create or Update of a post may arrive again. Only a change of what readers
see is an edit (a history entry and the "edited" mark, as Mastodon shows them)."""

import pytest

from fediverse_node.protocol.vocab import Activity
from inbox.handlers import handle_create, handle_update
from posts.models import Post
from tests.factories import remote_actor

pytestmark = pytest.mark.django_db


def _note(author, content: str, *, image: str = "") -> dict:
    note = {"id": f"{author.uri}/statuses/1", "type": "Note", "attributedTo": author.uri, "content": content,
            "to": ["https://www.w3.org/ns/activitystreams#Public"], "published": "2026-12-01T10:00:00Z"}
    if image:
        note["attachment"] = [{"type": "Document", "mediaType": "image/png", "url": image, "name": "Ein Bild"}]
    return note


def _send(handler, kind: str, author, number: int, note: dict) -> Post:
    handler(Activity.parse({"id": f"{author.uri}/activities/{number}", "type": kind, "actor": author.uri,
                            "object": note}), author)
    return Post.objects.get(uri=note["id"])


def test_the_same_create_and_update_delivered_again_are_no_edit():
    author = remote_actor(host="m.example")
    _send(handle_create, "Create", author, 1, _note(author, "<p>Sommerfest am Freitag</p>"))
    post = _send(handle_create, "Create", author, 1, _note(author, "<p>Sommerfest am Freitag</p>"))
    post = _send(handle_update, "Update", author, 2, _note(author, "<p>Sommerfest am Freitag</p>"))
    assert post.edited_at is None and not post.edits.exists()


def test_a_changed_text_or_new_media_is_an_edit():
    author = remote_actor(host="m.example")
    _send(handle_create, "Create", author, 1, _note(author, "<p>Sommerfest am Freitag</p>"))
    post = _send(handle_update, "Update", author, 2, _note(author, "<p>Sommerfest am Samstag</p>"))
    assert post.edited_at is not None and [e.content for e in post.edits.all()] == ["<p>Sommerfest am Freitag</p>"]
    post = _send(handle_update, "Update", author, 3,
                 _note(author, "<p>Sommerfest am Samstag</p>", image="https://m.example/media/fest.png"))
    assert post.edits.count() == 2 and [a.remote_url for a in post.attachments.all()] == ["https://m.example/media/fest.png"]
