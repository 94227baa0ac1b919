"""Deliveries share one pool of kept-alive connections per process (fediverse_node/outgoing.py poster)."""

import socket
import ssl
import threading
import time

import certifi
import pytest
from django.utils import translation

from fediverse_node import outgoing
from fediverse_node.errors import localized
from fediverse_node.protocol.fetcher import FetchError, SafeFetcher
from fediverse_node.protocol.posting import tls_context_default, tls_context_new, watchdog
from tests.nodes import free_loopback_address

from .conftest import Inbox


def test_threads_post_to_a_server_over_the_connection_another_thread_kept(settings, inbox):
    settings.FEDINODE_INSECURE_HTTP = True
    statuses = []

    def deliver():
        statuses.append(outgoing.poster().post(f"{inbox.base}/inbox", b"{}", {"Content-Type": "application/activity+json"}))

    for _ in range(3):  # one after the other, each on a thread of its own, as a fan-out's tasks run
        thread = threading.Thread(target=deliver)
        thread.start()
        thread.join()
    assert statuses == [202, 202, 202]
    assert len(inbox.connections) == 1


def test_a_process_keeps_connections_to_as_many_servers_as_its_file_limit_allows(monkeypatch):
    monkeypatch.setattr(outgoing.resource, "getrlimit", lambda _: (1024, 4096))
    assert outgoing.servers_kept() == 256
    monkeypatch.setattr(outgoing.resource, "getrlimit", lambda _: (65536, 65536))
    assert outgoing.servers_kept() == 4096
    monkeypatch.setattr(outgoing.resource, "getrlimit", lambda _: (100, 100))
    assert outgoing.servers_kept() == 64


# ---------------------------------------------------------------- the POST itself (fediverse_node/protocol/posting.py)


def fetcher(**options) -> SafeFetcher:
    return SafeFetcher(allow_private=True, user_agent="poster-test", timeout=5, **options)


def trusting(authority) -> ssl.SSLContext:
    """What production uses (a context of tls_context_new), trusting the test's authority besides the system's."""
    context = tls_context_new()
    context.load_verify_locations(cadata=authority.pem)
    return context


def test_a_delivery_over_tls_checks_the_certificate_and_keeps_its_connection(test_authority, tmp_path):
    inbox = Inbox(tls=lambda host: test_authority.server_context(tmp_path, host))
    try:
        poster = fetcher(tls_context=trusting(test_authority))
        assert [poster.post(f"{inbox.base}/inbox", b"{}", {}) for _ in range(3)] == [202, 202, 202]
        assert len(inbox.connections) == 1

        with pytest.raises(FetchError, match="its TLS certificate could not be verified"):
            fetcher().post(f"{inbox.base}/inbox", b"{}", {})  # the system's authorities do not know the test's
    finally:
        inbox.shutdown()
        inbox.server_close()

    # a certificate of the right authority for another address
    other = Inbox(tls=lambda host: test_authority.server_context(tmp_path, "127.0.0.1" if host != "127.0.0.1" else "127.0.0.2"))
    try:
        with pytest.raises(FetchError, match="its TLS certificate could not be verified"):
            fetcher(tls_context=trusting(test_authority)).post(f"{other.base}/inbox", b"{}", {})
        assert other.requests == []
    finally:
        other.shutdown()
        other.server_close()


