"""Deliveries' POSTs on the standard library's `http.client`, over kept-alive connections that a process's threads
share. A delivery needs only the status of its answer; urllib3's pools, retries and response objects cost about
twice the CPU per POST of http.client's own work, and a fan-out makes a thousand of them (docs/benchmarks.md,
session 31).

Pure: the caller hands in how a socket opens (`open_socket`, where the address guard decides) and maps the errors
(OSError, http.client.HTTPException, and whatever `open_socket` raises) to its own."""

import functools
import http.client
import os
import select
import socket
import ssl
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from urllib.parse import quote, urlsplit

import certifi

# (scheme, host, port): the connections kept for one server
ServerKey = tuple[str, str, int]
SocketOpener = Callable[[str, int, float | None], socket.socket]

# An answer this long or shorter is read and its connection kept; a longer or unbounded one is not worth reading.
ANSWER_READ_MAX = 65536
# Characters left as they are in a request target: RFC 3986's reserved and unreserved ones, and "%" (an inbox URL
# is sent as it was written and signed; only what cannot go on the request line, a space or a non-ASCII
# character, is escaped).
TARGET_SAFE = "!#$%&'()*+,/:;=?@[]~"


class Watchdog:
    """The sockets of the requests under way and when each must be done. One thread per process shuts down a
    socket whose request outlived its deadline: a server that drips its answer (or its TLS handshake) a byte at a
    time, each within the timeout of one read, would otherwise hold a thread for as long as it likes.

    It holds a duplicate of each socket's descriptor, closed when the request is forgotten: the socket it shuts
    down is the one it was given, even after TLS took the original over, and never another that got the same
    number after a close. With no request under way it sleeps until one starts: a process that made a request
    once is not woken four times a second for good."""

    EVERY = 0.25  # seconds between two looks

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        """Anew in a forked child: the thread did not come along, and the lock may have been held."""
        self._lock = threading.Condition()
        self._watched: dict[int, tuple[float, socket.socket]] = {}
        self._pid = 0
        self.looks = 0  # how often the thread looked (what an idle process costs it)

    def watch(self, key: int, sock: socket.socket, deadline: float) -> None:
        copy = socket.fromfd(sock.fileno(), sock.family, sock.type)
        with self._lock:
            if self._pid != os.getpid():
                self._pid = os.getpid()
                threading.Thread(target=self._run, name="request-deadlines", daemon=True).start()
            old = self._watched.pop(key, None)
            self._watched[key] = (deadline, copy)
            self._lock.notify()
        if old is not None:
            old[1].close()

    def forget(self, key: int) -> None:
        with self._lock:
            old = self._watched.pop(key, None)
        if old is not None:
            old[1].close()

    def _run(self) -> None:
        while True:
            with self._lock:
                self._lock.wait_for(lambda: self._watched)
            time.sleep(self.EVERY)
            now = time.monotonic()
            with self._lock:
                self.looks += 1
                for deadline, copy in self._watched.values():
                    if deadline <= now:
                        try:  # the reading thread then finds the connection gone
                            copy.shutdown(socket.SHUT_RDWR)
                        except OSError:
                            pass


watchdog = Watchdog()
os.register_at_fork(after_in_child=watchdog.reset)


