"""Inbox forwarding (ActivityPub §7.1.2) across three real nodes: a member of C follows a member of A; a member of B,
whom nobody on C follows, replies to A's post; A forwards the reply to its member's followers, so the thread is
complete on C, and the reply's Delete follows the same way (C checks both with B before believing A)."""

from tests.api_session import log_in
from tests.nodes import wait_until


def test_a_reply_and_its_delete_reach_a_third_node_by_forwarding(start_node):
    node_a, node_b, node_c = start_node("a"), start_node("b"), start_node("c")
    node_a.cli("createorg", "verein", "--email", "v@example.org", "--password", "verein-pass-1")
    node_b.cli("createorg", "pflege", "--email", "p@example.org", "--password", "pflege-pass-1")
    node_c.cli("createorg", "leser", "--email", "l@example.org", "--password", "leser-pass-1")
    verein = log_in(node_a.base, username="verein", password="verein-pass-1")
    pflege = log_in(node_b.base, username="pflege", password="pflege-pass-1")
    leser = log_in(node_c.base, username="leser", password="leser-pass-1")

    found = leser.ok("GET", "/api/v2/search", params={"q": f"verein@{node_a.domain}", "resolve": "true",
                                                        "type": "accounts"})["accounts"]
    leser.ok("POST", f"/api/v1/accounts/{found[0]['id']}/follow")
    wait_until(lambda: leser.ok("GET", "/api/v1/accounts/relationships", params={"id[]": found[0]["id"]})[0][
        "following"], message="C's member follows A's")
    status = verein.ok("POST", "/api/v1/statuses", data={"status": "Wer bringt Kuchen zum Sommerfest?"})
    at_c = wait_until(lambda: leser.ok("GET", "/api/v1/timelines/home"), message="the post at C")[0]

    parent_at_b = pflege.status_by_url(status["url"])
    reply = pflege.ok("POST", "/api/v1/statuses", data={"status": "Wir backen zwei!", "in_reply_to_id": parent_at_b["id"]})

    def replies_at_c() -> list[dict]:
        return leser.ok("GET", f"/api/v1/statuses/{at_c['id']}/context")["descendants"]

    forwarded = wait_until(replies_at_c, timeout=60, message="the reply forwarded to C")
    assert [(r["uri"], r["account"]["acct"]) for r in forwarded] == [(reply["uri"], f"pflege@{node_b.domain}")]
    assert "zwei" in forwarded[0]["content"]
    pflege_at_c = forwarded[0]["account"]["id"]
    assert not leser.ok("GET", "/api/v1/accounts/relationships", params={"id[]": pflege_at_c})[0]["following"]

    pflege.ok("DELETE", f"/api/v1/statuses/{reply['id']}")
    wait_until(lambda: replies_at_c() == [], timeout=60, message="the Delete forwarded to C")
