"""A Web Push endpoint on loopback for the tests: it holds a subscription's private key and auth secret, as a
browser does, and decrypts what arrives with `http_ece` (independent of the node's sending code)."""

import base64
import os
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import http_ece
import orjson
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from tests.loopback_http import serve_thread


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _header_param(header: str, name: str) -> str:
    """`name=value` out of a header such as `Crypto-Key: dh=…;p256ecdsa=…`."""
    for part in header.replace(",", ";").split(";"):
        key, _, value = part.strip().partition("=")
        if key == name:
            return value
    raise KeyError(f"{name} not in {header!r}")


class PushReceiver:
    """A push service and its subscriber in one: start(), subscribe with `keys`, read `pushes` (decrypted JSON)."""

    def __init__(self, *, host: str = "127.0.0.1", status: int = 201):
        self.private_key = ec.generate_private_key(ec.SECP256R1())
        self.auth_secret = os.urandom(16)
        self.status = status
        self.pushes: list[dict] = []
        self.requests: list[tuple[dict, bytes]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 (http.server's naming)
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                headers = {k.lower(): v for k, v in self.headers.items()}
                receiver.requests.append((headers, body))
                if receiver.status < 300:
                    receiver.pushes.append(receiver.decrypt(headers, body))
                self.send_response(receiver.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer((host, 0), Handler)
        self.endpoint = f"http://{host}:{self.server.server_address[1]}/push/{b64url(os.urandom(8))}"
        self.thread = serve_thread(self.server)

    def __enter__(self) -> "PushReceiver":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()

    @property
    def keys(self) -> dict[str, str]:
        public = self.private_key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        return {"p256dh": b64url(public), "auth": b64url(self.auth_secret)}

    def decrypt(self, headers: dict, body: bytes) -> dict:
        encoding = headers.get("content-encoding")
        if encoding == "aes128gcm":  # RFC 8291: salt and sender key ride in the body's header
            plain = http_ece.decrypt(body, private_key=self.private_key, auth_secret=self.auth_secret,
                                     version="aes128gcm")
        else:  # the older draft Mastodon sends: salt and sender key in headers
            plain = http_ece.decrypt(
                body, private_key=self.private_key, auth_secret=self.auth_secret, version="aesgcm",
                salt=b64url_decode(_header_param(headers["encryption"], "salt")),
                dh=b64url_decode(_header_param(headers["crypto-key"], "dh")),
            )
        return orjson.loads(plain)

    def wait_for(self, count: int = 1, timeout: float = 60) -> list[dict]:
        deadline = time.monotonic() + timeout
        while len(self.requests) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(self.requests) >= count, f"{len(self.requests)} pushes arrived, {count} expected"
        return self.pushes