def test_a_get_trusts_exactly_the_authorities_a_delivery_trusts(test_authority, tmp_path, monkeypatch):
    """A server is reachable for a GET (its actor, its key) exactly when it is for a delivery: requests handed the
    GETs certifi's bundle while deliveries checked with the system's authorities, so an authority an operator added
    to the system (a private test network) was trusted by one and not the other."""
    inbox = Inbox(tls=lambda host: test_authority.server_context(tmp_path, host))
    try:
        trusted = fetcher(tls_context=trusting(test_authority))
        assert trusted.get_json(f"{inbox.base}/actor")["type"] == "Person"
        assert trusted.post(f"{inbox.base}/inbox", b"{}", {}) == 202
        with pytest.raises(FetchError, match="its TLS certificate could not be verified"):
            fetcher().get_json(f"{inbox.base}/actor")

        # the operator names an authority the way OpenSSL reads it: a process's new context trusts it for both
        authorities = tmp_path / "authorities.pem"
        authorities.write_text(test_authority.pem)
        monkeypatch.setenv("SSL_CERT_FILE", str(authorities))
        tls_context_default.cache_clear()
        operators = fetcher()
        assert operators.get_json(f"{inbox.base}/actor")["type"] == "Person"
        assert operators.post(f"{inbox.base}/inbox", b"{}", {}) == 202
    finally:
        tls_context_default.cache_clear()
        inbox.shutdown()
        inbox.server_close()


def test_a_connection_the_server_closed_after_answering_is_not_used_again(inbox):
    poster = fetcher()
    assert poster.post(f"{inbox.base}/closes-after", b"{}", {}) == 202
    time.sleep(0.1)  # the server's close arrives
    assert poster.post(f"{inbox.base}/closes-after", b"{}", {}) == 202
    assert len(inbox.connections) == 2 and len(inbox.requests) == 2


def test_a_request_a_server_drops_on_a_kept_connection_is_sent_once_more_on_a_new_one(inbox):
    """The server read the second request on the kept connection and closed it unanswered (what a server does
    when its keep-alive time ends just as the request arrives): the delivery goes out again on a new connection."""
    poster = fetcher()
    assert poster.post(f"{inbox.base}/drops-second", b"{}", {}) == 202
    assert poster.post(f"{inbox.base}/drops-second", b"{}", {}) == 202
    assert len(inbox.connections) == 2 and len(inbox.requests) == 3


def test_a_long_or_unbounded_answer_is_not_read_and_its_connection_not_kept(inbox):
    poster = fetcher()
    statuses = [poster.post(f"{inbox.base}/{path}", b"{}", {}) for path in ("long", "long", "chunked", "chunked")]
    assert statuses == [202, 202, 202, 202]
    assert len(inbox.connections) == 4


def test_an_answer_that_is_no_http_is_said_in_words(inbox):
    with pytest.raises(FetchError) as error:
        fetcher().post(f"{inbox.base}/not-http", b"{}", {})
    assert "its answer was not HTTP" in str(error.value)
    with translation.override("de"):
        assert "die Antwort des Servers war kein HTTP" in localized(error.value)


def test_an_inbox_address_with_spaces_and_umlauts_is_escaped_on_the_request_line(inbox):
    assert fetcher().post(f"{inbox.base}/inbox/gr\u00fc\u00dfe an alle?tag=K\u00f6ln&x=%41", b"{}", {}) == 202
    assert inbox.requests[0][0] == "/inbox/gr%C3%BC%C3%9Fe%20an%20alle?tag=K%C3%B6ln&x=%41"


def test_a_process_keeps_connections_to_as_many_servers_as_it_was_told(inbox):
    others = [Inbox(), Inbox()]
    try:
        poster = fetcher(servers_kept=2)
        for server in (inbox, *others, inbox):  # the third server lets go of the first one's connection
            assert poster.post(f"{server.base}/inbox", b"{}", {}) == 202
        assert len(inbox.connections) == 2
        assert poster.post(f"{others[1].base}/inbox", b"{}", {}) == 202  # kept: used more lately than the second
        assert len(others[1].connections) == 1
    finally:
        for server in others:
            server.shutdown()
            server.server_close()


def test_a_fetcher_reads_the_systems_authorities_only_when_it_opens_a_tls_connection(inbox):
    """A fetcher is also made for a single lookup (a geocoding request): reading the authorities costs it 25 ms."""
    tls_context_default.cache_clear()
    poster = fetcher()
    assert poster.post(f"{inbox.base}/inbox", b"{}", {}) == 202  # plain HTTP
    assert tls_context_default.cache_info().currsize == 0
    poster.get_json(f"{inbox.base}/actor")  # plain HTTP too
    assert tls_context_default.cache_info().currsize == 0


