"""Links from other servers: only an absolute http(s) URL with a host passes (fediverse_node/protocol/links.py)."""

import pytest

from fediverse_node.protocol.links import MAX_LENGTH, http_url


@pytest.mark.parametrize("value", [
    "https://peer.example/@anna",
    "http://peer.example:8080/notes/1?x=1#top",
    "HTTPS://PEER.EXAMPLE/a",
    "https://[2001:db8::1]/inbox",
    "https://peer.example/ä%20ö",
])
def test_an_http_url_passes_as_sent(value):
    assert http_url(value) == value


def test_surrounding_whitespace_is_trimmed():
    assert http_url("  https://peer.example/a\n") == "https://peer.example/a"


@pytest.mark.parametrize("value", [
    "javascript:alert(1)",
    "java\tscript:alert(1)",  # a browser drops the tab and runs the script
    "java\nscript:alert(1)",
    "https://peer.example/a b",
    "https://peer.example/a\x00b",
    "https://peer.example/a\x1fb",
    "https://peer.example/a\x7fb",
    "data:text/html,<script>alert(1)</script>",
    "vbscript:msgbox(1)",
    "//peer.example/a",
    "https:///path-without-host",
    "https://[peer.example/a",
    "",
    "https://peer.example/" + "a" * MAX_LENGTH,
    None,
    42,
    ["https://peer.example/a"],
])
def test_anything_else_becomes_nothing(value):
    assert http_url(value) == ""


def test_a_caller_may_ask_for_a_shorter_limit():
    assert http_url("https://peer.example/abc", max_length=10) == ""
