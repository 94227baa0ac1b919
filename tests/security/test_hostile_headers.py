"""Hostile cases, the browser's own defences: a strict Content-Security-Policy on every answer (so a script that slipped
into a page does not run), pages that need no inline script or style to work under it, the OAuth pages' exceptions
(popup log-ins), the violation report endpoint, and HSTS and cookie flags when the node is served over TLS."""

import re
from datetime import timedelta

import pytest
import requests
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone
from oauth2_provider.models import Application

from actors.services.local import organization_create
from community.services.profiles import profile_create
from posts.services.events import event_create
from tests.nodes import AS_JSON

pytestmark = pytest.mark.django_db

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/(?:ld\+)?json\")[^>]*>", re.I)
INLINE_STYLE = re.compile(r"<style\b|\sstyle\s*=", re.I)
EVENT_HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.I)
JAVASCRIPT_URL = re.compile(r"(?:href|src|action)\s*=\s*[\"']?\s*javascript:", re.I)


def directives(response) -> dict[str, str]:
    policy = response["Content-Security-Policy"]
    return {part.split()[0]: " ".join(part.split()[1:]) for part in policy.split(";") if part.strip()}


@pytest.fixture
def site(db):
    org = organization_create(username="verein", email="verein@example.org", password="verein-pass-1")
    profile_create(actor=org, city="Berlin", state="BE", latitude=52.5, longitude=13.4, website="https://verein.example")
    start = timezone.now() + timedelta(days=5)
    event = event_create(author=org, name="Fachtag", text="Kommt alle", starts_at=start,
                         ends_at=start + timedelta(hours=2), online_url="https://meet.example/raum")
    app = Application.objects.create(
        name="an app", client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE, redirect_uris="https://app.example/cb",
    )
    staff = get_user_model().objects.create_user("staff", "staff@example.org", "staff-pass-1", is_staff=True,
                                                 is_superuser=True)
    return {"org": org, "event": event, "app": app, "staff": staff}


def _site_pages(site) -> list[str]:
    return ["/", "/members/", "/members/verein/", "/events/", f"/events/{site['event'].id}/", "/blog/", "/map/",
            "/groups/", "/scouts/", "/topics/", "/apply/", "/no-such-page/"]


def test_every_page_has_the_strict_policy_and_needs_no_inline_code(site):
    staff = Client()
    staff.force_login(site["staff"])
    for browser, pages in [(Client(), _site_pages(site)),
                           (staff, [*_site_pages(site), "/moderation/", "/events/new/", "/admin/"])]:
        for path in pages:
            response = browser.get(path)
            assert response.status_code in (200, 403, 404), (path, response.status_code)
            policy = directives(response)
            assert policy["default-src"] == "'self'", path
            assert policy["script-src"] == "'self'" and policy["style-src"] == "'self'", path
            assert policy["object-src"] == "'none'" and policy["base-uri"] == "'none'", path
            assert policy["frame-ancestors"] == "'none'" and policy["form-action"] == "'self'", path
            assert policy["report-uri"] == "/csp-report", path
            # remote pictures reach visitors through our media proxy: no other server is contacted for an image
            assert policy["img-src"] == "'self' data:", path
            assert response["Cross-Origin-Opener-Policy"] == "same-origin", path
            assert response["X-Frame-Options"] == "DENY", path
            html = response.content.decode()
            for pattern in (INLINE_SCRIPT, INLINE_STYLE, EVENT_HANDLER, JAVASCRIPT_URL):
                assert not pattern.search(html), (path, pattern.search(html).group(0))


def test_a_form_without_its_csrf_token_gets_our_page_without_inline_style(site):
    response = Client(enforce_csrf_checks=True).post("/apply/", {"organisation_name": "x"})
    assert response.status_code == 403
    html = response.content.decode()
    assert "Das Formular konnte nicht gesendet werden" in html
    assert not INLINE_STYLE.search(html) and not INLINE_SCRIPT.search(html)
    assert directives(response)["default-src"] == "'self'"


def test_the_api_and_activitypub_answers_carry_the_policy_too(site):
    for path in ["/api/v1/instance", "/.well-known/nodeinfo", "/actors/verein"]:
        response = Client().get(path, HTTP_ACCEPT="application/activity+json")
        assert response.status_code == 200, path
        assert directives(response)["default-src"] == "'self'", path


