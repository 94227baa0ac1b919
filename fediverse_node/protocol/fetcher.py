"""The one safe way to fetch remote documents: timeouts, a size cap, no private addresses, JSON only."""

import http.client
import ipaddress
import socket
import ssl
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import orjson
import requests
import urllib3
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import ConnectTimeoutError, NewConnectionError
from urllib3.util.connection import create_connection

from .errors import WordedError
from .posting import Poster, watchdog
from .vocab.values import document_holds_nul

JSON_TYPES = ("application/activity+json", "application/ld+json", "application/json", "application/jrd+json")
HTML_TYPES = ("text/html", "application/xhtml+xml")
IMAGE_TYPES = ("image/jpeg", "image/png", "image/gif", "image/webp")
# what websites serve RSS, Atom and JSON Feed as (text/html too: some serve feeds as pages; the parser decides)
FEED_TYPES = (
    "application/rss+xml", "application/atom+xml", "application/feed+json", "application/xml", "text/xml",
    "application/rdf+xml", "application/json", "text/plain", "text/html",
)
FEED_ACCEPT = (
    "application/rss+xml, application/atom+xml, application/feed+json, application/xml;q=0.9, "
    "application/json;q=0.8, text/xml;q=0.8, */*;q=0.1"
)
# what an answer of the wrong type is called, by what was asked for (one sentence each, for the translations)
NOT_OF_KIND = {
    JSON_TYPES: "%(url)s did not send JSON (content type: %(content_type)s)",
    HTML_TYPES: "%(url)s did not send a web page (content type: %(content_type)s)",
    IMAGE_TYPES: "%(url)s did not send an image (content type: %(content_type)s)",
    FEED_TYPES: "%(url)s did not send a feed (content type: %(content_type)s)",
}
NOT_WHAT_WAS_ASKED = "%(url)s did not send what was asked for (content type: %(content_type)s)"
DEFAULT_ACCEPT = 'application/activity+json, application/ld+json; profile="https://www.w3.org/ns/activitystreams"'
MAX_REDIRECTS = 3


@dataclass(frozen=True)
class FeedResponse:
    """A conditional GET's answer: `body` is None when the server said 304 Not Modified."""

    url: str  # where the document was in the end (after checked redirects)
    status: int
    body: bytes | None
    content_type: str
    etag: str
    last_modified: str


class FetchError(WordedError):
    """A fetch that was refused or failed, worded for people (WordedError); status is the HTTP status when there was
    one."""

    def __init__(self, message: str, status: int | None = None, /, **params: object):
        super().__init__(message, **params)
        self.status = status


