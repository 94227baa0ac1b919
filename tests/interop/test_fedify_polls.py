"""A poll with an independent Fedify server: Fedify's vocabulary reads our Question (options, counts, end), its
vote (a named Note in reply, as Mastodon sends) is counted here and never shown as a reply, and the Update with
the new count reaches it."""

from tests.api_session import log_in
from tests.nodes import wait_until


def test_fedify_reads_our_poll_votes_and_gets_the_new_count(start_node, peer):
    node = start_node("ours", env={"FEDINODE_POLL_UPDATE_DELAY": "1"})
    node.cli("createorg", "praxis", "--email", "p@example.org", "--password", "praxis-pass-1")
    org = node.actor_url("praxis")
    peer.follow(org)
    wait_until(lambda: org in peer.following(), message="our Accept at the Fedify peer")

    api = log_in(node.base, username="praxis", password="praxis-pass-1")
    status = api.ok("POST", "/api/v1/statuses", json={"status": "Welcher Termin passt?", "poll": {
        "options": ["Montag", "Dienstag"], "expires_in": 3600}})
    create = peer.wait_for(lambda a: a["type"] == "Create" and a.get("poll"))
    assert create["poll"]["oneOf"] == [{"name": "Montag", "votes": 0}, {"name": "Dienstag", "votes": 0}]
    assert create["poll"]["anyOf"] == [] and create["poll"]["voters"] == 0 and create["poll"]["endTime"]

    peer.vote(org, status["uri"], "Dienstag")
    poll = wait_until(lambda: (p := api.ok("GET", f"/api/v1/polls/{status['poll']['id']}"))["votes_count"] and p,
                      message="the Fedify vote counted")
    assert [o["votes_count"] for o in poll["options"]] == [0, 1] and poll["voters_count"] == 1
    assert api.ok("GET", f"/api/v1/statuses/{status['id']}/context")["descendants"] == []

    update = peer.wait_for(lambda a: a["type"] == "Update" and a.get("poll"))
    assert update["poll"]["oneOf"] == [{"name": "Montag", "votes": 0}, {"name": "Dienstag", "votes": 1}]
    assert update["poll"]["voters"] == 1
