"""The safe fetcher: its address guard decided without connecting, and its limits against a loopback server."""

import http.client
import json
import socket
import ssl
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests
from urllib3.exceptions import (
    ConnectTimeoutError,
    MaxRetryError,
    NameResolutionError,
    NewConnectionError,
    ProtocolError,
    ReadTimeoutError,
    SSLError,
)

from fediverse_node.protocol.fetcher import FetchError, SafeFetcher, is_public_address, network_failure
from fediverse_node.protocol.webfinger import actor_url_from_jrd, parse_handle, webfinger_url
from tests.loopback_http import drip, serve_thread


@pytest.mark.parametrize(
    "ip, public",
    [
        ("127.0.0.1", False), ("10.1.2.3", False), ("172.16.0.1", False), ("192.168.1.1", False),
        ("169.254.169.254", False), ("100.64.0.1", False), ("0.0.0.0", False), ("::1", False),
        ("fe80::1", False), ("fc00::1", False), ("::ffff:127.0.0.1", False), ("224.0.0.1", False),
        ("not-an-ip", False), ("8.8.8.8", True), ("2001:4860:4860::8888", True),
    ],
)
def test_is_public_address(ip, public):
    assert is_public_address(ip) is public


def test_guard_refuses_private_targets_without_connecting():
    fetcher = SafeFetcher(allow_private=False, user_agent="t", resolve=lambda host: {"evil.example": ["10.0.0.5"],
                          "good.example": ["8.8.8.8"], "mixed.example": ["8.8.8.8", "127.0.0.1"]}[host])
    for url in ("https://evil.example/x", "https://mixed.example/x", "http://good.example/x", "ftp://good.example/",
                "https:///nohost"):
        with pytest.raises(FetchError):
            fetcher.check_url(url)
    fetcher.check_url("https://good.example/actor")


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        routes = {
            "/ok": (200, "application/activity+json", json.dumps({"id": "x"}).encode()),
            "/html": (200, "text/html", b"<html></html>"),
            "/big": (200, "application/json", b'{"a": "' + b"x" * 5000 + b'"}'),
            "/list": (200, "application/json", b"[1, 2]"),
            "/gone": (410, "application/json", b"{}"),
            "/nul": (200, "application/activity+json", b'{"id": "x", "name": "Verein\\u0000"}'),
            "/escaped": (200, "application/activity+json", b'{"id": "x", "name": "\\\\u0000"}'),
        }
        if self.path.startswith("/drip"):
            self._drip()
            return
        if self.path in ("/loop", "/to-drip"):  # answers of HTTP/1.0: each closes its connection
            self.send_response(302)
            self.send_header("Location", "/drip-header" if self.path == "/to-drip" else "/loop")
            self.end_headers()
            return
        status, kind, body = routes.get(self.path, (404, "application/json", b"{}"))
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _drip(self):
        """A byte every tenth of a second for at most ten: of a header (/drip-header), of a body of a declared length
        (/drip-body), of a body that ends when the connection does (/drip-unbounded)."""
        self.close_connection = True
        if self.path == "/drip-header":
            drip(self.wfile, b"HTTP/1.1 200 OK\r\nX-Drip: ")
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/activity+json")
        if self.path == "/drip-body":
            self.send_header("Content-Length", "1000")
        self.end_headers()
        drip(self.wfile, b"")

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def server():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    serve_thread(httpd).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


def test_fetch_limits(server):
    fetcher = SafeFetcher(allow_private=True, user_agent="t", max_bytes=1000)
    assert fetcher.get_json(f"{server}/ok") == {"id": "x"}
    for path, status in (("/html", 200), ("/big", None), ("/list", 200), ("/gone", 410), ("/loop", None)):
        with pytest.raises(FetchError) as error:
            fetcher.get_json(f"{server}{path}")
        assert error.value.status == status
    assert fetcher.get_json_list(f"{server}/list") == [1, 2]
    # a NUL anywhere in a document (PostgreSQL stores none, and answers a query with one with an error) is refused
    # as the inbox refuses it in an activity; the text "\\u0000" is not one
    with pytest.raises(FetchError, match="NUL"):
        fetcher.get_json(f"{server}/nul")
    assert fetcher.get_json(f"{server}/escaped") == {"id": "x", "name": "\\u0000"}
    for path in ("/ok", "/html", "/big"):
        with pytest.raises(FetchError):
            fetcher.get_json_list(f"{server}{path}")


def test_webfinger_helpers():
    assert parse_handle("@kita@node.example:8443") == ("kita", "node.example:8443")
    assert parse_handle("acct:kita@node.example") == ("kita", "node.example")
    with pytest.raises(ValueError):
        parse_handle("no handle")
    assert webfinger_url("kita", "n.example") == "https://n.example/.well-known/webfinger?resource=acct:kita@n.example"
    jrd = {"links": [{"rel": "self", "type": "application/activity+json", "href": "https://n.example/a"}]}
    assert actor_url_from_jrd(jrd) == "https://n.example/a"
    with pytest.raises(ValueError):
        actor_url_from_jrd({"links": []})


