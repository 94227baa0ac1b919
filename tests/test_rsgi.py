"""The RSGI front (fediverse_node/rsgi.py) and its WSGI bridge (fediverse_node/wsgi_bridge.py), driven in-process
with a scope and protocol shaped like granian's. Real nodes serve every other test through them."""

import asyncio
import io
import json
import threading

import orjson
import pytest
from django.conf import settings
from django.http import FileResponse, HttpResponse, StreamingHttpResponse

from actors.services.local import organization_create
from fediverse_node import rsgi
from fediverse_node.protocol.keys import load_private_key
from fediverse_node.protocol.signatures import sign_cavage
from fediverse_node.wsgi import application as wsgi_application
from fediverse_node.wsgi import nul_in_address
from fediverse_node.wsgi_bridge import FileWrapper, WSGIOnRSGI, application_call, environ_build
from inbox import fastpath
from inbox import services as inbox_services
from inbox import tasks as inbox_tasks
from inbox.models import InboxItem
from tests.interop.bovine_peer import BovinePeer


class Headers:
    """granian's RSGIHeaders: lower-case names, a name may repeat."""

    def __init__(self, pairs: list[tuple[str, str]]):
        self.pairs = [(name.lower(), value) for name, value in pairs]

    def get(self, name, default=None):
        return next((value for key, value in self.pairs if key == name), default)

    def items(self):
        return list(self.pairs)

    def __contains__(self, name):
        return any(key == name for key, _ in self.pairs)


class Scope:
    proto, scheme, http_version, server, client, authority = "http", "http", "1.1", "127.0.0.5:8000", "127.0.0.9:41000", None

    def __init__(self, method: str, path: str, query: str = "", headers: list[tuple[str, str]] | None = None):
        self.method, self.path, self.query_string = method, path, query
        self.headers = Headers(headers or [])


class Proto:
    def __init__(self, body: bytes = b"", chunk: int = 64 * 1024):
        self.body, self.chunk, self.read = body, chunk, 0
        self.answer: tuple | None = None

    async def __call__(self) -> bytes:
        self.read = len(self.body)
        return self.body

    async def _chunks(self):
        for start in range(0, len(self.body), self.chunk):
            self.read = start + self.chunk
            yield self.body[start : start + self.chunk]

    def __aiter__(self):
        return self._chunks()

    def response_bytes(self, status, headers, body):
        self.answer = ("bytes", status, headers, body)

    def response_file(self, status, headers, path):
        self.answer = ("file", status, headers, path)


def test_the_environ_is_what_wsgi_carries():
    scope = Scope("POST", "/tags/stra\u00dfe", "q=%20x", [
        ("Host", "example.org"), ("Content-Type", "text/plain"), ("Content-Length", "3"), ("X-A", "1"), ("X-A", "2"),
    ])
    environ = environ_build(scope, io.BytesIO(b"abc"))
    assert environ["PATH_INFO"] == "/tags/stra\u00dfe".encode().decode("latin-1")  # PEP 3333: bytes as latin-1
    assert environ["QUERY_STRING"] == "q=%20x"
    assert (environ["CONTENT_TYPE"], environ["CONTENT_LENGTH"]) == ("text/plain", "3")
    assert environ["HTTP_HOST"] == "example.org" and "HTTP_CONTENT_TYPE" not in environ
    assert environ["HTTP_X_A"] == "1,2"
    assert (environ["SERVER_NAME"], environ["SERVER_PORT"], environ["REMOTE_ADDR"]) == ("127.0.0.5", "8000", "127.0.0.9")
    assert environ["wsgi.input"].read() == b"abc"


def wsgi_of(response_factory):
    """A WSGI application answering with a Django response, as Django's handler hands it over."""
    closed = threading.Event()

    def application(environ, start_response):
        response = response_factory()
        response._resource_closers.append(closed.set)
        start_response(f"{response.status_code} OK", list(response.items()))
        if getattr(response, "file_to_stream", None) is not None and environ.get("wsgi.file_wrapper"):
            response.file_to_stream.close = response.close
            return environ["wsgi.file_wrapper"](response.file_to_stream, response.block_size)
        return response

    return application, closed


