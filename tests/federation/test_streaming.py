"""The streaming API with Mastodon.py's own streaming support (server-sent events): a follower's post on a second
node arrives as an `update`, a remote reply as a `notification`; a followers-only post never reaches a stream that
may not see it; after the streaming process restarts, the client's stream resumes. On the embedded default and
(FEDINODE_TEST_BACKEND=postgres) on PostgreSQL + Redis, with two web and two streaming processes at the reader's node."""

import os
import queue
import signal

import mastodon

from tests.api_session import log_in
from tests.nodes import process_stat, streaming_processes, streaming_wait, wait_until

TWO_OF_EACH = {"FEDINODE_WEB_WORKERS": "2", "FEDINODE_STREAMING_WORKERS": "2"}


class Collector(mastodon.StreamListener):
    """Every event a stream hands Mastodon.py, as (event, payload) in a queue."""

    def __init__(self):
        self.events: queue.Queue = queue.Queue()

    def on_update(self, status):
        self.events.put(("update", status))

    def on_notification(self, notification):
        self.events.put(("notification", notification))

    def on_delete(self, status_id):
        self.events.put(("delete", status_id))

    def on_status_update(self, status):
        self.events.put(("status.update", status))

    def next(self, kind: str, *, timeout: float = 60):
        """The next event of a kind (others before it are dropped)."""
        while True:
            event, payload = self.events.get(timeout=timeout)
            if event == kind:
                return payload

    def seen(self) -> list:
        found = []
        while not self.events.empty():
            found.append(self.events.get_nowait())
        return found


def _client(node, session) -> mastodon.Mastodon:
    token = session.headers["Authorization"][len("Bearer "):]
    return mastodon.Mastodon(access_token=token, api_base_url=node.base, version_check_mode="none")


def _stream(handle_method, listener) -> object:
    return handle_method(listener, run_async=True, reconnect_async=True, reconnect_async_wait_sec=1)


def _follow(session, handle: str) -> dict:
    found = session.ok("GET", "/api/v2/search", params={"q": handle, "resolve": "true", "type": "accounts"})["accounts"]
    session.ok("POST", f"/api/v1/accounts/{found[0]['id']}/follow")
    wait_until(lambda: session.ok("GET", "/api/v1/accounts/relationships",
                                  params={"id[]": found[0]["id"]})[0]["following"], message=f"following {handle}")
    return found[0]


def test_streams_follow_posts_replies_and_visibility_across_nodes(start_node):
    node_a, node_b = start_node("a", env=TWO_OF_EACH), start_node("b")
    node_a.cli("createorg", "kita", "--email", "kita@example.org", "--password", "kita-pass-123")
    node_a.cli("createorg", "gast", "--email", "gast@example.org", "--password", "gast-pass-123")
    node_b.cli("createorg", "pflege", "--email", "pflege@example.org", "--password", "pflege-pass-123")
    kita = log_in(node_a.base, username="kita", password="kita-pass-123")
    gast = log_in(node_a.base, username="gast", password="gast-pass-123")
    pflege = log_in(node_b.base, username="pflege", password="pflege-pass-123")
    _follow(kita, f"pflege@{node_b.domain}")
    _follow(pflege, f"kita@{node_a.domain}")  # so that kita's post reaches B, to be answered there
    streaming_wait(node_a)

    kita_events, gast_home, gast_public = Collector(), Collector(), Collector()
    kita_client, gast_client = _client(node_a, kita), _client(node_a, gast)
    handles = [_stream(kita_client.stream_user, kita_events), _stream(gast_client.stream_user, gast_home),
               _stream(gast_client.stream_public, gast_public)]
    try:
        wait_until(lambda: all(h.is_receiving() for h in handles), message="the streams open")

        # a follower's public post on the second node reaches the user stream and the public one
        public = pflege.ok("POST", "/api/v1/statuses", data={"status": "Offener Brief zur Pflege"})
        update = kita_events.next("update")
        assert update["uri"] == public["uri"] and "Offener Brief" in update["content"]
        assert update["account"]["acct"] == f"pflege@{node_b.domain}" and update["favourited"] is False
        assert gast_public.next("update")["uri"] == public["uri"]

        # a followers-only post: to the follower, never to a stream that may not see it
        private = pflege.ok("POST", "/api/v1/statuses", data={"status": "Nur für Folgende", "visibility": "private"})
        assert kita_events.next("update")["uri"] == private["uri"]
        marker = pflege.ok("POST", "/api/v1/statuses", data={"status": "Wieder öffentlich"})
        assert gast_public.next("update")["uri"] == marker["uri"]  # events arrive in order: the private one is past
        assert kita_events.next("update")["uri"] == marker["uri"]
        leaked = [p for _, p in gast_home.seen() + gast_public.seen()
                  if isinstance(p, dict) and p.get("uri") == private["uri"]]
        assert leaked == []

        # a remote reply arrives as a notification
        own = kita.ok("POST", "/api/v1/statuses", data={"status": "Wer kommt zum Fest?"})
        assert kita_events.next("update")["id"] == own["id"]  # the own post in the own home stream
        there = wait_until(lambda: [s for s in pflege.ok("GET", "/api/v1/timelines/home") if s["uri"] == own["uri"]],
                           message="kita's post at B")[0]
        pflege.ok("POST", "/api/v1/statuses",
                  data={"status": f"@kita@{node_a.domain} Wir kommen!", "in_reply_to_id": there["id"]})
        notification = kita_events.next("notification")
        assert notification["type"] == "mention" and "Wir kommen" in notification["status"]["content"]
        assert notification["account"]["acct"] == f"pflege@{node_b.domain}"

        # the streaming processes restart: the client reconnects and receives what follows
        for pid in streaming_processes(node_a):
            if process_stat(pid):
                os.kill(pid, signal.SIGKILL)
        streaming_wait(node_a)
        wait_until(lambda: handles[0].is_receiving(), message="kita's stream again")
        after = pflege.ok("POST", "/api/v1/statuses", data={"status": "Nach dem Neustart"})
        assert wait_until(lambda: _uri_arrives(kita_events, after["uri"]), timeout=60, message="the post after")
    finally:
        for handle in handles:
            handle.close()


def _uri_arrives(collector: Collector, uri: str) -> bool:
    try:
        return collector.next("update", timeout=5)["uri"] == uri
    except queue.Empty:
        return False
