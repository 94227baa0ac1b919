"""Rate limits answer 429 with Retry-After and a message; other clients and routes are not affected. Behind the
shipped proxy each client is counted by the address the proxy appended, and failed log-ins count per account too."""

from pathlib import Path

import orjson
import pytest
import yaml
from django.core.cache import cache
from django.test import Client

from actors.services.local import organization_create
from fediverse_node import ratelimit

ROOT = Path(__file__).resolve().parent.parent
PROXY = "172.18.0.9"  # Caddy's address on the compose network: every request arrives from it

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def limits_on(settings, monkeypatch):
    settings.FEDINODE_RATE_LIMITS = True
    # One window for the whole test, however slow the machine: a test crossing a window's end would start afresh.
    monkeypatch.setattr(ratelimit, "_clock", lambda: 1_000_000_800.0)  # a whole hour: every window starts here
    monkeypatch.setattr(ratelimit, "_here", {})  # what the inbox counts in this process
    cache.clear()


def test_password_guessing_is_slowed_per_address():
    guesser, other = Client(REMOTE_ADDR="198.51.100.7"), Client(REMOTE_ADDR="198.51.100.8")
    statuses = [guesser.post("/auth/login/", {"username": f"x{n}", "password": f"guess{n}"}).status_code
                for n in range(ratelimit.LOGIN.limit + 1)]
    assert statuses[:-1] == [200] * ratelimit.LOGIN.limit and statuses[-1] == 429
    refused = guesser.post("/auth/login/", {"username": "x", "password": "y"})
    assert 0 < int(refused["Retry-After"]) <= ratelimit.LOGIN.window
    assert other.post("/auth/login/", {"username": "x", "password": "y"}).status_code == 200


@pytest.mark.parametrize(("language", "heading", "advice"), [
    ("de", "Zu viele Anfragen", "Bitte versuchen Sie es in {wait} Sekunden noch einmal."),
    ("en", "Too many requests", "Please try again in {wait} seconds."),
])
def test_a_refused_person_gets_a_page_of_the_site_in_its_language(language, heading, advice):
    guesser = Client(REMOTE_ADDR="198.51.100.9", HTTP_ACCEPT_LANGUAGE=language)
    for n in range(ratelimit.LOGIN.limit):
        guesser.post("/auth/login/", {"username": f"x{n}", "password": f"guess{n}"})
    refused = guesser.post("/auth/login/", {"username": "x", "password": "y"})
    page = refused.content.decode()
    assert refused.status_code == 429 and refused["Content-Type"] == "text/html; charset=utf-8"
    assert f'<html lang="{language}">' in page and f"<h1>{heading}</h1>" in page
    assert advice.format(wait=refused["Retry-After"]) in page
    assert "Too many requests; try again" not in page  # the API's message is not the page's


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


def _guess(client: Client, path: str = "/auth/login/", username: str = "somebody", **headers) -> int:
    return client.post(path, {"username": username, "password": "wrong-guess"}, **headers).status_code


@pytest.mark.parametrize("path", ["/auth/login/", "/admin/login/"])
def test_behind_the_proxy_one_guesser_does_not_lock_out_everyone(settings, path):
    settings.FEDINODE_TRUSTED_PROXIES = 1
    through_proxy = Client(REMOTE_ADDR=PROXY)
    guesser = {"HTTP_X_FORWARDED_FOR": "198.51.100.7"}
    statuses = [_guess(through_proxy, path, f"name{n}", **guesser) for n in range(ratelimit.LOGIN.limit + 1)]
    assert statuses[-1] == 429 and 429 not in statuses[:-1]
    assert _guess(through_proxy, path, "colleague", HTTP_X_FORWARDED_FOR="203.0.113.20") == 200


def test_a_client_chosen_first_hop_does_not_escape_the_limit(settings):
    settings.FEDINODE_TRUSTED_PROXIES = 1
    settings.FEDINODE_TRUST_FORWARDED_FOR = True  # the older switch, which trusted the first hop
    through_proxy = Client(REMOTE_ADDR=PROXY)
    statuses = [
        _guess(through_proxy, username=f"name{n}", HTTP_X_FORWARDED_FOR=f"10.9.{n}.1, 198.51.100.7")
        for n in range(ratelimit.LOGIN.limit + 1)
    ]
    assert statuses[-1] == 429