def test_where_the_system_has_no_authorities_certifis_are_trusted(monkeypatch, tmp_path):
    """A bare container without ca-certificates, or macOS' Python without its certificates installed: TLS would
    trust nobody at all."""
    system = len(tls_context_new().get_ca_certs())
    assert system > 0  # this machine's own store (Debian's ca-certificates)
    nowhere = str(tmp_path / "none")
    monkeypatch.setattr(ssl, "get_default_verify_paths", lambda: ssl.DefaultVerifyPaths(
        nowhere, nowhere, "SSL_CERT_FILE", nowhere, "SSL_CERT_DIR", nowhere))
    monkeypatch.setenv("SSL_CERT_FILE", nowhere)
    monkeypatch.setenv("SSL_CERT_DIR", nowhere)
    bundled = tls_context_new().get_ca_certs()
    assert len(bundled) > 100
    assert {cert["serialNumber"] for cert in bundled} <= {cert["serialNumber"] for cert in _certifis()}


def _certifis() -> list[dict]:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.load_verify_locations(certifi.where())
    return context.get_ca_certs()


def test_a_server_that_drips_its_answer_is_cut_off_when_the_whole_post_is_late(inbox):
    """Each byte comes well within the timeout of one read (0.5 s); the POST as a whole may take twice that."""
    poster = SafeFetcher(allow_private=True, user_agent="poster-test", timeout=0.5)
    started = time.monotonic()
    with pytest.raises(FetchError) as error:
        poster.post(f"{inbox.base}/drips", b"{}", {})
    assert 1.0 <= time.monotonic() - started < 4  # cut off at 1 s, the server drips for 10
    assert str(error.value).endswith("it did not answer in time")
    assert poster.post(f"{inbox.base}/inbox", b"{}", {}) == 202  # the next POST is not cut off


def test_the_watchdog_looks_only_while_a_request_is_under_way(inbox):
    poster = SafeFetcher(allow_private=True, user_agent="poster-test", timeout=0.5)
    assert poster.post(f"{inbox.base}/inbox", b"{}", {}) == 202  # the process's watchdog thread runs from here
    time.sleep(0.3)  # a look it had begun before the request ended
    looks = watchdog.looks
    time.sleep(1.1)
    # idle, it slept (it looked four times a second for good); one look is left for a request another test's
    # thread may have made meanwhile in this process
    assert watchdog.looks <= looks + 1
    started = time.monotonic()
    with pytest.raises(FetchError):
        poster.post(f"{inbox.base}/drips", b"{}", {})
    assert time.monotonic() - started < 4  # and wakes for the next request, which it cuts off at its deadline
    assert watchdog.looks > looks


def test_a_server_that_drips_its_tls_handshake_is_cut_off_too():
    """A TLS record announced at 16 KB and sent a byte at a time: the handshake never ends by itself. Python's
    ssl gives the whole handshake one timeout (0.5 s here), before the watchdog's deadline (1 s)."""
    host, port = free_loopback_address()
    listener = socket.create_server((host, port))
    stop = threading.Event()

    def drip():
        connection, _ = listener.accept()
        with connection:
            connection.sendall(b"\x16\x03\x03\x40\x00")
            while not stop.wait(0.1):
                try:
                    connection.sendall(b"\x00")
                except OSError:
                    return

    server = threading.Thread(target=drip, daemon=True)
    server.start()
    try:
        poster = SafeFetcher(allow_private=True, user_agent="poster-test", timeout=0.5)
        started = time.monotonic()
        with pytest.raises(FetchError) as error:
            poster.post(f"https://{host}:{port}/inbox", b"{}", {})
        assert time.monotonic() - started < 4
        assert str(error.value).endswith("it did not answer in time")
    finally:
        stop.set()
        listener.close()
        server.join(5)
