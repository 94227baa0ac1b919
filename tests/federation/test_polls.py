"""A poll across two nodes with a real client: a member of A asks through Mastodon.py, a member of B who follows
it votes through Mastodon.py, A counts the vote (with a vote of its own member), and B sees both once A's Update
of the Question arrives."""

from mastodon import Mastodon

from tests.api_session import log_in
from tests.nodes import wait_until

FAST_UPDATES = {"FEDINODE_POLL_UPDATE_DELAY": "1"}


def client(node, username: str, password: str) -> Mastodon:
    token = log_in(node.base, username=username, password=password).headers["Authorization"].split()[1]
    return Mastodon(access_token=token, api_base_url=node.base, version_check_mode="none")


def test_a_poll_is_voted_on_from_another_node_and_the_counts_come_back(start_node):
    node_a, node_b = start_node("a", env=FAST_UPDATES), start_node("b", env=FAST_UPDATES)
    node_a.cli("createorg", "kita", "--email", "kita@example.org", "--password", "kita-pass-123")
    node_a.cli("createorg", "hort", "--email", "hort@example.org", "--password", "hort-pass-123")
    node_b.cli("createorg", "pflege", "--email", "pflege@example.org", "--password", "pflege-pass-123")
    kita, hort = client(node_a, "kita", "kita-pass-123"), client(node_a, "hort", "hort-pass-123")
    pflege = client(node_b, "pflege", "pflege-pass-123")

    account = pflege.search_v2(f"kita@{node_a.domain}", resolve=True, result_type="accounts").accounts[0]
    pflege.account_follow(account.id)
    wait_until(lambda: pflege.account_relationships(account.id)[0].following, message="Accept at B")

    asked = kita.status_post("Wann feiern wir das Sommerfest?",
                             poll=kita.make_poll(["Freitag", "Samstag", "Sonntag"], expires_in=3600))
    assert [o.title for o in asked.poll.options] == ["Freitag", "Samstag", "Sonntag"]

    arrived = wait_until(lambda: [s for s in pflege.timeline_home() if s.uri == asked.uri], message="the poll at B")[0]
    assert arrived.poll is not None and [o.title for o in arrived.poll.options] == ["Freitag", "Samstag", "Sonntag"]
    assert arrived.poll.voted is False and arrived.poll.multiple is False

    voted = pflege.poll_vote(arrived.poll.id, 1)
    assert voted.voted is True and voted.own_votes == [1] and voted.options[1].votes_count == 1
    hort.poll_vote(hort.status(asked.id).poll.id, 2)

    counted = wait_until(lambda: (p := kita.poll(asked.poll.id)).voters_count == 2 and p, message="B's vote at A")
    assert [o.votes_count for o in counted.options] == [0, 1, 1]
    assert kita.status_context(asked.id).descendants == []  # a vote is no reply

    def counts_at_b():
        poll = pflege.poll(arrived.poll.id)
        return [o.votes_count for o in poll.options] == [0, 1, 1] and poll.voters_count == 2 and poll

    seen = wait_until(counts_at_b, message="A's Update of the counts at B")
    assert seen.own_votes == [1] and seen.voted is True
    assert pflege.status(arrived.id).edited_at is None  # new counts are no edit
