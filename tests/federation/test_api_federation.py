"""A status posted through the client API federates to a second node; the reply from there comes back as a
notification, and edits and deletions follow."""

from tests.api_session import log_in
from tests.nodes import wait_until


def test_api_post_reaches_follower_node_and_reply_notifies(start_node):
    node_a, node_b = start_node("a"), start_node("b")
    node_a.cli("createorg", "kita", "--email", "kita@example.org", "--password", "kita-pass-123")
    node_b.cli("createorg", "pflege", "--email", "pflege@example.org", "--password", "pflege-pass-123")
    kita = log_in(node_a.base, username="kita@example.org", password="kita-pass-123")
    pflege = log_in(node_b.base, username="pflege", password="pflege-pass-123")

    # pflege (on B) finds kita (on A) by WebFinger and follows through the API
    found = pflege.ok("GET", "/api/v2/search", params={"q": f"kita@{node_a.domain}", "resolve": "true",
                                                         "type": "accounts"})["accounts"]
    assert [a["acct"] for a in found] == [f"kita@{node_a.domain}"]
    pflege.ok("POST", f"/api/v1/accounts/{found[0]['id']}/follow")
    wait_until(lambda: pflege.ok("GET", "/api/v1/accounts/relationships",
                                 params={"id[]": found[0]["id"]})[0]["following"], message="Accept at B")

    status = kita.ok("POST", "/api/v1/statuses", data={"status": "Neu: unser Sommerfest #GleichImNetz",
                                                       "spoiler_text": "Fest"})
    arrived = wait_until(lambda: pflege.ok("GET", "/api/v1/timelines/home"), message="the post at B")
    assert arrived[0]["uri"] == status["uri"] and arrived[0]["spoiler_text"] == "Fest"
    assert arrived[0]["tags"][0]["name"] == "gleichimnetz"

    pflege.ok("POST", "/api/v1/statuses", data={"status": "Wir kommen gern!", "in_reply_to_id": arrived[0]["id"]})
    mention = wait_until(
        lambda: [n for n in kita.ok("GET", "/api/v1/notifications") if n["type"] == "mention"],
        message="the reply's notification at A",
    )[0]
    assert mention["account"]["acct"] == f"pflege@{node_b.domain}"
    assert mention["status"]["in_reply_to_id"] == status["id"] and "gern" in mention["status"]["content"]
    context = kita.ok("GET", f"/api/v1/statuses/{status['id']}/context")
    assert [s["id"] for s in context["descendants"]] == [mention["status"]["id"]]

    kita.ok("PUT", f"/api/v1/statuses/{status['id']}", data={"status": "Neu: Sommerfest am Samstag"})
    wait_until(lambda: "Samstag" in pflege.ok("GET", "/api/v1/timelines/home")[-1]["content"],
               message="the edit at B")
    kita.ok("DELETE", f"/api/v1/statuses/{status['id']}")
    wait_until(lambda: all(s["uri"] != status["uri"] for s in pflege.ok("GET", "/api/v1/timelines/home")),
               message="the deletion at B")