def test_failed_log_ins_count_per_account_from_any_address():
    organization_create(username="verein", email="v@example.org", password="richtig-und-lang-1")
    statuses = [_guess(Client(REMOTE_ADDR=f"198.51.100.{n}"), username="verein")
                for n in range(ratelimit.LOGIN_ACCOUNT.limit + 1)]
    assert statuses[-1] == 429 and 429 not in statuses[:-1]
    assert _guess(Client(REMOTE_ADDR="203.0.113.1"), username="VEREIN ") == 429  # the same account, however typed
    assert _guess(Client(REMOTE_ADDR="203.0.113.1"), username="anderer") == 200


def test_successful_log_ins_are_not_counted():
    organization_create(username="verein", email="v@example.org", password="richtig-und-lang-1")
    for _ in range(ratelimit.LOGIN_ACCOUNT.limit + 2):
        response = Client(REMOTE_ADDR="198.51.100.7").post(
            "/auth/login/", {"username": "verein", "password": "richtig-und-lang-1"})
        assert response.status_code == 302


@pytest.mark.parametrize("remote, forwarded, proxies, expected", [
    pytest.param("198.51.100.7", "", 0, "198.51.100.7", id="no_proxy"),
    pytest.param(PROXY, "1.2.3.4", 0, PROXY, id="header_ignored_without_a_proxy_setting"),
    pytest.param(PROXY, "198.51.100.7", 1, "198.51.100.7", id="one_proxy"),
    pytest.param(PROXY, "6.6.6.6, 198.51.100.7", 1, "198.51.100.7", id="spoofed_first_hop"),
    pytest.param(PROXY, "6.6.6.6, 198.51.100.7, 10.0.0.2", 2, "198.51.100.7", id="two_proxies"),
    pytest.param(PROXY, "198.51.100.7", 2, PROXY, id="fewer_hops_than_proxies"),
    pytest.param(PROXY, "", 1, PROXY, id="no_header"),
])
def test_the_client_address_is_the_hop_the_trusted_proxy_appended(settings, remote, forwarded, proxies, expected):
    settings.FEDINODE_TRUSTED_PROXIES = proxies
    assert ratelimit.address_from(remote, forwarded) == expected


def test_the_shipped_compose_and_caddy_set_up_trusts_exactly_the_proxys_hop():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    for name in ("web", "worker", "beat", "migrate"):
        assert compose["services"][name]["environment"]["FEDINODE_TRUSTED_PROXIES"] == "1", name
    assert "ports" not in compose["services"]["web"]  # nothing reaches the node but through Caddy
    caddy = (ROOT / "Caddyfile").read_text()
    assert "header_up X-Forwarded-For {remote_host}" in caddy


def test_inbox_fast_path_counts_peers_behind_the_proxy_apart(monkeypatch, settings):
    import io

    from inbox.fastpath import InboxFastPath

    settings.FEDINODE_TRUSTED_PROXIES = 1
    monkeypatch.setattr(ratelimit, "INBOX", ratelimit.Rule("inbox", 1, 60))
    monkeypatch.setattr("inbox.fastpath.INBOX", ratelimit.INBOX)
    app = InboxFastPath(lambda environ, start: [b""])
    statuses = []
    for peer in ("203.0.113.5", "203.0.113.5", "203.0.113.6"):
        environ = {"REQUEST_METHOD": "POST", "PATH_INFO": "/inbox", "REMOTE_ADDR": PROXY,
                   "HTTP_X_FORWARDED_FOR": peer, "CONTENT_LENGTH": "2", "wsgi.input": io.BytesIO(b"{}"),
                   "HTTP_HOST": "testserver"}
        app(environ, lambda status, headers: statuses.append(status[:3]))
    assert statuses == ["401", "429", "401"]


