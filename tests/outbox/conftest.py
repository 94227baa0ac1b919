"""The outbox tests' loopback inbox: real HTTP on 127.0.0.x, noting what it received and over which connections."""

import http.server

import pytest

from tests.loopback_http import serve_thread
from tests.nodes import free_loopback_address


class Inbox(http.server.ThreadingHTTPServer):
    """Answers each POST with the status its path asks for (/status/503/inbox); /cavage-only refuses RFC 9421."""

    def __init__(self):
        self.requests: list[tuple[str, dict]] = []
        self.connections: set[tuple[str, int]] = set()  # the client address of each connection
        host, port = free_loopback_address()
        super().__init__((host, port), _Handler)
        self.base = f"http://{host}:{port}"
        serve_thread(self).start()


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.server.requests.append((self.path, dict(self.headers)))
        self.server.connections.add(self.client_address)
        if self.path.startswith("/status/"):
            status = int(self.path.split("/")[2])
        elif self.path.startswith("/cavage-only"):
            status = 202 if "Signature-Input" not in self.headers else 401
        else:
            status = 202
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def inbox():
    server = Inbox()
    yield server
    server.shutdown()
    server.server_close()
