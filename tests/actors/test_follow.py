"""The follow's state graph, one step at a time: each declared move through the service that makes it, each
undeclared move refused, and each race a second worker loses answered with the row as the winner left it."""

import itertools

import orjson
import pytest

from actors.models import FOLLOW_STATES, Follow, FollowState
from actors.services.follow import (
    _move,
    follow_accept,
    follow_confirmed,
    follow_received,
    follow_refused,
    follow_reject,
    follow_request,
    follow_undo,
)
from actors.services.local import organization_create
from fediverse_node.protocol.vocab import Activity
from fediverse_node.states import TransitionRefused
from inbox.handlers import handle_follow, handle_reject
from inbox.models import InboxState
from outbox.models import OutgoingActivity
from tests.factories import accepted_follow, remote_actor

pytestmark = pytest.mark.django_db


@pytest.fixture
def org():
    return organization_create(username="verein", email="v@example.org", password="verein-pass-1")


@pytest.fixture
def peer():
    return remote_actor(host="peer.example")


def asked(follower, target, state=FollowState.PENDING, slug="1") -> Follow:
    return Follow.objects.create(follower=follower, target=target, uri=f"{follower.uri}#follows/{slug}", state=state)


def sent(kind: str) -> list[dict]:
    return [orjson.loads(bytes(a.body)) for a in OutgoingActivity.objects.filter(type=kind).order_by("id")]


def state_of(follow: Follow) -> str | None:
    return Follow.objects.filter(id=follow.id).values_list("state", flat=True).first()


# ------------------------------------------------------------------ each declared move


def test_pending_to_accepted_when_our_target_accepts(org, peer):
    follow = asked(peer, org)
    assert follow_accept(follow=follow) == follow
    assert state_of(follow) == FollowState.ACCEPTED
    (accept,) = sent("Accept")
    assert accept["object"]["id"] == follow.uri
    assert org.notifications.filter(type="follow").count() == 1


def test_pending_to_accepted_when_their_server_accepts(org, peer):
    follow = asked(org, peer)
    follow_confirmed(follow=follow)
    assert state_of(follow) == FollowState.ACCEPTED


def test_pending_to_rejected_when_our_target_refuses_and_the_row_stays(org, peer):
    follow = asked(peer, org)
    assert follow_reject(follow=follow).state == FollowState.REJECTED
    assert state_of(follow) == FollowState.REJECTED
    (reject,) = sent("Reject")
    assert reject["object"]["id"] == follow.uri and reject["to"] == [peer.uri]


def test_pending_to_rejected_when_their_server_rejects(org, peer):
    follow = asked(org, peer)
    reject = {"id": f"{peer.uri}#rejects/1", "type": "Reject", "actor": peer.uri, "object": follow.uri}
    assert handle_reject(Activity.parse(reject), peer) == InboxState.PROCESSED
    assert state_of(follow) == FollowState.REJECTED


def test_rejected_to_pending_when_their_actor_asks_again(org, peer):
    org.manually_approves_followers = True
    org.save(update_fields=["manually_approves_followers"])
    follow = asked(peer, org, FollowState.REJECTED)
    again = {"id": f"{peer.uri}#follows/2", "type": "Follow", "actor": peer.uri, "object": org.uri}
    handle_follow(Activity.parse(again), peer)
    row = Follow.objects.get(id=follow.id)
    assert (row.state, row.uri) == (FollowState.PENDING, again["id"])  # reopened under the id it sent last
    assert org.notifications.filter(type="follow_request").count() == 1


def test_rejected_to_pending_when_our_actor_asks_again(org, peer):
    follow = asked(org, peer, FollowState.REJECTED)
    again = follow_request(follower=org, target=peer)
    row = Follow.objects.get(id=follow.id)
    assert again.id == follow.id and row.state == FollowState.PENDING and row.uri != follow.uri
    assert [f["id"] for f in sent("Follow")] == [row.uri]  # a new Follow under the new id


def test_removing_an_accepted_follower_ends_the_follow(org, peer):
    follow = accepted_follow(follower=peer, target=org)
    assert follow_reject(follow=follow) is None
    assert state_of(follow) is None
    assert [r["object"]["id"] for r in sent("Reject")] == [follow.uri]


def test_their_reject_of_an_accepted_follow_ends_it(org, peer):
    follow = accepted_follow(follower=org, target=peer)
    assert follow_refused(follow=follow) is None
    assert state_of(follow) is None


