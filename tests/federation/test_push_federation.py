"""Web Push across nodes: a member subscribes through Mastodon.py with an endpoint on loopback; a mention from a
second node arrives as one encrypted push that Mastodon.py itself decrypts (and `http_ece` in the receiver), with
Mastodon's payload; an endpoint that answers 410 ends the subscription."""

import mastodon
from cryptography.hazmat.primitives.asymmetric import ec

from tests.api_session import log_in
from tests.nodes import wait_until
from tests.push_receiver import PushReceiver


def _mastodon_py(node, token: str) -> mastodon.Mastodon:
    return mastodon.Mastodon(access_token=token, api_base_url=node.base, version_check_mode="none")


def test_remote_mention_pushes_once_and_a_gone_endpoint_ends_the_subscription(start_node):
    node_a, node_b = start_node("a", env={"FEDINODE_WEB_WORKERS": "2"}), start_node("b")  # two web processes at A
    node_a.cli("createorg", "kita", "--email", "kita@example.org", "--password", "kita-pass-123")
    node_b.cli("createorg", "pflege", "--email", "pflege@example.org", "--password", "pflege-pass-123")
    kita = log_in(node_a.base, username="kita", password="kita-pass-123")
    pflege = log_in(node_b.base, username="pflege", password="pflege-pass-123")
    client = _mastodon_py(node_a, kita.headers["Authorization"][len("Bearer "):])

    private, public = client.push_subscription_generate_keys()
    with PushReceiver(host=node_a.host) as receiver:
        # the receiver decrypts with the key Mastodon.py made, as the app's device would
        receiver.private_key = ec.derive_private_key(private["privkey"], ec.SECP256R1())
        receiver.auth_secret = private["auth"]
        subscription = client.push_subscription_set(receiver.endpoint, public, mention_events=True,
                                                    favourite_events=False, policy="all")
        assert subscription["alerts"]["mention"] and subscription["server_key"]

        found = pflege.ok("GET", "/api/v2/search", params={"q": f"kita@{node_a.domain}", "resolve": "true",
                                                             "type": "accounts"})["accounts"]
        pflege.ok("POST", "/api/v1/statuses", data={"status": f"@kita@{node_a.domain} Wir kommen gern zum Fest!"})
        [push] = receiver.wait_for(1)
        headers, body = receiver.requests[0]
        decrypted = client.push_subscription_decrypt_push(body, private, headers["encryption"], headers["crypto-key"])

    notification = wait_until(lambda: client.notifications(types=["mention"]), message="the mention at A")[0]
    # Mastodon sends the id as a JSON number; Mastodon.py hands ids out as strings
    assert push["notification_id"] == int(notification["id"]) and str(decrypted["notification_id"]) == notification["id"]
    assert push["notification_type"] == "mention" and push["title"] == "You were mentioned by pflege"
    assert "Wir kommen gern" in push["body"] and push["icon"].startswith("http")
    assert push["access_token"] == client.access_token
    assert len(receiver.requests) == 1 and found

    with PushReceiver(host=node_a.host, status=410) as gone:
        gone.private_key = receiver.private_key
        client.push_subscription_set(gone.endpoint, public, mention_events=True)
        pflege.ok("POST", "/api/v1/statuses", data={"status": f"@kita@{node_a.domain} Noch eine Frage"})
        gone.wait_for(1)
        wait_until(lambda: kita.get("/api/v1/push/subscription").status_code == 404,
                   message="the subscription ended after 410")
