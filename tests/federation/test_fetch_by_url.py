"""A post is found by its link: a member of node A pastes the address of a post on node B into a Mastodon app
(Mastodon.py's search_v2 with resolve=True), A fetches it from B, and the member replies to, likes and boosts it;
B sees all three."""

from tests.api_session import log_in, mastodon_py, reply_like_boost
from tests.nodes import wait_until


def test_a_post_on_another_node_is_fetched_by_its_link_and_answered(start_node):
    node_a, node_b = start_node("a"), start_node("b")
    node_a.cli("createorg", "leser", "--email", "l@example.org", "--password", "leser-pass-1")
    node_b.cli("createorg", "verein", "--email", "v@example.org", "--password", "verein-pass-1")
    verein = log_in(node_b.base, username="verein", password="verein-pass-1")
    status = verein.ok("POST", "/api/v1/statuses", data={"status": "Wer hilft beim Sommerfest?"})
    assert status["url"].startswith(f"{node_b.base}/posts/")  # the page address a browser shows and people copy

    leser = mastodon_py(node_a.base, username="leser", password="leser-pass-1")
    assert leser.search_v2(status["url"], resolve=False).statuses == []  # nothing of B's is held at A yet
    found = leser.search_v2(status["url"], resolve=True).statuses
    assert [s.uri for s in found] == [status["uri"]] and "Sommerfest" in found[0].content
    assert found[0].account.acct == f"verein@{node_b.domain}"

    reply_like_boost(leser, found[0].id, reply="Wir helfen gern!")

    def kinds() -> set[str]:
        return {n["type"] for n in verein.ok("GET", "/api/v1/notifications")
                if n["account"]["acct"] == f"leser@{node_a.domain}"}

    wait_until(lambda: kinds() >= {"mention", "favourite", "reblog"}, message="B hears of the reply, like and boost")
    seen = verein.ok("GET", f"/api/v1/statuses/{status['id']}")
    assert (seen["replies_count"], seen["favourites_count"], seen["reblogs_count"]) == (1, 1, 1)
    replies = verein.ok("GET", f"/api/v1/statuses/{status['id']}/context")["descendants"]
    assert [r["account"]["acct"] for r in replies] == [f"leser@{node_a.domain}"] and "gern" in replies[0]["content"]