def test_the_oauth_pages_keep_popup_log_ins_working(site):
    """Phanpy opens the log-in in a popup and waits for it through window.opener: not severed on these pages. The
    consent form's answer is a redirect to the app's own URI, which form-action 'self' would block."""
    query = {"client_id": site["app"].client_id, "redirect_uri": "https://app.example/cb", "response_type": "code",
             "scope": "read"}
    anonymous = Client()
    login = anonymous.get("/auth/login/", {"next": "/oauth/authorize"})
    member = Client()
    member.force_login(site["org"].user)
    consent = member.get("/oauth/authorize", query)
    for response in (login, consent):
        assert response.status_code == 200
        assert response["Cross-Origin-Opener-Policy"] == "unsafe-none"
        policy = directives(response)
        assert "form-action" not in policy
        assert policy["script-src"] == "'self'" and policy["default-src"] == "'self'"
        html = response.content.decode()
        for pattern in (INLINE_SCRIPT, INLINE_STYLE, EVENT_HANDLER):
            assert not pattern.search(html), pattern.search(html).group(0)
    allowed = member.post("/oauth/authorize", {**query, "decision": "allow"})
    assert allowed.status_code == 302 and allowed["Location"].startswith("https://app.example/cb?code=")


@pytest.mark.parametrize("method, body, content_type, status", [
    pytest.param("post", b'{"csp-report": {"document-uri": "http://testserver/", "violated-directive": "script-src",'
                         b' "blocked-uri": "inline"}}', "application/csp-report", 204, id="a_report"),
    pytest.param("post", b"not json", "application/csp-report", 400, id="not_json"),
    pytest.param("post", b'["a list"]', "application/csp-report", 400, id="not_an_object"),
    pytest.param("post", b'{"csp-report": "text"}', "application/csp-report", 400, id="report_not_an_object"),
    pytest.param("post", b"{" + b" " * 20000 + b"}", "application/csp-report", 413, id="too_large"),
    pytest.param("get", None, None, 405, id="get"),
])
def test_the_report_endpoint(db, caplog, method, body, content_type, status):
    client = Client(enforce_csrf_checks=True)  # browsers send reports without a CSRF token
    if method == "get":
        response = client.get("/csp-report")
    else:
        response = client.post("/csp-report", data=body, content_type=content_type)
    assert response.status_code == status
    if status == 204:
        assert "CSP violation on http://testserver/: script-src blocked inline" in caplog.text


# ---------------------------------------------------------------- behind TLS: a real node with FEDINODE_SCHEME=https

def _cookie_flags(response: requests.Response, name: str) -> str:
    for header in response.raw.headers.getlist("Set-Cookie"):
        if header.startswith(f"{name}="):
            return header
    raise AssertionError(f"no {name} cookie in {response.headers}")


@pytest.mark.federation
def test_behind_tls_cookies_are_secure_and_hsts_is_sent(start_node):
    """The shipped set-up: a TLS proxy in front that says X-Forwarded-Proto: https. Plain-http requests straight to
    the node (no proxy header) get no HSTS: a browser must hear it over TLS only."""
    node = start_node("tls", env={"FEDINODE_SCHEME": "https"})
    node.cli("createorg", "verein", "--email", "verein@example.org", "--password", "verein-pass-1")
    base, https_origin = node.base, f"https://{node.domain}"
    proxy = {"X-Forwarded-Proto": "https"}
    page = requests.get(f"{base}/auth/login/", headers=proxy, timeout=30)
    assert page.status_code == 200
    assert page.headers["Strict-Transport-Security"].startswith("max-age=31536000")
    assert page.headers["Content-Security-Policy"].startswith("default-src 'self'")
    csrf = _cookie_flags(page, "csrftoken")
    assert "; secure" in csrf.lower() and "; httponly" in csrf.lower() and "samesite=lax" in csrf.lower()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    # A client keeps Secure cookies for https: the test, talking plain http behind the "proxy", sends it by hand.
    cookie = csrf.split(";", 1)[0]
    logged_in = requests.post(
        f"{base}/auth/login/", data={"username": "verein", "password": "verein-pass-1", "csrfmiddlewaretoken": token,
                                     "next": "/"},
        headers={**proxy, "Origin": https_origin, "Referer": f"{https_origin}/auth/login/", "Cookie": cookie},
        timeout=30, allow_redirects=False,
    )
    assert logged_in.status_code == 302, re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", logged_in.text))[:1500]
    session_cookie = _cookie_flags(logged_in, "sessionid").lower()
    assert "; secure" in session_cookie and "; httponly" in session_cookie and "samesite=lax" in session_cookie
    language = requests.get(f"{base}/language/en?next=/", headers=proxy, timeout=30, allow_redirects=False)
    assert "; secure" in _cookie_flags(language, "django_language").lower()
    plain = requests.get(f"{base}/", timeout=30)
    assert "Strict-Transport-Security" not in plain.headers
    assert plain.headers["Content-Security-Policy"].startswith("default-src 'self'")

    # What the fronts answer without Django (discovery documents and posts from their cache, a NUL's page) says the
    # same: HSTS behind the proxy, none on plain http.
    post = node.cli("post", "verein", "Ein Beitrag hinter TLS").split(node.domain, 1)[1]
    webfinger = "/.well-known/webfinger?resource=acct:verein@" + node.domain
    for path, accept in [("/actors/verein", AS_JSON), (post, AS_JSON), (webfinger, "application/jrd+json"),
                         ("/members/?q=%00", "text/html")]:
        for _ in range(2):  # the first may render, the second comes from the front's cache
            answer = requests.get(f"{base}{path}", headers={**proxy, "Accept": accept}, timeout=30)
            assert answer.headers.get("Strict-Transport-Security", "").startswith("max-age=31536000"), (path, answer)
        plain = requests.get(f"{base}{path}", headers={"Accept": accept}, timeout=30)
        assert "Strict-Transport-Security" not in plain.headers, path
        assert plain.headers["Content-Security-Policy"].startswith("default-src 'self'"), path


