"""A member of node A reports an account on node B and forwards it: B gets a Flag from A's instance actor."""

from tests.api_session import log_in
from tests.nodes import wait_until

REPORTS_AT_B = (
    "from actors.models import Report\n"
    "print(json.dumps([[r.reporter_id, r.origin_domain, r.target.username, r.state, r.comment,\n"
    "                   [p.uri for p in r.posts.all()]] for r in Report.objects.all()]))"
)


def test_forwarded_report_reaches_the_target_server(start_node):
    node_a, node_b = start_node("a"), start_node("b")
    node_a.cli("createorg", "kita", "--email", "kita@example.org", "--password", "kita-pass-123")
    node_b.cli("createorg", "spam", "--email", "spam@example.org", "--password", "spam-pass-123")
    kita = log_in(node_a.base, username="kita", password="kita-pass-123")

    # kita follows spam on B, so spam's next post reaches A and has an id there
    found = kita.ok("GET", "/api/v2/search", params={"q": f"spam@{node_b.domain}", "resolve": "true",
                                                     "type": "accounts"})["accounts"]
    spam_id = found[0]["id"]
    kita.ok("POST", f"/api/v1/accounts/{spam_id}/follow")
    wait_until(lambda: kita.ok("GET", "/api/v1/accounts/relationships", params={"id[]": spam_id})[0]["following"],
               message="B's Accept at A")
    node_b.cli("post", "spam", "Billige Uhren! https://spam.example")
    post_uri = node_b.cli("post", "spam", "Noch mehr billige Uhren!")
    arrived = wait_until(lambda: [s for s in kita.ok("GET", "/api/v1/timelines/home") if s["uri"] == post_uri],
                         message="spam's post at A")

    report = kita.ok("POST", "/api/v1/reports", data={
        "account_id": spam_id, "status_ids[]": [arrived[0]["id"]], "comment": "Werbung", "category": "spam",
        "forward": "true",
    })
    assert report["forwarded"] is True and report["status_ids"] == [arrived[0]["id"]]

    stored = wait_until(lambda: node_b.query(REPORTS_AT_B), message="the Flag at B")
    assert stored == [[None, node_a.domain, "spam", "open", "Werbung", [post_uri]]]