# Django's request_finished closes the old connections of this thread, which asks the database whether one left open
# by an earlier test of this worker is still usable: without the mark, pytest-django refuses that (a flaky failure)
@pytest.mark.django_db
def test_a_whole_file_is_handed_to_the_server_and_a_stream_is_gathered(tmp_path):
    path = tmp_path / "picture.webp"
    path.write_bytes(b"RIFF" + b"x" * 100)
    environ = environ_build(Scope("GET", "/media/picture.webp"), io.BytesIO())

    application, closed = wsgi_of(lambda: FileResponse(open(path, "rb")))
    answer = application_call(application, environ)
    assert (answer.status, answer.path) == (200, str(path))
    assert not any(name.lower() == "content-length" for name, _ in answer.headers)  # granian sets the file's
    assert closed.is_set()  # Django's request_finished ran

    application, closed = wsgi_of(lambda: StreamingHttpResponse(iter([b"a", b"b", b"c"])))
    answer = application_call(application, environ)
    assert (answer.body, answer.path) == (b"abc", None)
    assert closed.is_set()

    # a file read from the middle (a range) is not the whole file: its bytes go as they are
    handle = open(path, "rb")
    handle.seek(4)
    assert FileWrapper(handle).path_whole() is None
    handle.close()


def test_a_body_over_the_limit_is_refused_before_it_is_read():
    bridge = WSGIOnRSGI(wsgi_of(lambda: HttpResponse(b"never"))[0], threads=1, max_body=1000)
    big = b"x" * 5000

    declared = Proto(big)
    asyncio.run(bridge(Scope("POST", "/api/v2/media", headers=[("Content-Length", "5000")]), declared))
    assert declared.answer[1] == 413 and declared.read == 0

    chunked = Proto(big, chunk=400)
    asyncio.run(bridge(Scope("POST", "/api/v2/media", headers=[("Transfer-Encoding", "chunked")]), chunked))
    assert chunked.answer[1] == 413 and chunked.read < len(big)

    small = Proto(b"ok")
    asyncio.run(bridge(Scope("POST", "/x", headers=[("Content-Length", "2")]), small))
    assert small.answer[:2] == ("bytes", 200) and small.answer[3] == b"never"


@pytest.fixture
def peer():
    with BovinePeer() as peer:
        yield peer
    _inbox_lanes_idle()


def _inbox_lanes_idle() -> None:
    """Tasks run eagerly here, so the spool's writer thread processes what it committed while the test goes on. Wait
    until it is done: the next test of this worker would find the lanes taken and its own items left waiting for
    this thread (a flaky failure elsewhere, tests/security/test_properties.py)."""
    lanes = inbox_tasks._lanes
    taken = [lanes.free.acquire(timeout=30) for _ in range(settings.FEDINODE_INBOX_LANES)]
    assert all(taken), "the inbox lanes stayed busy for 30 s"
    for _ in taken:
        lanes.free.release()


@pytest.mark.django_db(transaction=True)
def test_an_inbox_post_is_checked_on_the_loop_once_its_key_is_known(peer, monkeypatch):
    target = organization_create(username="ziel", email="z@example.org", password="ziel-pass-1")
    on_threads = []
    in_thread = inbox_services._inbox_check_in_thread
    monkeypatch.setattr(inbox_services, "_inbox_check_in_thread", lambda **r: on_threads.append(1) or in_thread(**r))
    front = rsgi.Front()

    def deliver(number: int) -> Proto:
        body = orjson.dumps({
            "@context": "https://www.w3.org/ns/activitystreams", "id": f"{peer.base}/follows/{number}",
            "type": "Follow", "actor": peer.actor_id, "object": target.uri,
        })
        headers = sign_cavage(method="POST", url="http://testserver/inbox", body=body,
                              key_id=f"{peer.actor_id}#main-key", private_key=load_private_key(peer.private_pem))
        headers |= {"Content-Type": "application/activity+json", "Content-Length": str(len(body))}
        proto = Proto(body)
        asyncio.run(front.__rsgi__(Scope("POST", "/inbox", headers=list(headers.items())), proto))
        return proto

    first = deliver(1)  # the key is fetched and stored: on a thread, as Django allows no query on a loop
    assert first.answer[1] == 202, first.answer
    assert on_threads == [1]
    second = deliver(2)  # key and domain rules are in this process's caches: checked on the loop
    assert second.answer[1] == 202, second.answer
    assert on_threads == [1]
    assert InboxItem.objects.count() == 2

    refused = Proto(b"{}")
    asyncio.run(front.__rsgi__(Scope("POST", "/inbox", headers=[("Content-Length", "2")]), refused))
    assert refused.answer[1] == 401 and orjson.loads(refused.answer[3])["error"]


