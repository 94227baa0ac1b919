"""The node's public address behind a TLS proxy (issue #17): ids stay https on a public domain even with
FEDINODE_INSECURE_HTTP=1, the domain carries no scheme or default port, and a malformed one is refused."""

import pytest

from fediverse_node.site_address import SiteAddressError, site_address
from tests.nodes import Node


@pytest.mark.parametrize(("domain", "scheme", "insecure", "expected"), [
    ("social.example.org", "", False, ("https", "social.example.org")),
    # behind a TLS proxy with FEDINODE_INSECURE_HTTP=1: still https
    ("social.example.org", "", True, ("https", "social.example.org")),
    ("social.example.org:8443", "", True, ("https", "social.example.org:8443")),
    ("social.example.org:443", "", False, ("https", "social.example.org")),
    ("https://social.example.org/", "", False, ("https", "social.example.org")),
    ("http://social.example.org:80", "", False, ("http", "social.example.org")),
    ("social.example.org", "http", False, ("http", "social.example.org")),
    ("social.example.org", "HTTPS", True, ("https", "social.example.org")),
    # local nodes of tests and demos
    ("127.0.0.5:8123", "", True, ("http", "127.0.0.5:8123")),
    ("localhost:8000", "", True, ("http", "localhost:8000")),
    ("testserver", "", True, ("http", "testserver")),
    ("[::1]:8000", "", True, ("http", "[::1]:8000")),
    ("192.168.1.20:8000", "", True, ("http", "192.168.1.20:8000")),
    ("node.localhost:8000", "", True, ("http", "node.localhost:8000")),
    ("127.0.0.5:8123", "", False, ("https", "127.0.0.5:8123")),
])
def test_site_address(domain, scheme, insecure, expected):
    assert site_address(domain=domain, scheme=scheme, insecure_http=insecure) == expected


@pytest.mark.parametrize(("domain", "scheme"), [
    ("social.example.org/path", ""), ("user@social.example.org", ""), ("", ""), ("social.example.org", "ftp"),
])
def test_site_address_refuses(domain, scheme):
    with pytest.raises(SiteAddressError):
        site_address(domain=domain, scheme=scheme)


def test_a_node_behind_a_tls_proxy_mints_https_ids_with_insecure_http_on():
    node = Node("tls", env={"FEDINODE_DOMAIN": "social.example.org", "FEDINODE_INSECURE_HTTP": "1"})
    try:
        node.database_from_template()  # a new data directory's first command migrates: tests/operator/test_commands.py
        created = node.run_cli("createorg", "praxis", "--email", "p@example.org", "--password", "praxis-pass-1")
        assert created.returncode == 0 and created.stdout.strip().endswith("https://social.example.org/actors/praxis")
        node.env["FEDINODE_DOMAIN"] = "https://social.example.org:443/"
        result = node.run_cli("shell", "-c", "from django.conf import settings; print(settings.FEDINODE_BASE_URL)")
        assert result.stdout.strip().splitlines()[-1] == "https://social.example.org"
    finally:
        node.cleanup()
