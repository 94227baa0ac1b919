"""Polls across servers, at the handlers: remote votes on our polls (counted once, never shown as replies), the
one Update that carries many votes and the one that closes a poll, a remote Question's counts, and our members'
votes on it in Mastodon's shape."""

from datetime import timedelta

import orjson
import pytest
from django.utils import timezone

from actors.services.local import organization_create
from fediverse_node.protocol.vocab import Activity
from inbox.handlers import creates_split, handle_create, handle_update
from inbox.models import InboxItem, InboxState
from outbox.models import OutgoingActivity
from posts.models import Poll, Post
from posts.services.poll_updates import polls_federate
from posts.services.polls import PollSpec, poll_vote
from posts.services.publishing import post_create
from tests.factories import accepted_follow, remote_actor

pytestmark = pytest.mark.django_db


@pytest.fixture
def author():
    return organization_create(username="kita", email="kita@example.org", password="pass-word-123")


@pytest.fixture
def question(author):
    return post_create(author=author, text="Wann feiern wir?",
                       poll=PollSpec(options=("Freitag", "Samstag"), expires_in=3600))


def vote(voter, question: Post, name: str, number: int = 1, content: str = "") -> dict:
    note = {"id": f"{voter.uri}#votes/{number}", "type": "Note", "name": name, "attributedTo": voter.uri,
            "inReplyTo": question.uri, "to": [question.author.uri], "content": content}
    return {"id": f"{note['id']}/activity", "type": "Create", "actor": voter.uri, "to": [question.author.uri],
            "object": note}


def test_a_remote_vote_is_counted_once_and_is_no_reply(question):
    voter = remote_actor(host="b.example")
    assert handle_create(Activity.parse(vote(voter, question, "Samstag")), voter) == InboxState.PROCESSED
    again = handle_create(Activity.parse(vote(voter, question, "Freitag", number=2)), voter)
    assert again == InboxState.IGNORED  # one choice per voter in a single-choice poll
    unknown = remote_actor(host="c.example")
    assert handle_create(Activity.parse(vote(unknown, question, "Montag")), unknown) == InboxState.IGNORED
    poll = Poll.objects.get(pk=question.id)
    assert [o["votes"] for o in poll.options] == [0, 1] and poll.voters_count == 1
    assert Post.objects.count() == 1 and not question.replies.exists()


def test_a_named_reply_with_content_stays_a_reply(question):
    replier = remote_actor(host="b.example")
    handle_create(Activity.parse(vote(replier, question, "Samstag", content="<p>Samstag passt!</p>")), replier)
    assert Poll.objects.get(pk=question.id).votes.count() == 0 and question.replies.count() == 1


def test_a_vote_on_a_closed_poll_does_not_count(question):
    Poll.objects.filter(pk=question.id).update(expires_at=timezone.now() - timedelta(seconds=1))
    voter = remote_actor(host="b.example")
    assert handle_create(Activity.parse(vote(voter, question, "Samstag")), voter) == InboxState.IGNORED


def test_many_votes_make_one_update_and_the_close_one_more(question, author, settings):
    settings.FEDINODE_POLL_UPDATE_DELAY = 0
    accepted_follow(follower=remote_actor(host="a.example"), target=author)
    voters = [remote_actor(host="b.example") for _ in range(5)]
    for number, voter in enumerate(voters):
        handle_create(Activity.parse(vote(voter, question, "Freitag", number)), voter)
    assert polls_federate() == 1 and polls_federate() == 0
    update = orjson.loads(OutgoingActivity.objects.get(type="Update").body)
    assert update["object"]["oneOf"][0]["replies"]["totalItems"] == 5 and update["object"]["votersCount"] == 5
    Poll.objects.filter(pk=question.id).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert polls_federate() == 1 and polls_federate() == 0
    closing = orjson.loads(OutgoingActivity.objects.filter(type="Update").order_by("-id")[0].body)
    assert closing["object"]["closed"] and closing["id"] != update["id"]


def test_the_update_waits_for_the_delay(question, settings):
    settings.FEDINODE_POLL_UPDATE_DELAY = 60
    voter = remote_actor(host="b.example")
    handle_create(Activity.parse(vote(voter, question, "Freitag")), voter)
    assert polls_federate() == 0
    assert polls_federate(now=timezone.now() + timedelta(seconds=61)) == 1


def remote_question(author, *, votes: tuple[int, int], any_of: bool = False) -> dict:
    key = "anyOf" if any_of else "oneOf"
    return {
        "id": f"{author.uri}/statuses/1", "type": "Question", "attributedTo": author.uri,
        "content": "<p>Kaffee oder Tee?</p>", "to": ["https://www.w3.org/ns/activitystreams#Public"],
        "endTime": (timezone.now() + timedelta(hours=1)).isoformat(), "votersCount": sum(votes),
        key: [{"type": "Note", "name": name, "replies": {"type": "Collection", "totalItems": n}}
              for name, n in zip(("Kaffee", "Tee"), votes, strict=True)],
    }


def test_a_remote_question_and_its_update_refresh_the_counts_without_an_edit():
    asker = remote_actor(host="m.example")
    handle_create(Activity.parse({"id": "https://m.example/c/1", "type": "Create", "actor": asker.uri,
                                  "object": remote_question(asker, votes=(1, 0))}), asker)
    post = Post.objects.get(uri=f"{asker.uri}/statuses/1")
    assert [o["votes"] for o in post.poll.options] == [1, 0] and post.poll.multiple is False
    handle_update(Activity.parse({"id": "https://m.example/u/1", "type": "Update", "actor": asker.uri,
                                  "object": remote_question(asker, votes=(1, 3))}), asker)
    post.refresh_from_db()
    assert [o["votes"] for o in Poll.objects.get(pk=post.id).options] == [1, 3]
    assert post.edited_at is None and not post.edits.exists()


def test_a_remote_question_is_not_taken_by_the_batch_path():
    asker = remote_actor(host="m.example")
    item = InboxItem.objects.create(
        activity_id="https://m.example/c/2", actor_uri=asker.uri, type="Create",
        payload={"id": "https://m.example/c/2", "type": "Create", "actor": asker.uri,
                 "object": remote_question(asker, votes=(0, 0))},
    )
    batch, rest = creates_split([item])
    assert batch == [] and rest == [item]


def test_a_members_vote_on_a_remote_poll_goes_to_its_author_as_named_notes(author):
    asker = remote_actor(host="m.example")
    handle_create(Activity.parse({"id": "https://m.example/c/1", "type": "Create", "actor": asker.uri,
                                  "object": remote_question(asker, votes=(2, 0), any_of=True)}), asker)
    poll = Poll.objects.get(post__uri=f"{asker.uri}/statuses/1")
    poll_vote(poll=poll, voter=author, choices=[0, 1])
    poll.refresh_from_db()
    assert [o["votes"] for o in poll.options] == [3, 1]
    creates = [orjson.loads(a.body) for a in OutgoingActivity.objects.filter(type="Create").order_by("id")]
    notes = [c["object"] for c in creates]
    assert [n["name"] for n in notes] == ["Kaffee", "Tee"]
    assert all(n["inReplyTo"] == poll.post.uri and n["to"] == [asker.uri] and n["type"] == "Note" for n in notes)
    assert all(c["to"] == [asker.uri] and "cc" not in c or not c.get("cc") for c in creates)