@pytest.mark.django_db(transaction=True)
def test_a_personal_inbox_owner_is_looked_up_once_and_a_missing_one_every_time(peer, monkeypatch):
    """Mastodon sends follows to personal inboxes: the owner found once is remembered by this process (a query on
    a thread per POST cost eight times the rest of the request); a name not found is never remembered, so an
    account made a moment later takes its first POST."""
    organization_create(username="ziel", email="z@example.org", password="ziel-pass-1")
    monkeypatch.setattr(fastpath, "_owners", fastpath._InboxOwners())
    lookups = []
    missing = fastpath._owner_missing
    monkeypatch.setattr(fastpath, "_owner_missing", lambda name: lookups.append(name) or missing(name))
    front = rsgi.Front()
    key = load_private_key(peer.private_pem)

    def signed_follow(path: str, number: int) -> tuple[bytes, dict[str, str]]:
        """A Follow of the inbox's owner, signed for that inbox."""
        body = orjson.dumps({
            "@context": "https://www.w3.org/ns/activitystreams", "id": f"{peer.base}/follows/{number}",
            "type": "Follow", "actor": peer.actor_id, "object": f"http://testserver{path.removesuffix('/inbox')}",
        })
        return body, sign_cavage(method="POST", url=f"http://testserver{path}", body=body,
                                 key_id=f"{peer.actor_id}#main-key", private_key=key)

    def deliver(path: str, number: int) -> int:
        body, headers = signed_follow(path, number)
        headers |= {"Content-Type": "application/activity+json", "Content-Length": str(len(body))}
        proto = Proto(body)
        asyncio.run(front.__rsgi__(Scope("POST", path, headers=list(headers.items())), proto))
        return proto.answer[1]

    assert [deliver("/actors/ziel/inbox", 1), deliver("/actors/ZIEL/inbox", 2), deliver("/actors/ziel/inbox", 3)] == [
        202, 202, 202
    ]
    assert lookups == ["ziel", "ZIEL"]
    assert [deliver("/actors/later/inbox", 4), deliver("/actors/later/inbox", 5)] == [404, 404]
    assert lookups == ["ziel", "ZIEL", "later", "later"]
    organization_create(username="later", email="l@example.org", password="later-pass-1")
    assert deliver("/actors/later/inbox", 6) == 202
    assert InboxItem.objects.filter(type="Follow").count() == 4

    # the WSGI front (fediverse_node/wsgi.py) asks the same memory
    wsgi_front = fastpath.InboxFastPath(lambda environ, start_response: pytest.fail("handed on"))

    def deliver_wsgi(path: str, number: int) -> str:
        body, headers = signed_follow(path, number)
        environ = {
            "REQUEST_METHOD": "POST", "PATH_INFO": path, "CONTENT_LENGTH": str(len(body)),
            "CONTENT_TYPE": "application/activity+json", "wsgi.input": io.BytesIO(body), "wsgi.url_scheme": "http",
            **{f"HTTP_{name.upper().replace('-', '_')}": value for name, value in headers.items()},
        }
        started: list[str] = []
        b"".join(wsgi_front(environ, lambda status, _headers: started.append(status)))
        return started[0]

    assert deliver_wsgi("/actors/ziel/inbox", 7) == "202 Accepted"
    assert deliver_wsgi("/actors/nobody/inbox", 8) == "404 Not Found"
    assert lookups == ["ziel", "ZIEL", "later", "later", "later", "nobody"]

    monkeypatch.setattr(fastpath._InboxOwners, "SECONDS", -1)  # what a process remembers ends
    fastpath._owners.found("ziel")
    assert not fastpath._owners.known("ziel")