def test_undo_ends_a_follow_in_any_state(org, peer):
    for number, state in enumerate(FollowState, start=1):
        target = remote_actor(host=f"peer{number}.example")
        follow = asked(org, target, state, slug=str(number))
        follow_undo(follower=org, target=target)
        assert state_of(follow) is None
    assert len(sent("Undo")) == len(FollowState)


# ------------------------------------------------------------------ undeclared moves


UNDECLARED = [
    pair for pair in itertools.product(FollowState.values, repeat=2) if not FOLLOW_STATES.allows(*pair)
]


@pytest.mark.parametrize(("source", "to"), UNDECLARED)
def test_an_undeclared_move_raises_and_writes_nothing(org, peer, source, to):
    follow = asked(peer, org, source)
    with pytest.raises(TransitionRefused, match=f"from {source} to {to}"):
        _move(follow, source, to)
    assert state_of(follow) == source


def test_the_graph_declares_exactly_the_follow_moves():
    assert UNDECLARED and len(FOLLOW_STATES.moves) == 3
    assert not FOLLOW_STATES.allows(FollowState.ACCEPTED, FollowState.REJECTED)  # an accepted follow ends instead


def test_refusing_a_refused_follow_is_a_callers_bug(org, peer):
    follow = asked(peer, org, FollowState.REJECTED)
    with pytest.raises(TransitionRefused):
        follow_reject(follow=follow)
    assert sent("Reject") == []


# ------------------------------------------------------------------ lost races


def test_an_accept_that_lost_to_a_refusal_answers_rejected_and_sends_nothing(org, peer):
    follow = asked(peer, org)
    stale = Follow.objects.get(id=follow.id)  # what the accepting worker read
    follow_reject(follow=follow)
    answer = follow_accept(follow=stale)
    assert answer is not None and answer.state == FollowState.REJECTED
    assert sent("Accept") == [] and org.notifications.filter(type="follow").count() == 0


def test_a_late_accept_of_a_rejected_follow_changes_nothing(org, peer):
    follow = asked(org, peer)
    stale = Follow.objects.get(id=follow.id)
    follow_refused(follow=follow)
    assert follow_confirmed(follow=stale).state == FollowState.REJECTED
    assert state_of(follow) == FollowState.REJECTED


def test_a_refusal_that_lost_to_an_accept_ends_the_follow_it_finds(org, peer):
    """An Accept overtook the Reject (two workers, the Reject read the row first): the Reject still stands, so
    it decides again on the state the Accept left and ends the follow."""
    follow = asked(org, peer)
    stale = Follow.objects.get(id=follow.id)
    follow_confirmed(follow=follow)
    assert follow_refused(follow=stale) is None
    assert state_of(follow) is None


def test_a_refusal_that_lost_to_another_refusal_sends_one_reject(org, peer):
    follow = asked(peer, org)
    stale = Follow.objects.get(id=follow.id)
    follow_reject(follow=follow)
    assert follow_reject(follow=stale).state == FollowState.REJECTED
    assert len(sent("Reject")) == 1


def test_a_refusal_of_a_follow_ended_meanwhile_answers_none(org, peer):
    follow = asked(peer, org)
    Follow.objects.filter(id=follow.id).delete()  # undone by its follower meanwhile
    assert follow_reject(follow=follow) is None
    assert sent("Reject") == []


def test_a_reopening_that_lost_answers_with_the_winners_row(org, peer):
    follow = asked(peer, org, FollowState.REJECTED)
    stale = Follow.objects.get(id=follow.id)
    assert _move(follow, FollowState.REJECTED, FollowState.PENDING, uri=f"{peer.uri}#follows/2")
    assert not _move(stale, FollowState.REJECTED, FollowState.PENDING, uri=f"{peer.uri}#follows/3")
    assert stale.state == FollowState.REJECTED  # the loser's copy is not changed
    assert Follow.objects.get(id=follow.id).uri == f"{peer.uri}#follows/2"


def test_a_repeated_follow_keeps_its_one_row_and_is_accepted_again(org, peer):
    first = follow_received(follower=peer, target=org, uri=f"{peer.uri}#follows/1")
    assert first is not None and first.state == FollowState.ACCEPTED
    again = follow_received(follower=peer, target=org, uri=f"{peer.uri}#follows/1")
    assert again.id == first.id and again.state == FollowState.ACCEPTED
    assert len(sent("Accept")) == 2  # answered again: the peer lost our Accept
    assert Follow.objects.count() == 1
