"""The one safe way to fetch remote documents: timeouts, a size cap, no private addresses, JSON only."""

import ipaddress
import socket
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import orjson
import requests
import urllib3
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import ConnectTimeoutError, NewConnectionError
from urllib3.util.connection import create_connection

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
KINDS = {JSON_TYPES: "JSON", HTML_TYPES: "a web page", IMAGE_TYPES: "an image", FEED_TYPES: "a feed"}
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


class FetchError(Exception):
    """A fetch that was refused or failed; status is the HTTP status when there was one."""

    def __init__(self, message: str, status: int | None = None):
        super().__init__(message)
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
        self.pool = urllib3.PoolManager(num_pools=servers_kept, maxsize=4, block=False)
        adapter = requests.adapters.HTTPAdapter(pool_connections=64, pool_maxsize=16)
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)
        if not allow_private:
            # Against DNS rebinding: a new connection resolves once, checks, and connects to what it checked.
            pools = _guarded_pool_classes(self.checked_addresses)
            self.pool.pool_classes_by_scheme = pools
            adapter.poolmanager.pool_classes_by_scheme = pools

    def checked_addresses(self, host: str) -> list[str]:
        """The addresses of a host, all of them public, or FetchError (the one decision both the URL check and the
        connection take)."""
        try:
            addresses = self.resolve(host)
        except OSError as error:
            raise FetchError(f"cannot resolve {host}: {error}") from None
        if not addresses or not all(is_public_address(a) for a in addresses):
            raise FetchError(f"{host} resolves to a private or reserved address")
        return addresses

    def check_url(self, url: str) -> None:
        """Refuse a URL we must not contact; decided without connecting. The connection decides once more on the
        addresses it connects to (a name may answer differently a moment later: DNS rebinding)."""
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise FetchError(f"refusing {url!r}: only http(s) URLs with a host")
        if parts.scheme == "http" and not self.allow_private:
            raise FetchError(f"refusing {url!r}: plain http is not allowed")
        if self.allow_private:
            return
        try:
            self.checked_addresses(parts.hostname)
        except FetchError as error:
            raise FetchError(f"refusing {url!r}: {error}") from None

    def get_json(self, url: str, *, accept: str = DEFAULT_ACCEPT) -> dict:
        """GET a JSON document (signed when a signer is set), following at most three checked redirects."""
        body, status = self._get(url, accept=accept, types=JSON_TYPES, signed=True)
        document = _parse_json(body, url, status)
        if not isinstance(document, dict):
            raise FetchError(f"{url} did not send a JSON object", status)
        return document

    def get_json_list(self, url: str, *, accept: str = "application/json") -> list:
        """GET a JSON array (unsigned), under the same guards: a search API's answer, such as a geocoder's."""
        body, status = self._get(url, accept=accept, types=JSON_TYPES, signed=False)
        document = _parse_json(body, url, status)
        if not isinstance(document, list):
            raise FetchError(f"{url} did not send a JSON array", status)
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
                raise FetchError(f"cannot fetch {url}: {error}") from None
            with response:
                if response.is_redirect and response.headers.get("Location"):
                    url = urljoin(url, response.headers["Location"])
                    continue
                if on_answer is not None:
                    on_answer(response, url)
                    if response.status_code == 304:
                        return b"", 304
                if response.status_code >= 400:
                    raise FetchError(f"{url} answered HTTP {response.status_code}", response.status_code)
                content_type = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
                if content_type not in types:
                    kind = KINDS.get(types, "what was asked for")
                    raise FetchError(f"{url} is not {kind} ({content_type or 'no content type'})", response.status_code)
                return self._read_capped(response, url), response.status_code
        raise FetchError(f"too many redirects from {url}")

    def _read_capped(self, response: requests.Response, url: str) -> bytes:
        declared = response.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > self.max_bytes:
            raise FetchError(f"{url} is larger than {self.max_bytes} bytes")
        chunks, size = [], 0
        try:
            for chunk in response.iter_content(65536):
                size += len(chunk)
                if size > self.max_bytes:
                    raise FetchError(f"{url} is larger than {self.max_bytes} bytes")
                chunks.append(chunk)
        except requests.RequestException as error:
            raise FetchError(f"cannot read {url}: {error}") from None
        return b"".join(chunks)

    def post(self, url: str, body: bytes, headers: dict[str, str]) -> int:
        """POST (a delivery) to a checked URL, without following redirects; returns the HTTP status.

        Straight on urllib3 (what requests wraps): a delivery only needs the status, and requests' own layers
        cost more per POST than signing it."""
        self.check_url(url)
        try:
            response = self.pool.request(
                "POST", url, body=body, headers={"User-Agent": self.user_agent, **headers},
                redirect=False, retries=False, timeout=self.timeout, preload_content=False,
            )
        except urllib3.exceptions.HTTPError as error:
            raise FetchError(f"cannot deliver to {url}: {error}") from None
        declared = response.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) <= 65536:
            response.drain_conn()  # a short answer is read and the connection kept alive
            response.release_conn()
        else:
            response.close()  # a long or unbounded answer is not worth reading: drop the connection
        return response.status


def _open_socket(address: tuple[str, int], timeout, **options):
    """The one place a guarded connection opens a socket (tests replace it to see where it would go)."""
    return create_connection(address, timeout, **options)


def _connect_checked(connection: HTTPConnection, addresses_for: Callable[[str], list[str]]):
    """urllib3's `_new_conn`, but to an address that passed the guard: the name is resolved and checked here, and
    the socket goes to one of those very addresses. TLS still uses the host name (SNI, certificate check), because
    urllib3 wraps this socket for `connection.host`."""
    try:
        addresses = addresses_for(connection._dns_host)
    except FetchError as error:  # raised before any socket exists; urllib3 and requests pass it on as it is
        raise FetchError(f"refusing to connect: {error}") from None
    last_error: OSError | None = None
    for address in addresses:
        try:
            return _open_socket(
                (address, connection.port), connection.timeout,
                source_address=connection.source_address, socket_options=connection.socket_options,
            )
        except TimeoutError as error:
            raise ConnectTimeoutError(connection, f"Connection to {connection.host} timed out.") from error
        except OSError as error:
            last_error = error
    raise NewConnectionError(connection, f"Failed to establish a new connection: {last_error}")


def _guarded_pool_classes(addresses_for: Callable[[str], list[str]]) -> dict[str, type]:
    """urllib3 pool classes (by scheme) whose connections connect through `_connect_checked`."""

    class GuardedHTTPConnection(HTTPConnection):
        def _new_conn(self):
            return _connect_checked(self, addresses_for)

    class GuardedHTTPSConnection(HTTPSConnection):
        def _new_conn(self):
            return _connect_checked(self, addresses_for)

    class GuardedHTTPConnectionPool(HTTPConnectionPool):
        ConnectionCls = GuardedHTTPConnection

    class GuardedHTTPSConnectionPool(HTTPSConnectionPool):
        ConnectionCls = GuardedHTTPSConnection

    return {"http": GuardedHTTPConnectionPool, "https": GuardedHTTPSConnectionPool}


def _parse_json(body: bytes, url: str, status: int):
    try:
        document = orjson.loads(body)
    except orjson.JSONDecodeError:
        raise FetchError(f"{url} sent invalid JSON", status) from None
    if document_holds_nul(body, document):  # as the inbox refuses it in an activity
        raise FetchError(f"{url} sent a NUL character (\\u0000)", status)
    return document


def _resolve(host: str) -> list[str]:
    return [str(info[4][0]) for info in socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)]
