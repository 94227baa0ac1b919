"""Remote interaction across two real nodes: a member of B, sent to B's /authorize_interaction (the subscribe
template B's WebFinger advertises) with an actor of A, logs in, confirms, and A counts a new follower; sent there
with the link of a post of A, the member sees it and boosts and replies to it, and A hears of both."""

from urllib.parse import quote

import requests

from tests.api_session import log_in
from tests.nodes import wait_until
from tests.website_session import website_login


def test_the_remote_interaction_page_completes_a_follow(start_node):
    node_a, node_b = start_node("a"), start_node("b")
    node_a.cli("createorg", "verein", "--email", "v@example.org", "--password", "verein-pass-1")
    node_b.cli("createorg", "leser", "--email", "l@example.org", "--password", "leser-pass-1")
    verein = node_a.actor_url("verein")

    finger = requests.get(f"{node_b.base}/.well-known/webfinger",
                          params={"resource": f"acct:leser@{node_b.domain}"}, timeout=10).json()
    template = next(link["template"] for link in finger["links"]
                    if link["rel"] == "http://ostatus.org/schema/1.0/subscribe")
    interact = template.replace("{uri}", quote(verein, safe=""))
    assert requests.get(interact, allow_redirects=False, timeout=10).status_code == 302  # log in first

    session = website_login(node_b.base, username="leser", password="leser-pass-1")
    page = session.get(interact)
    assert page.status_code == 200 and f"@verein@{node_a.domain}" in page.text
    done = session.submit("/authorize_interaction", {"uri": verein}, form_page=interact.removeprefix(node_b.base))
    assert done.status_code == 200 and "Sie folgen diesem Konto" in done.text
    wait_until(lambda: node_b.actor_url("leser") in str(node_a.get_json(f"{verein}/followers?page=1")["orderedItems"]),
               message="A counts B's member as a follower")

    verein_api = log_in(node_a.base, username="verein", password="verein-pass-1")
    status = verein_api.ok("POST", "/api/v1/statuses", data={"status": "Unser Sommerfest braucht Kuchen"})
    interact = template.replace("{uri}", quote(status["url"], safe=""))
    page = session.get(interact)
    assert page.status_code == 200 and "Kuchen" in page.text
    form_page = interact.removeprefix(node_b.base)
    session.submit("/authorize_interaction", {"uri": status["url"], "action": "boost"}, form_page=form_page)
    done = session.submit("/authorize_interaction", {"uri": status["url"], "action": "reply", "text": "Wir backen!"},
                          form_page=form_page)
    assert done.status_code == 200 and "Ihre Antwort ist veröffentlicht" in done.text
    wait_until(lambda: {"reblog", "mention"} <= {n["type"] for n in verein_api.ok("GET", "/api/v1/notifications")},
               message="A hears of the boost and the reply")
