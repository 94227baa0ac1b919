"""RSGI entry point for granian (`fediverse-node run`): the inbox on the event loop, everything else Django.

An inbox POST answers 202 only once its activity is committed, in a batch with the others that arrived meanwhile
(inbox/services.py). Under WSGI each such request held a thread while its batch committed, and the thread handoffs
cost more CPU than the checks themselves. Here the checks run on the loop (on a thread when they need the database)
and the request waits for the commit as a future. Discovery documents and public posts (as ActivityStreams) this
process holds are answered on the loop too; every other request, and every miss, runs the WSGI application
(fediverse_node/wsgi.py, with its lean paths) on a pool of FEDINODE_WEB_THREADS threads (fediverse_node/wsgi_bridge.py).
"""

import contextlib
import logging

from django.conf import settings

from fediverse_node.environment import env_int

# isort: off
from .wsgi import document_headers, nul_in_address, nul_refusal, application as wsgi_application  # first: it sets Django up for the rooms' modules below
from .security_headers import transport_headers_rsgi
from .wsgi_bridge import WSGIOnRSGI
from actors.fastpath import discovery_cached
from inbox.fastpath import INBOX_PATH, addressed_url, answer_encode, receive_on_loop, refusal_before_body
from posts.fastpath import post_cached
# isort: on

log = logging.getLogger(__name__)
THREADS = env_int("FEDINODE_WEB_THREADS", 16, minimum=1)


class _Headers:
    """A request's headers for the signature checks: looked up by any case, repeated ones joined (RFC 9110 5.3)."""

    __slots__ = ("values",)

    def __init__(self, rsgi_headers) -> None:
        values: dict[str, str] = {}
        for name, value in rsgi_headers.items():
            values[name] = f"{values[name]}, {value}" if name in values else value
        self.values = values

    def get(self, name: str, default=None):
        return self.values.get(name.lower(), default)

    def __getitem__(self, name: str) -> str:
        return self.values[name.lower()]

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and name.lower() in self.values

    def items(self):
        return self.values.items()


def _client_address(scope) -> str:
    return scope.client.rpartition(":")[0].strip("[]")


def _inbox_url(scope, headers: _Headers) -> str:
    return addressed_url(
        scheme=scope.scheme, header=lambda name: headers.get(name.removeprefix("HTTP_").replace("_", "-")),
        host=headers.get("host") or scope.server, path=scope.path, query=scope.query_string,
    )


class Front:
    def __init__(self) -> None:
        # A guard against endless bodies, far above the largest upload: a body a little too large still reaches
        # its view, which says so in the page's language (a form) or in the API's JSON.
        max_body = 4 * max(settings.FEDINODE_MEDIA_MAX_BYTES, settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
        self.bridge = WSGIOnRSGI(wsgi_application, threads=THREADS, max_body=max_body)

    async def __rsgi__(self, scope, proto) -> None:
        if scope.proto != "http":
            return  # websockets are the streaming server's (its own process)
        try:
            await self._dispatch(scope, proto)
        except Exception:
            log.exception("%s %s failed", scope.method, scope.path)
            with contextlib.suppress(Exception):  # unless the answer had started
                proto.response_bytes(500, [("content-type", "text/plain; charset=utf-8")],
                                     b"The request could not be handled; the error was logged.\n")

    async def _dispatch(self, scope, proto) -> None:
        if nul_in_address(scope.path, scope.query_string):
            headers = scope.headers  # see wsgi.py
            kind, body = nul_refusal(scope.path, headers.get("accept") or "", headers.get("accept-language") or "",
                                     headers.get("cookie") or "")
            answer_headers = [("content-type", kind), ("x-content-type-options", "nosniff"), *document_headers(),
                              *transport_headers_rsgi(headers, scope.scheme)]
            proto.response_bytes(400, answer_headers, body)
            return
        method = scope.method
        if method == "POST" and (match := INBOX_PATH.match(scope.path)):
            await self._inbox(scope, proto, match.group("username"))
            return
        if method in ("GET", "HEAD"):
            headers = scope.headers
            request = (method, scope.path, scope.query_string, headers.get("accept") or "",
                       headers.get("if-none-match") or "")
            answer = discovery_cached(*request) or post_cached(*request)
            if answer is not None:
                status, answer_headers, body = answer
                proto.response_bytes(status, [*answer_headers, *transport_headers_rsgi(headers, scope.scheme)], body)
                return
        await self.bridge(scope, proto)

    async def _inbox(self, scope, proto, username: str | None) -> None:
        headers = _Headers(scope.headers)
        length = headers.get("content-length")
        refused = refusal_before_body(
            length if length is not None else "0", _client_address(scope), headers.get("x-forwarded-for") or ""
        )
        if refused is not None:
            status, data = refused
        else:
            body = await proto() if length and length != "0" else b""
            try:
                status, data = await receive_on_loop(
                    username=username, url=_inbox_url(scope, headers), headers=headers, body=body
                )
            except Exception:
                log.exception("inbox POST failed")
                status, data = 500, {"error": "The activity could not be handled; the error was logged."}
        body_out, headers_out = answer_encode(status, data)
        proto.response_bytes(status, headers_out, body_out)


application = Front()