def is_public_address(ip: str) -> bool:
    """Whether an address is on the public internet (not private, loopback, link-local, CGNAT, reserved…)."""
    try:
        address = ipaddress.ip_address(ip.split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    if isinstance(address, ipaddress.IPv4Address) and address in ipaddress.ip_network("100.64.0.0/10"):
        return False
    return address.is_global and not (
        address.is_private or address.is_loopback or address.is_link_local or address.is_multicast
        or address.is_reserved or address.is_unspecified
    )


class SafeFetcher:
    """Fetches JSON and posts activities over one kept-alive session, refusing what a hostile peer could abuse."""

    def __init__(
        self, *, allow_private: bool, user_agent: str, timeout: float = 10, max_bytes: int = 2_000_000,
        signer: Callable[[str, str, bytes | None], dict[str, str]] | None = None,
        resolve: Callable[[str], list[str]] | None = None, servers_kept: int = 256,
        tls_context: ssl.SSLContext | None = None,
    ):
        self.allow_private = allow_private
        self.timeout = timeout
        self.max_bytes = max_bytes
        self.signer = signer
        self.resolve = resolve or _resolve
        self.user_agent = user_agent
        self.session = requests.Session()
        self.session.headers["User-Agent"] = user_agent
        # POSTs: kept-alive connections to up to servers_kept servers, four each (more at once are closed after use)
        self.poster = Poster(
            open_socket=self._open_unchecked if allow_private else self._open_checked, timeout=timeout,
            servers_kept=servers_kept, tls_context=tls_context,
        )
        adapter = requests.adapters.HTTPAdapter(pool_connections=64, pool_maxsize=16)
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)
        # Against DNS rebinding: a new connection resolves once, checks, and connects to what it checked. And
        # every connection is watched while a GET uses it (`_get`'s deadline).
        adapter.poolmanager.pool_classes_by_scheme = _watched_pool_classes(
            None if allow_private else self.checked_addresses, self.poster.tls_context_used
        )

    def _open_checked(self, host: str, port: int, timeout: float | None) -> socket.socket:
        return socket_to_checked(host, port, timeout, self.checked_addresses)

    @staticmethod
    def _open_unchecked(host: str, port: int, timeout: float | None) -> socket.socket:
        return _open_socket((host, port), timeout)

    def checked_addresses(self, host: str) -> list[str]:
        """The addresses of a host, all of them public, or FetchError (the one decision both the URL check and the
        connection take)."""
        try:
            addresses = self.resolve(host)
        except OSError as error:
            raise FetchError("cannot resolve %(host)s: %(error)s", host=host, error=error) from None
        if not addresses or not all(is_public_address(a) for a in addresses):
            raise FetchError("%(host)s resolves to a private or reserved address", host=host)
        return addresses

    def check_url(self, url: str) -> None:
        """Refuse a URL we must not contact; decided without connecting. The connection decides once more on the
        addresses it connects to (a name may answer differently a moment later: DNS rebinding)."""
        self.check_form(url)
        if self.allow_private:
            return
        try:
            self.checked_addresses(urlsplit(url).hostname or "")
        except FetchError as error:
            raise FetchError("refusing %(url)s: %(error)s", url=repr(url), error=error) from None

    def check_form(self, url: str) -> None:
        """Refuse a URL by its form alone (scheme and host), without asking DNS."""
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise FetchError("refusing %(url)s: only http(s) URLs with a host", url=repr(url))
        if parts.scheme == "http" and not self.allow_private:
            raise FetchError("refusing %(url)s: plain http is not allowed", url=repr(url))

    def get_json(self, url: str, *, accept: str = DEFAULT_ACCEPT) -> dict:
        """GET a JSON document (signed when a signer is set), following at most three checked redirects."""
        body, status = self._get(url, accept=accept, types=JSON_TYPES, signed=True)
        document = _parse_json(body, url, status)
        if not isinstance(document, dict):
            raise FetchError("%(url)s did not send a JSON object", status, url=url)
        return document

    def get_json_list(self, url: str, *, accept: str = "application/json") -> list:
        """GET a JSON array (unsigned), under the same guards: a search API's answer, such as a geocoder's."""
        body, status = self._get(url, accept=accept, types=JSON_TYPES, signed=False)
        document = _parse_json(body, url, status)
        if not isinstance(document, list):
            raise FetchError("%(url)s did not send a JSON array", status, url=url)
        return document

    def get_html(self, url: str) -> str:
        """GET a web page (unsigned), under the same guards: for rel="me" checks of a member's links."""
        body, _ = self._get(url, accept="text/html", types=HTML_TYPES, signed=False)
        return body.decode("utf-8", errors="replace")

    def get_image(self, url: str) -> bytes:
        """GET an image (unsigned), under the same guards: a remote avatar or attachment for the media proxy.

        Only the content type is checked here; the caller decodes and re-encodes the bytes before using them."""
        body, _ = self._get(url, accept=", ".join(IMAGE_TYPES), types=IMAGE_TYPES, signed=False)
        return body

    def get_feed(self, url: str, *, etag: str = "", last_modified: str = "") -> FeedResponse:
        """A conditional GET (unsigned) of a website's feed, under the same guards: `If-None-Match` and
        `If-Modified-Since` from the last answer; a 304 comes back with no body, every other 3xx is followed (checked),
        a 4xx/5xx raises FetchError with its status (410: the feed is gone)."""
        conditions = {}
        if etag:
            conditions["If-None-Match"] = etag[:500]
        if last_modified:
            conditions["If-Modified-Since"] = last_modified[:100]
        found: list[FeedResponse] = []

        def keep(response: requests.Response, final_url: str) -> None:
            found.append(FeedResponse(
                url=final_url, status=response.status_code, body=None,
                content_type=response.headers.get("Content-Type", "").split(";")[0].strip().lower()[:100],
                etag=response.headers.get("ETag", "")[:500], last_modified=response.headers.get("Last-Modified", "")[:100],
            ))

        body, status = self._get(
            url, accept=FEED_ACCEPT, types=FEED_TYPES, signed=False, headers=conditions, on_answer=keep
        )
        answer = found[-1]
        if status == 304:
            return answer
        return FeedResponse(
            url=answer.url, status=status, body=body, content_type=answer.content_type, etag=answer.etag,
            last_modified=answer.last_modified,
        )

    def _get(
        self, url: str, *, accept: str, types: tuple[str, ...], signed: bool, headers: dict[str, str] | None = None,
        on_answer: Callable[[requests.Response, str], None] | None = None,
    ) -> tuple[bytes, int]:
        """The GET and its redirects, done within twice the timeout in all: a server that drips its answer a byte
        at a time, each within the timeout of one read, is cut off by the watchdog (`posting.Watchdog`)."""
        outer = getattr(_get_local, "watched", None)
        _get_local.watched = _Watched(time.monotonic() + 2 * self.timeout)
        try:
            return self._get_within(url, accept=accept, types=types, signed=signed, headers=headers,
                                    on_answer=on_answer)
        finally:
            _get_local.watched.forget()
            _get_local.watched = outer

    def _get_within(
        self, url: str, *, accept: str, types: tuple[str, ...], signed: bool, headers: dict[str, str] | None,
        on_answer: Callable[[requests.Response, str], None] | None,
    ) -> tuple[bytes, int]:
        extra = headers or {}
        for _ in range(MAX_REDIRECTS + 1):
            self.check_url(url)
            request_headers = {"Accept": accept, **extra}
            if signed and self.signer is not None:
                request_headers.update(self.signer("GET", url, None))
            try:
                response = self.session.get(
                    url, headers=request_headers, timeout=self.timeout, allow_redirects=False, stream=True
                )
            except requests.RequestException as error:
                raise FetchError("cannot fetch %(url)s: %(error)s", url=url, error=_failure(error)) from None
            with response:
                if _get_local.watched.late():  # cut off in the headers: what came may be a part
                    raise FetchError("cannot fetch %(url)s: %(error)s", url=url, error=FetchError(LATE))
                if response.is_redirect and response.headers.get("Location"):
                    url = urljoin(url, response.headers["Location"])
                    continue
                if on_answer is not None:
                    on_answer(response, url)
                    if response.status_code == 304:
                        return b"", 304
                if response.status_code >= 400:
                    raise FetchError("%(url)s answered HTTP %(status)s", response.status_code, url=url,
                                     status=response.status_code)
                content_type = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
                if content_type not in types:
                    raise FetchError(NOT_OF_KIND.get(types, NOT_WHAT_WAS_ASKED), response.status_code, url=url,
                                     content_type=content_type or "-")
                body = self._read_capped(response, url)
                if _get_local.watched.late():  # cut off: what came may be a part
                    raise FetchError("cannot read %(url)s: %(error)s", url=url, error=FetchError(LATE))
                return body, response.status_code
        raise FetchError("too many redirects from %(url)s", url=url)

    def _read_capped(self, response: requests.Response, url: str) -> bytes:
        declared = response.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > self.max_bytes:
            raise FetchError("%(url)s is larger than %(limit)d bytes", url=url, limit=self.max_bytes)
        chunks, size = [], 0
        try:
            for chunk in response.iter_content(65536):
                size += len(chunk)
                if size > self.max_bytes:
                    raise FetchError("%(url)s is larger than %(limit)d bytes", url=url, limit=self.max_bytes)
                chunks.append(chunk)
        except requests.RequestException as error:
            raise FetchError("cannot read %(url)s: %(error)s", url=url, error=_failure(error)) from None
        return b"".join(chunks)

    def post(self, url: str, body: bytes, headers: dict[str, str]) -> int:
        """POST (a delivery) to a checked URL, without following redirects; returns the HTTP status.

        On http.client over kept-alive connections (`posting.Poster`): a delivery only needs the status, and
        urllib3's layers cost more per POST than signing it.

        The host's addresses are checked when a connection to it opens, not before each POST: deliveries over
        kept-alive connections ask DNS nothing, and a new connection asks once."""
        self.check_form(url)
        try:
            return self.poster.post(url, body, {"User-Agent": self.user_agent, **headers})
        except FetchError as error:  # the guard refused the address
            raise FetchError("cannot deliver to %(url)s: %(error)s", url=url, error=error) from None
        except (OSError, http.client.HTTPException, ValueError) as error:
            raise FetchError("cannot deliver to %(url)s: %(error)s", url=url, error=network_failure(error)) from None