def _caused(error: BaseException, cause: BaseException) -> BaseException:
    error.__cause__ = cause
    return error


def _network_errors() -> list[tuple[BaseException, str]]:
    """What requests and urllib3 raise for each kind of failure, built as they chain them."""
    url = "https://peer.example/inbox"
    refused = _caused(NewConnectionError(None, "Failed to establish a new connection: [Errno 111] Connection refused"),
                      ConnectionRefusedError(111, "Connection refused"))
    unnamed = NameResolutionError("peer.example", None, socket.gaierror(-2, "Name or service not known"))
    certificate = SSLError(ssl.SSLCertVerificationError(1, "certificate verify failed: self-signed certificate"))
    return [
        (requests.ConnectionError(MaxRetryError(None, url, reason=refused)), "it refused the connection"),
        (MaxRetryError(None, url, reason=refused), "it refused the connection"),  # urllib3 alone
        (requests.ConnectionError(MaxRetryError(None, url, reason=unnamed)), "its name could not be resolved"),
        (requests.ConnectTimeout(MaxRetryError(None, url, reason=ConnectTimeoutError(None, "timed out"))),
         "it did not answer in time"),
        (requests.ReadTimeout(ReadTimeoutError(None, url, "Read timed out. (read timeout=15)")),
         "it did not answer in time"),
        (requests.exceptions.SSLError(MaxRetryError(None, url, reason=certificate)),
         "its TLS certificate could not be verified"),
        (requests.ConnectionError(ProtocolError("Connection aborted.", ConnectionResetError(104, "reset by peer"))),
         "it broke off the connection"),
        (requests.exceptions.InvalidHeader("Invalid leading whitespace in header value"),
         "Invalid leading whitespace in header value"),  # a kind not named: the library's own words
        # deliveries (http.client, protocol/posting.py): the standard library's own errors
        (ConnectionRefusedError(111, "Connection refused"), "it refused the connection"),
        (BrokenPipeError(32, "Broken pipe"), "it broke off the connection"),
        (http.client.RemoteDisconnected("Remote end closed connection without response"),
         "it broke off the connection"),
        (http.client.BadStatusLine("SSH-2.0-OpenSSH_9.2"), "its answer was not HTTP"),
        (ssl.SSLCertVerificationError(1, "certificate verify failed: unable to get local issuer certificate"),
         "its TLS certificate could not be verified"),
        (TimeoutError("timed out"), "it did not answer in time"),
    ]


@pytest.mark.parametrize("index", range(14))
def test_a_network_failure_is_named_in_words_a_person_reads(index):
    error, words = _network_errors()[index]
    assert str(network_failure(error)) == words


def test_a_refusal_of_our_own_guard_inside_a_network_error_is_passed_on():
    guard = FetchError("refusing to connect: %(error)s", error=FetchError("%(host)s resolves to a private or "
                                                                         "reserved address", host="peer.example"))
    assert network_failure(_caused(requests.ConnectionError("wrapped"), guard)) is guard


def test_a_server_that_never_answers_is_said_to_be_too_slow():
    """A loopback socket that takes the connection and says nothing: the read times out."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)
        port = listener.getsockname()[1]
        fetcher = SafeFetcher(allow_private=True, user_agent="t", timeout=0.3)
        with pytest.raises(FetchError) as refused:
            fetcher.get_json(f"http://127.0.0.1:{port}/actor")
    assert str(refused.value) == f"cannot fetch http://127.0.0.1:{port}/actor: it did not answer in time"


@pytest.mark.parametrize("path", ["/drip-header", "/drip-body", "/drip-unbounded", "/to-drip"])
def test_a_server_that_drips_its_answer_is_cut_off_when_the_whole_get_is_late(server, path):
    """Each byte comes well within the timeout of one read (0.5 s); the GET as a whole may take twice that. After a
    redirect (/to-drip), urllib3 sends the next request on the same connection object with a new socket (the first
    answer closed the old one): that socket is watched too."""
    fetcher = SafeFetcher(allow_private=True, user_agent="t", timeout=0.5)
    started = time.monotonic()
    with pytest.raises(FetchError) as error:
        fetcher.get_json(f"{server}{path}")
    assert 1.0 <= time.monotonic() - started < 4  # cut off at 1 s, the server drips for 10
    assert str(error.value).endswith("it did not answer in time")
    assert fetcher.get_json(f"{server}/ok") == {"id": "x"}  # the next GET is not cut off
