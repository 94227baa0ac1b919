"""Hostile cases, polls: a remote Question's answers are another server's words. Markup in them stays text on our
pages and reaches apps as the plain text it is; oversized names and impossible counts are cut at the door."""

import pytest
from django.test import Client

from actors.services.local import organization_create
from fediverse_node.protocol.vocab import Activity
from inbox.handlers import handle_create
from posts.models import Poll, Post
from tests.clientapi.conftest import Api, issue_token
from tests.factories import remote_actor

pytestmark = pytest.mark.django_db

SCRIPT = "<script>alert(document.domain)</script>"
IMAGE = '<img src=x onerror="alert(1)">'


def question(author) -> dict:
    note = {
        "id": f"{author.uri}/questions/1", "type": "Question", "attributedTo": author.uri,
        "content": "<p>Welcher Tag?</p>", "to": ["https://www.w3.org/ns/activitystreams#Public"],
        "oneOf": [
            {"type": "Note", "name": SCRIPT, "replies": {"type": "Collection", "totalItems": 3}},
            {"type": "Note", "name": IMAGE, "replies": {"type": "Collection", "totalItems": -5}},
            {"type": "Note", "name": "x" * 100_000, "replies": {"type": "Collection", "totalItems": 2**40}},
            {"type": "Note", "name": {"de": "kein Text"}},
        ],
        "votersCount": "viele",
    }
    return {"id": f"{note['id']}/activity", "type": "Create", "actor": author.uri, "object": note,
            "to": note["to"]}


def test_hostile_answers_stay_text_on_the_page_and_in_the_api():
    author = remote_actor(host="evil.example")
    handle_create(Activity.parse(question(author)), author)
    post = Post.objects.get(uri=f"{author.uri}/questions/1")
    poll = Poll.objects.get(pk=post.id)
    titles = [option["title"] for option in poll.options]
    assert titles[:2] == [SCRIPT, IMAGE] and len(titles) == 3  # an answer without a text name is no answer
    assert len(titles[2]) <= 200  # cut at the door
    assert [option["votes"] for option in poll.options] == [3, 0, 0]  # no negative or absurd counts
    assert poll.voters_count is None

    page = Client().get(f"/posts/{post.id}/").content.decode()
    assert "<script>alert" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(document.domain)&lt;/script&gt;" in page

    reader = organization_create(username="kita", email="kita@example.org", password="pass-word-123")
    status = Api(issue_token(reader)).call("get", f"/api/v1/statuses/{post.id}").json()
    assert [o["title"] for o in status["poll"]["options"]][:2] == [SCRIPT, IMAGE]  # plain text, as Mastodon sends
    assert all(isinstance(o["votes_count"], int) and o["votes_count"] >= 0 for o in status["poll"]["options"])
