"""A WSGI front for discovery: WebFinger and actor documents as cached bytes with an ETag, past Django's middleware.

Every remote server that meets one of our actors asks for these two documents, and busy ones ask again and again.
Rendering them through Django's middleware costs far more than the documents themselves, so each process keeps the
rendered bytes for FEDINODE_DOCUMENT_CACHE_SECONDS (a changed profile shows that much later) and answers a matching
If-None-Match with 304. Misses, errors, suspended actors and secure mode go to the Django views.
"""

import hashlib
import re
import threading
import time
from collections.abc import Callable
from urllib.parse import unquote_plus

import orjson
from django.conf import settings
from django.db import close_old_connections

from fediverse_node.activitystreams import ACTIVITY_JSON, wants_activity_json
from fediverse_node.security_headers import document_headers, transport_headers_wsgi

from .documents import actor_document, webfinger_actor, webfinger_document, webfinger_resource_valid
from .services.local import local_actor_by_username

ACTOR_PATH = re.compile(r"^/actors/(?P<username>[^/]+)$")
WEBFINGER_PATH = "/.well-known/webfinger"
MAX_ENTRIES = 50_000


class DocumentCache:
    """key -> (expires, body, etag), per process; cleared when full (keys are documents, not requests)."""

    def __init__(self, limit: int = MAX_ENTRIES) -> None:
        self.lock = threading.Lock()
        self.limit = limit
        self.entries: dict[str, tuple[float, bytes, str]] = {}

    def get(self, key: str) -> tuple[bytes, str] | None:
        entry = self.entries.get(key)
        if entry is None or entry[0] < time.monotonic():
            return None
        return entry[1], entry[2]

    def put(self, key: str, body: bytes, seconds: float) -> tuple[bytes, str]:
        etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
        if seconds <= 0:
            return body, etag  # caching off: rendered for each request, still past the middleware
        with self.lock:
            if len(self.entries) >= self.limit:
                self.entries.clear()
            self.entries[key] = (time.monotonic() + seconds, body, etag)
        return body, etag


_documents = DocumentCache()


def _render(kind: str, name: str) -> bytes | None:
    """The document's bytes, or None when Django should answer (unknown, suspended: one place for errors)."""
    if kind == "webfinger":
        actor = webfinger_actor(name)
        return None if actor is None or actor.suspended else orjson.dumps(webfinger_document(actor))
    actor = local_actor_by_username(name)
    return None if actor is None or actor.suspended else orjson.dumps(actor_document(actor))


def cached_document_serve(
    environ, start_response, app, *, cache: DocumentCache, key: str, kind: str, render: Callable[[], bytes | None]
):
    """A WSGI answer from the cache, rendering on a miss (with the connection handling Django's request signals do,
    CONN_MAX_AGE); `app` answers what `render` leaves to Django (None)."""
    cached = cache.get(key)
    if cached is None:
        close_old_connections()
        try:
            body = render()
        finally:
            close_old_connections()
        if body is None:
            return app(environ, start_response)
        cached = cache.put(key, body, settings.FEDINODE_DOCUMENT_CACHE_SECONDS)
    status, headers, body = document_answer(kind, cached, environ.get("HTTP_IF_NONE_MATCH", ""), environ["REQUEST_METHOD"])
    start_response("304 Not Modified" if status == 304 else "200 OK", [*headers, *transport_headers_wsgi(environ)])
    return [body]


class DiscoveryFastPath:
    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        request = discovery_request(
            environ.get("REQUEST_METHOD", ""), environ.get("PATH_INFO", ""), environ.get("QUERY_STRING", ""),
            environ.get("HTTP_ACCEPT", ""),
        )
        if request is None:
            return self.app(environ, start_response)
        kind, name = request
        return cached_document_serve(
            environ, start_response, self.app, cache=_documents, key=f"{kind}:{name}", kind=kind,
            render=lambda: _render(kind, name),
        )


def discovery_cached(
    method: str, path: str, query: str, accept: str, if_none_match: str
) -> tuple[int, list[tuple[str, str]], bytes] | None:
    """(status, headers, body) of a discovery document this process holds, else None: answered without a thread
    or the database (fediverse_node/rsgi.py, on the event loop); a miss goes through DiscoveryFastPath."""
    request = discovery_request(method, path, query, accept)
    if request is None:
        return None
    cached = _documents.get(f"{request[0]}:{request[1]}")
    return None if cached is None else document_answer(request[0], cached, if_none_match, method)


def document_answer(kind: str, cached: tuple[bytes, str], if_none_match: str, method: str):
    """(status, headers, body) of a cached document: 304 for a matching If-None-Match, no body for HEAD."""
    body, etag = cached
    headers = [
        ("ETag", etag), ("Cache-Control", f"public, max-age={settings.FEDINODE_DOCUMENT_CACHE_SECONDS}"),
        ("X-Content-Type-Options", "nosniff"), *document_headers(),
    ]
    if kind == "webfinger":
        headers += [("Content-Type", "application/jrd+json"), ("Access-Control-Allow-Origin", "*")]
    else:
        headers += [("Content-Type", ACTIVITY_JSON), ("Vary", "Accept")]
    if etag in if_none_match:
        return 304, headers, b""
    return 200, [*headers, ("Content-Length", str(len(body)))], b"" if method == "HEAD" else body


def discovery_request(method: str, path: str, query: str, accept: str) -> tuple[str, str] | None:
    """("webfinger" or "actor", name) when the request asks for a discovery document, else None."""
    if method not in ("GET", "HEAD"):
        return None
    if path == WEBFINGER_PATH:
        if not query.startswith("resource=") or "&" in query:
            return None
        resource = unquote_plus(query.removeprefix("resource="))
        # a malformed resource goes to the view, which answers 400
        return ("webfinger", resource) if webfinger_resource_valid(resource) else None
    match = ACTOR_PATH.match(path)
    if match and not settings.FEDINODE_AUTHORIZED_FETCH and wants_activity_json(accept):
        return "actor", match.group("username").lower()
    return None