def _open_socket(address: tuple[str, int], timeout, **options):
    """The one place a guarded connection opens a socket (tests replace it to see where it would go)."""
    return create_connection(address, timeout, **options)


def socket_to_checked(host: str, port: int, timeout, addresses_for: Callable[[str], list[str]], **options):
    """A socket to one of the host's addresses that passed the guard: the name is resolved and checked here, and the
    socket goes to one of those very addresses (TLS still checks the certificate for the name). FetchError when the
    guard refuses, before any socket exists; the last OSError when no address answers."""
    try:
        addresses = addresses_for(host)
    except FetchError as error:
        raise FetchError("refusing to connect: %(error)s", error=error) from None
    last_error: OSError = OSError(f"no address for {host}")
    for address in addresses:
        try:
            return _open_socket((address, port), timeout, **options)
        except TimeoutError:
            raise
        except OSError as error:
            last_error = error
    raise last_error


def _connect_checked(connection: HTTPConnection, addresses_for: Callable[[str], list[str]]):
    """urllib3's `_new_conn` (the GETs), connecting through `socket_to_checked`; a refusal of the guard is passed on
    as it is (urllib3 and requests let it through), the network's failures as urllib3's own."""
    try:
        return socket_to_checked(
            connection._dns_host, connection.port, connection.timeout, addresses_for,
            source_address=connection.source_address, socket_options=connection.socket_options,
        )
    except TimeoutError as error:
        raise ConnectTimeoutError(connection, f"Connection to {connection.host} timed out.") from error
    except FetchError:
        raise
    except OSError as error:
        raise NewConnectionError(connection, f"Failed to establish a new connection: {error}") from error


