"""Hostile cases, DNS rebinding: the fetcher connects only to an address it checked. Decided without traffic: the
resolver is the test's, and sockets are caught before they open (nothing leaves the machine, not even a DNS query).

Without the guard, urllib3 resolves the name again when it connects, and a name with a short TTL can answer a public
address to the check and a loopback or private one to the connection."""

import socket

import pytest

from fediverse_node.protocol import fetcher as fetcher_module
from fediverse_node.protocol.fetcher import FetchError, SafeFetcher


class ChangingDns:
    """A resolver whose answer changes after the first question, as a rebinding name with a short TTL does."""

    def __init__(self, *answers: list[str]):
        self.answers = list(answers)
        self.asked: list[str] = []

    def __call__(self, host: str) -> list[str]:
        self.asked.append(host)
        return self.answers[min(len(self.asked), len(self.answers)) - 1]


@pytest.fixture
def sockets(monkeypatch):
    """Where a connection would go: every socket the fetcher opens, and every name the system resolver is asked
    (which must be none: a rebinding answer there would not be checked). Nothing is sent anywhere."""
    opened: list[tuple] = []
    system_dns: list[str] = []

    def open_socket(address, *args, **kwargs):
        opened.append(address)
        raise ConnectionRefusedError("the test opens no socket")

    def getaddrinfo(host, *args, **kwargs):
        system_dns.append(host)
        raise socket.gaierror("the test asks no DNS server")

    monkeypatch.setattr(fetcher_module, "_open_socket", open_socket, raising=False)
    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return opened, system_dns


def test_a_name_that_rebinds_to_loopback_after_the_check_is_refused_before_connecting(sockets):
    opened, system_dns = sockets
    dns = ChangingDns(["93.184.215.14"], ["127.0.0.1"])
    fetcher = SafeFetcher(allow_private=False, user_agent="hostile-test", resolve=dns)
    with pytest.raises(FetchError, match="refusing to connect"):
        fetcher.get_json("https://rebind.example/actor")
    assert dns.asked == ["rebind.example", "rebind.example"]  # checked, then checked again when connecting
    assert opened == [] and system_dns == []


def test_a_delivery_asks_dns_only_when_it_connects_and_connects_to_what_it_checked(sockets):
    """A POST does not resolve the name before it asks the pool: the one check is the connection's own, so a name
    that answers loopback is refused before any socket opens, and each new connection asks exactly once."""
    opened, system_dns = sockets
    dns = ChangingDns(["127.0.0.1"])
    fetcher = SafeFetcher(allow_private=False, user_agent="hostile-test", resolve=dns)
    with pytest.raises(FetchError, match="refusing to connect"):
        fetcher.post("https://rebind.example/inbox", b"{}", {})
    assert dns.asked == ["rebind.example"] and opened == []

    dns = ChangingDns(["93.184.215.14"], ["127.0.0.1"])
    fetcher = SafeFetcher(allow_private=False, user_agent="hostile-test", resolve=dns)
    for _ in range(2):  # each attempt opens a connection (the test refuses it): one question each
        with pytest.raises(FetchError):
            fetcher.post("https://rebind.example/inbox", b"{}", {})
    assert dns.asked == ["rebind.example", "rebind.example"]
    assert opened == [("93.184.215.14", 443)]  # the second answer (loopback) was refused before a socket
    assert system_dns == []


def test_the_connection_goes_to_the_address_that_was_checked(sockets):
    opened, system_dns = sockets
    dns = ChangingDns(["93.184.215.14"])
    fetcher = SafeFetcher(allow_private=False, user_agent="hostile-test", resolve=dns)
    with pytest.raises(FetchError):
        fetcher.get_json("https://public.example/actor")
    with pytest.raises(FetchError):
        fetcher.post("https://public.example/inbox", b"{}", {})
    assert opened == [("93.184.215.14", 443), ("93.184.215.14", 443)]
    assert system_dns == []  # the connection did not resolve the name again by itself