def test_api_answers_carry_mastodons_rate_limit_headers(monkeypatch):
    monkeypatch.setattr(ratelimit, "API", ratelimit.Rule("api", 3, 300))
    client = Client()
    headers = {"HTTP_AUTHORIZATION": "Bearer token-three-abcdefghijklmnopqrstuvwxyz"}
    answers = [client.get("/api/v1/instance", **headers) for _ in range(4)]
    assert [a["X-RateLimit-Remaining"] for a in answers] == ["2", "1", "0", "0"]
    assert {a["X-RateLimit-Limit"] for a in answers} == {"3"}
    # the window of the fixed clock (1_000_000_800) ends at 1_000_001_100
    assert {a["X-RateLimit-Reset"] for a in answers} == {"2001-09-09T02:05:00.000Z"}
    assert answers[-1].status_code == 429
    assert "X-RateLimit-Limit" not in client.get("/.well-known/nodeinfo")


def test_csp_reports_are_limited_per_address(monkeypatch, caplog):
    monkeypatch.setattr(ratelimit, "CSP_REPORT", ratelimit.Rule("csp-report", 3, 60))
    report = b'{"csp-report": {"document-uri": "http://testserver/", "violated-directive": "img-src"}}'
    flooder, browser = Client(REMOTE_ADDR="198.51.100.30"), Client(REMOTE_ADDR="198.51.100.31")
    statuses = [flooder.post("/csp-report", report, content_type="application/csp-report").status_code
                for _ in range(5)]
    assert statuses == [204, 204, 204, 429, 429]
    assert caplog.text.count("CSP violation") == 3  # the refused ones are not logged
    assert browser.post("/csp-report", report, content_type="application/csp-report").status_code == 204


def test_the_inbox_counts_in_its_process_without_a_cache_round_trip(monkeypatch):
    """The inbox front checks the rate on its event loop: a cache on Redis would hold the loop for each POST."""
    from inbox.fastpath import refusal_before_body

    def no_cache(*args, **kwargs):
        raise AssertionError("the inbox's rate check went to the cache")

    for name in ("add", "incr", "get", "set"):
        monkeypatch.setattr(cache, name, no_cache)
    monkeypatch.setattr(ratelimit, "INBOX", ratelimit.Rule("inbox", 2, 60))
    monkeypatch.setattr("inbox.fastpath.INBOX", ratelimit.INBOX)
    answers = [refusal_before_body("2", "203.0.113.9", "") for _ in range(3)]
    assert answers[:2] == [None, None] and answers[2][0] == 429
    assert refusal_before_body("2", "203.0.113.10", "") is None  # another sender has its own count
    monkeypatch.setattr(ratelimit, "_clock", lambda: 1_000_000_800.0 + 60)  # the next window
    assert refusal_before_body("2", "203.0.113.9", "") is None
    assert list(ratelimit._here["inbox"][1]) == ["203.0.113.9"]  # the last window's senders are dropped


def test_on_redis_a_count_is_one_round_trip_that_the_cache_reads_back(monkeypatch):
    """Through Django's cache a count took three round trips to Redis (add; incr, which asks first whether the key
    exists); the node's own pipeline takes one, under the cache's key, with the window's expiry."""
    client = ratelimit._redis()
    if client is None:
        pytest.skip("the cache is not on Redis in this pass")
    rule = ratelimit.Rule("round-trips", 3, 60)
    sent = []
    original = type(client).execute_command

    def counted(self, *args, **options):
        sent.append(args[0])
        return original(self, *args, **options)

    monkeypatch.setattr(type(client), "execute_command", counted)  # a pipeline sends without it: it is one batch
    assert [ratelimit.retry_after(rule, "203.0.113.77") for _ in range(3)] == [None, None, None]
    assert sent == []
    assert ratelimit.exhausted(rule, "203.0.113.77") == 60 - 1_000_000_800 % 60
    assert ratelimit.retry_after(rule, "203.0.113.77") == 60 - 1_000_000_800 % 60
    key = cache.make_key(f"rate:round-trips:203.0.113.77:{1_000_000_800 - 1_000_000_800 % 60}")
    assert 0 < client.ttl(key) <= 65