LATE = "it did not answer in time"


class _Watched:
    """The deadline of this thread's GET and the sockets it had the watchdog watch, by connection. A connection
    opens a new socket when the server closed the last one (an answer before a redirect, say): that one is watched
    anew. Holding each socket until the GET ends keeps another from taking its identity meanwhile."""

    def __init__(self, deadline: float):
        self.deadline = deadline
        self.sockets: dict[int, socket.socket] = {}

    def watch(self, key: int, sock: socket.socket) -> None:
        if self.sockets.get(key) is not sock:
            watchdog.watch(key, sock, self.deadline)
            self.sockets[key] = sock

    def forget(self) -> None:
        for key in self.sockets:
            watchdog.forget(key)
        self.sockets.clear()

    def late(self) -> bool:
        return time.monotonic() >= self.deadline


_get_local = threading.local()


def _failure(error: BaseException) -> BaseException | str:
    """network_failure, except when the GET's deadline cut it off."""
    watched = getattr(_get_local, "watched", None)
    return FetchError(LATE) if watched is not None and watched.late() else network_failure(error)


def _watched_pool_classes(
    addresses_for: Callable[[str], list[str]] | None, tls_context: Callable[[], ssl.SSLContext]
) -> dict[str, type]:
    """urllib3 pool classes (by scheme) whose connections connect through `_connect_checked` (unless addresses_for
    is None: private addresses allowed) and are watched while a GET of this module uses them. TLS checks
    certificates with the deliveries' context (the system's authorities), not with the bundle requests hands
    urllib3 (certifi's): a server is trusted for a GET exactly when it is for a delivery."""

    def watch(connection, sock) -> None:
        watched = getattr(_get_local, "watched", None)
        if watched is not None and sock is not None:
            watched.watch(id(connection), sock)

    class Watched:
        def _new_conn(self):
            sock = _connect_checked(self, addresses_for) if addresses_for else super()._new_conn()  # type: ignore[arg-type,misc]
            watch(self, sock)
            return sock

        def request(self, *args, **kwargs):
            watch(self, self.sock)  # type: ignore[attr-defined]  # a kept connection, used again
            return super().request(*args, **kwargs)  # type: ignore[misc]

    class WatchedHTTPConnection(Watched, HTTPConnection):
        pass

    class WatchedHTTPSConnection(Watched, HTTPSConnection):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.ca_certs = self.ca_cert_dir = None  # nothing added to the shared context
            self.ssl_context = tls_context()

    class WatchedHTTPConnectionPool(HTTPConnectionPool):
        ConnectionCls = WatchedHTTPConnection

    class WatchedHTTPSConnectionPool(HTTPSConnectionPool):
        ConnectionCls = WatchedHTTPSConnection

    return {"http": WatchedHTTPConnectionPool, "https": WatchedHTTPSConnectionPool}


