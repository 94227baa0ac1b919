"""Deliveries share one pool of kept-alive connections per process (fediverse_node/outgoing.py poster)."""

import http.server
import threading

import pytest

from fediverse_node import outgoing
from tests.loopback_http import serve_thread


class _Inbox(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keeps the connection open between requests
    connections: set[tuple[str, int]] = set()  # the client address of each connection

    def do_POST(self):  # noqa: N802 (http.server's naming)
        self.rfile.read(int(self.headers["Content-Length"]))
        type(self).connections.add(self.client_address)
        self.send_response(202)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def inbox():
    _Inbox.connections = set()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Inbox)
    thread = serve_thread(server)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/inbox"
    server.shutdown()
    server.server_close()


def test_threads_post_to_a_server_over_the_connection_another_thread_kept(settings, inbox):
    settings.FEDINODE_INSECURE_HTTP = True
    statuses = []

    def deliver():
        statuses.append(outgoing.poster().post(inbox, b"{}", {"Content-Type": "application/activity+json"}))

    for _ in range(3):  # one after the other, each on a thread of its own, as a fan-out's tasks run
        thread = threading.Thread(target=deliver)
        thread.start()
        thread.join()
    assert statuses == [202, 202, 202]
    assert len(_Inbox.connections) == 1


def test_a_process_keeps_connections_to_as_many_servers_as_its_file_limit_allows(monkeypatch):
    monkeypatch.setattr(outgoing.resource, "getrlimit", lambda _: (1024, 4096))
    assert outgoing.servers_kept() == 256
    monkeypatch.setattr(outgoing.resource, "getrlimit", lambda _: (65536, 65536))
    assert outgoing.servers_kept() == 4096
    monkeypatch.setattr(outgoing.resource, "getrlimit", lambda _: (100, 100))
    assert outgoing.servers_kept() == 64