class _PlainConnection(http.client.HTTPConnection):
    def __init__(self, host: str, port: int, timeout: float, open_socket: SocketOpener):
        super().__init__(host, port, timeout=timeout)
        self.open_socket = open_socket
        self.deadline = 0.0  # set by the poster before each POST

    def connect(self) -> None:
        self.sock = self.open_socket(self.host, self.port, self.timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        watchdog.watch(id(self), self.sock, self.deadline)


class _TlsConnection(http.client.HTTPSConnection):
    def __init__(self, host: str, port: int, timeout: float, open_socket: SocketOpener, context: ssl.SSLContext):
        super().__init__(host, port, timeout=timeout, context=context)
        self.open_socket, self.tls_context = open_socket, context
        self.deadline = 0.0  # set by the poster before each POST

    def connect(self) -> None:
        sock = self.open_socket(self.host, self.port, self.timeout)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        watchdog.watch(id(self), sock, self.deadline)  # the handshake too: the watchdog holds its own descriptor
        try:  # the certificate is checked for the host's name (SNI too), whatever address the guard chose
            self.sock = self.tls_context.wrap_socket(sock, server_hostname=self.host)
        except BaseException:
            sock.close()
            raise


def tls_context_new() -> ssl.SSLContext:
    """Certificates checked against the system's authorities (SSL_CERT_FILE and SSL_CERT_DIR name others), or
    certifi's where the system has none, TLS 1.2 at least, HTTP/1.1 offered by ALPN."""
    context = ssl.create_default_context()
    paths = ssl.get_default_verify_paths()
    if not any(path and os.path.exists(path) for path in (paths.cafile, paths.capath)):
        context.load_verify_locations(certifi.where())  # a bare container, or macOS' Python without its certificates
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.set_alpn_protocols(["http/1.1"])
    return context


# One per process, made at the first TLS connection: reading the authorities takes 25 ms, and a fetcher is also
# made for a single lookup (a geocoding request) that posts nothing.
tls_context_default = functools.cache(tls_context_new)


class KeptConnections:
    """Idle connections by server, at most `per_server` each, for at most `servers` servers (the one used longest
    ago is let go first). A thread takes a connection out while it uses it, so no two threads share one."""

    def __init__(self, servers: int, per_server: int = 4):
        self.servers, self.per_server = servers, per_server
        self._idle: OrderedDict[ServerKey, list[_PlainConnection | _TlsConnection]] = OrderedDict()
        self._lock = threading.Lock()

    def take(self, key: ServerKey) -> "_PlainConnection | _TlsConnection | None":
        while True:
            with self._lock:
                idle = self._idle.get(key)
                if not idle:
                    return None
                connection = idle.pop()
            if not _closed_by_server(connection):
                return connection
            connection.close()

    def give_back(self, key: ServerKey, connection: "_PlainConnection | _TlsConnection") -> None:
        let_go: list[_PlainConnection | _TlsConnection] = []
        with self._lock:
            idle = self._idle.setdefault(key, [])
            self._idle.move_to_end(key)
            if len(idle) < self.per_server:
                idle.append(connection)
            else:
                let_go.append(connection)
            while len(self._idle) > self.servers:
                let_go += self._idle.popitem(last=False)[1]
        for old in let_go:
            old.close()


def _closed_by_server(connection: http.client.HTTPConnection) -> bool:
    """An idle connection with something to read has been closed by the server (or sent what nobody asked for):
    either way it is not used again."""
    if connection.sock is None:
        return True
    poller = select.poll()
    poller.register(connection.sock, select.POLLIN)
    return bool(poller.poll(0))


class Poster:
    """POSTs over kept-alive connections; `post` returns the answer's status and never follows a redirect."""

    def __init__(
        self, *, open_socket: SocketOpener, timeout: float, servers_kept: int,
        tls_context: ssl.SSLContext | None = None, total_timeout: float | None = None,
    ):
        """timeout: for each step (connecting, one read, one write); total_timeout: for the whole POST, twice the
        timeout unless given."""
        self.open_socket, self.timeout = open_socket, timeout
        self.total_timeout = total_timeout or 2 * timeout
        self.tls_context = tls_context
        self.kept = KeptConnections(servers_kept)

    def post(self, url: str, body: bytes, headers: dict[str, str]) -> int:
        key, target = _server_and_target(url)
        connection = self.kept.take(key)
        if connection is not None:
            try:
                return self._exchange(key, connection, target, body, headers)
            except (ConnectionError, ssl.SSLEOFError):
                pass  # the server closed the kept connection as we sent: once more, on a new one
        return self._exchange(key, self._connection(key), target, body, headers)

    def tls_context_used(self) -> ssl.SSLContext:
        """The context given, else the process's (made at the first TLS connection); the fetcher's GETs use it too."""
        return self.tls_context or tls_context_default()

    def _connection(self, key: ServerKey) -> _PlainConnection | _TlsConnection:
        scheme, host, port = key
        if scheme == "https":
            return _TlsConnection(host, port, self.timeout, self.open_socket, self.tls_context_used())
        return _PlainConnection(host, port, self.timeout, self.open_socket)

    def _exchange(
        self, key: ServerKey, connection: _PlainConnection | _TlsConnection, target: str, body: bytes,
        headers: dict[str, str],
    ) -> int:
        """Send, read the status; read a short answer and keep the connection, or close it. A POST that takes
        longer than total_timeout in all is cut off (the watchdog) and said to be late."""
        connection.deadline = time.monotonic() + self.total_timeout
        try:
            if connection.sock is None:
                connection.connect()
            else:
                watchdog.watch(id(connection), connection.sock, connection.deadline)
            connection.request("POST", target, body=body, headers=headers)
            response = connection.getresponse()
            keep = not response.chunked and response.length is not None and response.length <= ANSWER_READ_MAX
            if keep:
                response.read()
            if time.monotonic() >= connection.deadline:  # cut off: the status may have come, the rest not
                raise TimeoutError("cut off")
        except BaseException as error:
            connection.close()
            if time.monotonic() >= connection.deadline:
                raise TimeoutError(f"no answer within {self.total_timeout:g} s") from error
            raise
        finally:
            watchdog.forget(id(connection))
        if keep and connection.sock is not None:  # http.client closes it when the answer said so
            self.kept.give_back(key, connection)
        else:
            response.close()  # an answer that closes the connection holds its socket
            connection.close()
        return response.status


def _server_and_target(url: str) -> tuple[ServerKey, str]:
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"not an http(s) URL with a host: {url!r}")
    port = parts.port or (443 if scheme == "https" else 80)
    target = quote(parts.path or "/", safe=TARGET_SAFE)
    if parts.query:
        target += "?" + quote(parts.query, safe=TARGET_SAFE)
    return (scheme, parts.hostname, port), target