def _parse_json(body: bytes, url: str, status: int):
    try:
        document = orjson.loads(body)
    except orjson.JSONDecodeError:
        raise FetchError("%(url)s sent invalid JSON", status, url=url) from None
    if document_holds_nul(body, document):  # as the inbox refuses it in an activity
        raise FetchError("%(url)s sent a NUL character (\\u0000)", status, url=url)
    return document


# What went wrong on the network, in words a person reads (the HTTP libraries' own text names pools, retries and
# errno values): the first kind found among the error's causes; the library's text when none is known.
_NETWORK_FAILURES: list[tuple[tuple[type[BaseException], ...], str]] = [
    ((ssl.SSLError, requests.exceptions.SSLError, urllib3.exceptions.SSLError),
     "its TLS certificate could not be verified"),
    ((ConnectionRefusedError,), "it refused the connection"),
    ((socket.gaierror, urllib3.exceptions.NameResolutionError), "its name could not be resolved"),
    ((ConnectionResetError, BrokenPipeError, ConnectionAbortedError, urllib3.exceptions.ProtocolError),
     "it broke off the connection"),
    ((http.client.HTTPException,), "its answer was not HTTP"),
    # last: urllib3's errors of a new connection (a refusal, a name not found) are ConnectTimeoutErrors too
    ((TimeoutError, requests.exceptions.Timeout, urllib3.exceptions.TimeoutError), LATE),
]


def network_failure(error: BaseException) -> BaseException | str:
    """Why a request failed on the network, as a FetchError of one short sentence (translatable like any other),
    or the library's own text when the kind is none of the known ones. A refusal of our own guard is passed on."""
    causes = list(_causes(error))
    for cause in causes:
        if isinstance(cause, FetchError):
            return cause
    for kinds, sentence in _NETWORK_FAILURES:
        if any(isinstance(cause, kinds) for cause in causes):
            return FetchError(sentence)
    return str(error)


def _causes(error: BaseException) -> Iterator[BaseException]:
    """The error and every error it was raised from or wraps (urllib3 keeps one as `reason`, requests in `args`)."""
    seen: set[int] = set()
    waiting = [error]
    while waiting:
        current = waiting.pop(0)
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        linked = (current.__cause__, current.__context__, getattr(current, "reason", None), *current.args)
        waiting += [item for item in linked if isinstance(item, BaseException)]


def _resolve(host: str) -> list[str]:
    return [str(info[4][0]) for info in socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)]