def test_an_address_with_a_nul_is_refused_before_any_view():
    """/actors/kita%00/inbox reached the owner lookup, which PostgreSQL answered with an error (a 500); so did a
    search (`?q=a%00`), a hashtag's page (`/tags/a%00`) and a dozen more addresses (checked on PostgreSQL)."""
    front = rsgi.Front()
    for method, path in [("POST", "/actors/kita\x00/inbox"), ("GET", "/actors/kita\x00"),
                         ("GET", "/actors/kita\x00/posts/1"), ("GET", "/feed/\x00"), ("GET", "/members/?q=%00"),
                         ("GET", "/api/v1/accounts/search?q=a%00b"), ("GET", "/feed/?tag=%00&page=2"),
                         ("GET", "/tags/a\x00"), ("GET", "/api/v1/timelines/tag/a\x00")]:
        path, _, query = path.partition("?")
        proto = Proto(b"{}")
        asyncio.run(front.__rsgi__(Scope(method, path, query, headers=[("Content-Length", "2")]), proto))
        assert proto.answer[1] == 400 and b"NUL" in proto.answer[3], (method, path, query)
        # the WSGI application, for whoever serves it without the RSGI front
        environ = {"REQUEST_METHOD": method, "PATH_INFO": path, "QUERY_STRING": query, "CONTENT_LENGTH": "2",
                   "wsgi.input": io.BytesIO(b"{}"), "wsgi.url_scheme": "http", "SERVER_NAME": "testserver",
                   "SERVER_PORT": "80"}
        started: list[str] = []
        body = b"".join(wsgi_application(environ, lambda status, _headers, started=started: started.append(status)))
        assert started == ["400 Bad Request"] and b"NUL" in body, (method, path, query)
    # %2500 is the text "%00", which a search may look for
    assert not nul_in_address("/members/", "q=%2500") and not nul_in_address("/feed/", "")


NUL_PAGE = {"de": "Diese Adresse gibt es so nicht", "en": "This address does not exist as written"}


@pytest.mark.parametrize("headers, kind, language", [
    ([], "text/html", "de"),
    ([("Accept", "text/html"), ("Accept-Language", "en-GB,en;q=0.9")], "text/html", "en"),
    ([("Accept", "text/html"), ("Accept-Language", "de-DE,de;q=0.9,en;q=0.5")], "text/html", "de"),
    ([("Accept-Language", "de"), ("Cookie", "django_language=en")], "text/html", "en"),  # the site's language switch
    ([("Accept", "application/activity+json")], "application/json", None),
])
def test_a_person_is_told_about_a_nul_in_the_address_in_the_page_language(headers, kind, language):
    """The fronts answer before Django's middleware, so they pick the language themselves; a page gets the site's
    security headers as every other page does."""
    front = rsgi.Front()
    for path, query in [("/members/", "q=%00"), ("/tags/a\x00", ""), ("/api/v1/timelines/tag/a\x00", "")]:
        proto = Proto()
        asyncio.run(front.__rsgi__(Scope("GET", path, query, headers=headers), proto))
        _, status, answer_headers, body = proto.answer
        answered = dict((name.lower(), value) for name, value in answer_headers)
        text = body.decode()
        assert status == 400 and "content-security-policy" in answered, (path, answered)
        if path.startswith("/api/") or language is None:
            assert answered["content-type"] == "application/json" and "NUL" in json.loads(text)["error"]
            continue
        assert answered["content-type"] == "text/html; charset=utf-8", path
        other = "en" if language == "de" else "de"
        assert f'<html lang="{language}">' in text and NUL_PAGE[language] in text and NUL_PAGE[other] not in text
        environ = {"REQUEST_METHOD": "GET", "PATH_INFO": path, "QUERY_STRING": query, "wsgi.input": io.BytesIO(),
                   "wsgi.url_scheme": "http", "SERVER_NAME": "testserver", "SERVER_PORT": "80",
                   **{"HTTP_" + name.upper().replace("-", "_"): value for name, value in headers}}
        started: list = []
        wsgi_body = b"".join(wsgi_application(environ, lambda status, h, started=started: started.append((status, h))))
        assert started[0][0] == "400 Bad Request" and wsgi_body == body