@pytest.mark.parametrize("tiles, source", [
    ("https://{s}.tile.openstreetmap.org/{z}/{x}/{y}.png", "https://*.tile.openstreetmap.org"),
    ("https://tiles.example.org/{z}/{x}/{y}.png", "https://tiles.example.org"),
    ("https://tiles.{s}.example.org/{z}/{x}/{y}.png", ""),  # a wildcard only as the first label
    ("javascript:alert(1)//{z}", ""),
    ("", ""),
])
def test_images_may_come_only_from_here_and_the_operators_tile_server(tiles, source):
    from fediverse_node.security_headers import tile_source

    assert tile_source(tiles) == source


@pytest.mark.parametrize("proxy_header, forwarded, scheme, seconds, expected", [
    (("HTTP_X_FORWARDED_PROTO", "https"), "https", "http", 31536000, "max-age=31536000"),
    (("HTTP_X_FORWARDED_PROTO", "https"), "https, http", "http", 31536000, "max-age=31536000"),  # Django: the first
    (("HTTP_X_FORWARDED_PROTO", "https"), "http", "https", 31536000, None),  # the proxy's word over the socket's
    (("HTTP_X_FORWARDED_PROTO", "https"), None, "https", 31536000, "max-age=31536000"),  # no header: the scheme
    (None, "https", "http", 31536000, None),  # no proxy named: a header anyone can send counts for nothing
    (("HTTP_X_FORWARDED_PROTO", "https"), "https", "http", 0, None),  # FEDINODE_HSTS_SECONDS=0
])
def test_the_fronts_hsts_follows_djangos_rule(settings, proxy_header, forwarded, scheme, seconds, expected):
    """transport_headers decides as request.is_secure() and SecurityMiddleware do, for the answers made without
    Django; the same cases through Django's own request give the same answer."""
    from django.http import HttpRequest, HttpResponse
    from django.middleware.security import SecurityMiddleware

    from fediverse_node.security_headers import transport_headers_rsgi, transport_headers_wsgi

    settings.SECURE_PROXY_SSL_HEADER, settings.SECURE_HSTS_SECONDS = proxy_header, seconds
    meta = {"HTTP_X_FORWARDED_PROTO": forwarded} if forwarded is not None else {}
    wsgi = dict(transport_headers_wsgi({**meta, "wsgi.url_scheme": scheme})).get("Strict-Transport-Security")
    rsgi_headers = {"x-forwarded-proto": forwarded} if forwarded is not None else {}
    rsgi = dict(transport_headers_rsgi(rsgi_headers, scheme)).get("Strict-Transport-Security")
    request = HttpRequest()
    request.META = {**meta, "wsgi.url_scheme": scheme, "SERVER_NAME": "testserver", "SERVER_PORT": "80"}
    request._get_scheme = lambda: scheme  # type: ignore[method-assign]
    middleware = SecurityMiddleware(lambda _request: HttpResponse())
    djangos = middleware.process_response(request, HttpResponse()).headers.get("Strict-Transport-Security")
    assert wsgi == rsgi == djangos == expected
