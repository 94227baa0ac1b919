"""A WSGI application served from an RSGI server (granian's native interface): the request's body is read on the
event loop, the application runs on a pool of threads, and the answer goes back through the loop.

`fediverse-node run` serves RSGI so that the inbox can wait for its batch's commit without holding a thread
(fediverse_node/rsgi.py); everything else is Django, a WSGI application. The environ is what granian's own WSGI
interface builds (PEP 3333: PATH_INFO decoded and carried as latin-1, repeated headers joined with commas).
"""

import asyncio
import io
import os
import sys
import tempfile
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import orjson

# A request body is kept in memory up to this size, on disk beyond it (uploads).
BODY_IN_MEMORY = 1024 * 1024


class FileWrapper:
    """wsgi.file_wrapper: Django hands a FileResponse's file to it, and a file on disk is then sent by granian
    itself (sendfile) instead of passing through Python in blocks."""

    def __init__(self, filelike, block_size: int = 8192) -> None:
        self.filelike, self.block_size = filelike, block_size

    def __iter__(self):
        while chunk := self.filelike.read(self.block_size):
            yield chunk

    def close(self) -> None:
        if hasattr(self.filelike, "close"):
            self.filelike.close()

    def path_whole(self) -> str | None:
        """The file's path when the response is the whole file from its start, else None (a range, a pipe)."""
        name = getattr(self.filelike, "name", None)
        try:
            if isinstance(name, str) and os.path.isfile(name) and self.filelike.tell() == 0:
                return name
        except (OSError, ValueError):
            pass
        return None


def _host_port(address: str) -> tuple[str, str]:
    host, _, port = address.rpartition(":")
    return host.strip("[]"), port


def environ_build(scope, body) -> dict[str, Any]:
    """The WSGI environ of an RSGI request; `body` is a file positioned at its start."""
    server_name, server_port = _host_port(scope.server)
    client, _ = _host_port(scope.client)
    environ: dict[str, Any] = {
        "REQUEST_METHOD": scope.method,
        "SCRIPT_NAME": "",
        # RSGI gives the path percent-decoded as text; WSGI carries the decoded bytes as latin-1
        "PATH_INFO": scope.path.encode("utf-8").decode("latin-1"),
        "QUERY_STRING": scope.query_string,
        "SERVER_NAME": server_name,
        "SERVER_PORT": server_port,
        "SERVER_PROTOCOL": f"HTTP/{scope.http_version}",
        "REMOTE_ADDR": client,
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": scope.scheme,
        "wsgi.input": body,
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": True,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
        "wsgi.file_wrapper": FileWrapper,
    }
    for name, value in scope.headers.items():
        key = name.upper().replace("-", "_")
        if key not in ("CONTENT_TYPE", "CONTENT_LENGTH"):
            key = f"HTTP_{key}"
        environ[key] = f"{environ[key]},{value}" if key in environ else value
    return environ


class Answer:
    """What the application answered: status, headers, and either the body's bytes or a file to send."""

    __slots__ = ("body", "headers", "path", "status")

    def __init__(self, status: int, headers: list[tuple[str, str]], body: bytes = b"", path: str | None = None):
        self.status, self.headers, self.body, self.path = status, headers, body, path


def application_call(application: Callable, environ: dict[str, Any]) -> Answer:
    """Run the WSGI application (in a pool thread) and gather its answer; the result is always closed (Django's
    request_finished, which closes the thread's database connections when due)."""
    started: list = []

    def start_response(status: str, headers: list[tuple[str, str]], exc_info=None):
        if exc_info and started:
            raise exc_info[1].with_traceback(exc_info[2])
        started[:] = [int(status[:3]), headers]
        return lambda data: None  # the legacy write(): Django never uses it

    result: Iterable[bytes] = application(environ, start_response)
    try:
        if isinstance(result, FileWrapper) and (path := result.path_whole()):
            status, headers = started
            # granian sets the length of the file it sends
            return Answer(status, [(k, v) for k, v in headers if k.lower() != "content-length"], path=path)
        body = b"".join(result)
        status, headers = started
        return Answer(status, headers, body)
    finally:
        close = getattr(result, "close", None)
        if close is not None:
            close()


class WSGIOnRSGI:
    """Serve a WSGI application to RSGI requests, `threads` at a time; a body larger than `max_body` is refused
    with 413 before it is read."""

    def __init__(self, application: Callable, *, threads: int, max_body: int) -> None:
        self.application, self.max_body = application, max_body
        self.pool = ThreadPoolExecutor(threads, thread_name_prefix="web")

    async def __call__(self, scope, proto) -> None:
        loop = asyncio.get_running_loop()
        body = await self._body(scope, proto)
        if body is None:
            proto.response_bytes(413, [("content-type", "application/json")],
                                 orjson.dumps({"error": f"The request body is larger than {self.max_body} bytes."}))
            return
        answer = await loop.run_in_executor(self.pool, application_call, self.application, environ_build(scope, body))
        if answer.path is not None:
            proto.response_file(answer.status, answer.headers, answer.path)
        else:
            proto.response_bytes(answer.status, answer.headers, answer.body)

    async def _body(self, scope, proto):
        """The request body as a file at its start, or None when it is larger than allowed."""
        length = scope.headers.get("content-length")
        if length is not None and length.isdigit():
            if int(length) > self.max_body:
                return None
            if int(length) <= BODY_IN_MEMORY:  # nearly every request: at once, in memory
                return io.BytesIO(await proto() if int(length) else b"")
        elif "transfer-encoding" not in scope.headers:
            return io.BytesIO(b"")  # no body (a GET)
        spool = tempfile.SpooledTemporaryFile(max_size=BODY_IN_MEMORY)
        size = 0
        async for chunk in proto:
            size += len(chunk)
            if size > self.max_body:
                spool.close()
                return None
            spool.write(chunk)
        spool.seek(0)
        return spool
