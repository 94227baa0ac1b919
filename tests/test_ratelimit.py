"""Rate limits answer 429 with Retry-After and a message; other clients and routes are not affected."""

import orjson
import pytest
from django.core.cache import cache
from django.test import Client

from fediverse_node import ratelimit

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def limits_on(settings):
    settings.FEDINODE_RATE_LIMITS = True
    cache.clear()


def test_password_guessing_is_slowed_per_address():
    guesser, other = Client(REMOTE_ADDR="198.51.100.7"), Client(REMOTE_ADDR="198.51.100.8")
    statuses = [guesser.post("/auth/login/", {"username": "x", "password": f"guess{n}"}).status_code
                for n in range(ratelimit.LOGIN.limit + 1)]
    assert statuses[:-1] == [200] * ratelimit.LOGIN.limit and statuses[-1] == 429
    refused = guesser.post("/auth/login/", {"username": "x", "password": "y"})
    assert 0 < int(refused["Retry-After"]) <= ratelimit.LOGIN.window
    assert other.post("/auth/login/", {"username": "x", "password": "y"}).status_code == 200


def test_api_is_limited_per_token_with_a_json_error(monkeypatch):
    monkeypatch.setattr(ratelimit, "API", ratelimit.Rule("api", 3, 300))
    client = Client()
    headers = {"HTTP_AUTHORIZATION": "Bearer token-one-abcdefghijklmnopqrstuvwxyz"}
    assert 429 not in [client.get("/api/v1/instance", **headers).status_code for _ in range(3)]
    refused = client.get("/api/v1/instance", **headers)
    assert refused.status_code == 429 and "Too many requests" in orjson.loads(refused.content)["error"]
    other = {"HTTP_AUTHORIZATION": "Bearer token-two-abcdefghijklmnopqrstuvwxyz"}
    assert client.get("/api/v1/instance", **other).status_code != 429


def test_inbox_fast_path_limits_per_address(monkeypatch):
    from inbox.fastpath import InboxFastPath

    monkeypatch.setattr(ratelimit, "INBOX", ratelimit.Rule("inbox", 2, 60))
    monkeypatch.setattr("inbox.fastpath.INBOX", ratelimit.INBOX)
    app = InboxFastPath(lambda environ, start: [b""])
    answers = []

    def start_response(status, headers):
        answers.append((status, dict(headers)))

    for _ in range(3):
        environ = {"REQUEST_METHOD": "POST", "PATH_INFO": "/inbox", "REMOTE_ADDR": "203.0.113.5",
                   "CONTENT_LENGTH": "2", "wsgi.input": __import__("io").BytesIO(b"{}"), "HTTP_HOST": "testserver"}
        app(environ, start_response)
    assert [a[0][:3] for a in answers] == ["401", "401", "429"]
    assert answers[-1][1]["Retry-After"] == "60"
