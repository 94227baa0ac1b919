"""A WSGI front for the inboxes: signed POSTs skip Django's middleware (sessions, CSRF, locale, messages…).

None of it applies to a server-to-server POST, and at thousands of requests per second it costs more than the
work itself (verify, store). Everything else goes to Django; tests that drive the Django view cover the same
`inbox_receive`.
"""

import asyncio
import logging
import re
import time
from collections.abc import Callable

import orjson
from django.conf import settings
from django.db import close_old_connections
from django.http.request import HttpHeaders

from actors.services.local import local_actor_by_username
from fediverse_node.ratelimit import INBOX, address_from, retry_after_here

from .services import Refusal, inbox_receive, inbox_receive_async

log = logging.getLogger(__name__)
INBOX_PATH = re.compile(r"^/(?:inbox|actors/(?P<username>[^/]+)/inbox)/?$")
REASONS = {202: "Accepted", 400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found",
           413: "Content Too Large", 429: "Too Many Requests", 500: "Internal Server Error", 503: "Service Unavailable"}


class _InboxOwners:
    """Usernames whose personal inbox took a POST lately, for a few minutes per process. Mastodon sends follows,
    their answers and direct messages to personal inboxes; looking the owner up on a thread for each POST cost eight
    times the rest of the request (bench/inbox_front.py). Only names found are kept, so made-up names cannot grow
    it; an account removed meanwhile has its inbox take POSTs for at most SECONDS more, as the shared inbox takes
    any (processing finds no such addressee)."""

    SECONDS = 300
    LIMIT = 10_000

    def __init__(self) -> None:
        self.until: dict[str, float] = {}

    def known(self, username: str) -> bool:
        # the name as requested: Python's case folding goes further than the database's case-insensitive match
        until = self.until.get(username)
        return until is not None and until > time.monotonic()

    def found(self, username: str) -> None:
        if len(self.until) >= self.LIMIT:
            self.until.clear()
        self.until[username] = time.monotonic() + self.SECONDS


_owners = _InboxOwners()


def _owner_missing(username: str) -> bool:
    """Whether no local actor has this username (a query; a name found is remembered by _owners)."""
    if local_actor_by_username(username) is None:
        return True
    _owners.found(username)
    return False


class InboxFastPath:
    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        match = INBOX_PATH.match(environ.get("PATH_INFO", "")) if environ.get("REQUEST_METHOD") == "POST" else None
        if match is None:
            return self.app(environ, start_response)
        try:
            status, data = self._receive(environ, match.group("username"))
        except Exception:
            log.exception("inbox POST failed")
            status, data = 500, {"error": "The activity could not be handled; the error was logged."}
        finally:
            # What Django does at request_started and request_finished (CONN_MAX_AGE, health checks); once per
            # request is enough here: this thread rarely queries, the spool writer keeps its own connection.
            close_old_connections()
        body, headers = answer_encode(status, data)
        start_response(f"{status} {REASONS.get(status, '')}", headers)
        return [body]

    def _receive(self, environ, username: str | None) -> tuple[int, dict]:
        length = environ.get("CONTENT_LENGTH") or "0"
        refused = refusal_before_body(
            length, environ.get("REMOTE_ADDR", ""), environ.get("HTTP_X_FORWARDED_FOR", "")
        )
        if refused is not None:
            return refused
        if username is not None and not _owners.known(username) and _owner_missing(username):
            return _no_actor(username)
        body = environ["wsgi.input"].read(int(length)) if int(length) else b""
        try:
            inbox_receive(method="POST", url=_url(environ), headers=HttpHeaders(environ), body=body)
        except Refusal as refusal:
            return refusal.status, {"error": refusal.message}
        return 202, {}


def refusal_before_body(length: str, remote_addr: str, forwarded_for: str) -> tuple[int, dict] | None:
    """(status, answer) of a POST refused before its body is read (its length, the sender's rate), else None."""
    cap = settings.FEDINODE_INBOX_MAX_BYTES
    if not length.isdigit():
        return 400, {"error": "Content-Length is not a number."}
    if int(length) > cap:
        return 413, {"error": f"The body is larger than {cap} bytes."}
    wait = retry_after_here(INBOX, address_from(remote_addr, forwarded_for))
    if wait is not None:
        return 429, {"error": f"Too many requests; try again in {wait} seconds."}
    return None


def _no_actor(username: str) -> tuple[int, dict]:
    return 404, {"error": f"No actor named {username!r} here."}


async def receive_on_loop(*, username: str | None, url: str, headers, body: bytes) -> tuple[int, dict]:
    """The inbox POST of fediverse_node/rsgi.py, on its event loop, once refusal_before_body passed: (status,
    answer). A personal inbox's owner not seen lately is looked up on a thread (the database)."""
    loop = asyncio.get_running_loop()
    if username is not None and not _owners.known(username) and await loop.run_in_executor(
        None, _local_actor_missing, username
    ):
        return _no_actor(username)
    try:
        await inbox_receive_async(method="POST", url=url, headers=headers, body=body)
    except Refusal as refusal:
        return refusal.status, {"error": refusal.message}
    return 202, {}


def _local_actor_missing(username: str) -> bool:
    try:
        return _owner_missing(username)
    finally:
        close_old_connections()


def answer_encode(status: int, data: dict) -> tuple[bytes, list[tuple[str, str]]]:
    """The body and headers of an inbox answer."""
    body = orjson.dumps(data)
    headers = [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
    if status == 429:
        headers.append(("Retry-After", str(INBOX.window)))
    return body, headers


def _url(environ) -> str:
    return addressed_url(
        scheme=environ.get("wsgi.url_scheme", "http"), header=environ.get,
        host=environ.get("HTTP_HOST") or environ.get("SERVER_NAME", ""), path=environ.get("PATH_INFO", ""),
        query=environ.get("QUERY_STRING", ""),
    )


def addressed_url(*, scheme: str, header: Callable[[str], str | None], host: str, path: str, query: str) -> str:
    """The URL as the sender addressed it: behind a TLS proxy, the scheme the proxy reports (`header` reads a
    header by its WSGI name, as SECURE_PROXY_SSL_HEADER names it)."""
    proxy = getattr(settings, "SECURE_PROXY_SSL_HEADER", None)
    if proxy and header(proxy[0]) == proxy[1]:
        scheme = "https"
    return f"{scheme}://{host}{path}{'?' + query if query else ''}"
