"""A minimal remote actor for tests: its documents are served on loopback, its POSTs are signed by PyPI `bovine`
(an independent draft-cavage implementation), so our inbox is checked against signatures we did not make."""

import asyncio
import json
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import aiohttp
from bovine.clients.signed_http_methods import signed_get, signed_post
from bovine.crypto import generate_rsa_public_private_key
from bovine.crypto.helper import content_digest_sha256
from bovine.crypto.types import CryptographicSecret

from tests.loopback_http import serve_thread
from tests.nodes import free_loopback_address


class BovinePeer:
    """An actor at http://127.0.0.x:port/actor whose objects are served from memory."""

    def __init__(self, username: str = "peer"):
        self.host, self.port = free_loopback_address()
        self.base = f"http://{self.host}:{self.port}"
        self.actor_id = f"{self.base}/actor"
        self.public_pem, self.private_pem = generate_rsa_public_private_key()
        self.documents: dict[str, dict] = {}
        self.received: list[dict] = []
        self.documents["/actor"] = {
            "@context": ["https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1"],
            "id": self.actor_id,
            "type": "Person",
            "preferredUsername": username,
            "inbox": f"{self.base}/inbox",
            "outbox": f"{self.base}/outbox",
            "followers": f"{self.base}/followers",
            "publicKey": {"id": f"{self.actor_id}#main-key", "owner": self.actor_id, "publicKeyPem": self.public_pem},
        }
        self.server = ThreadingHTTPServer((self.host, self.port), self._handler())
        self.thread = serve_thread(self.server)

    @property
    def profile(self) -> dict:
        return self.documents["/actor"]

    def _handler(self):
        peer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                document = peer.documents.get(self.path.split("?", 1)[0])
                body = json.dumps(document or {"error": "not found"}).encode()
                self.send_response(200 if document else 404)
                self.send_header("Content-Type", "application/activity+json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_POST(self):
                length = int(self.headers.get("Content-Length", "0"))
                peer.received.append(json.loads(self.rfile.read(length) or b"{}"))
                self.send_response(202)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        return Handler

    def __enter__(self) -> "BovinePeer":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()

    def serve(self, document: dict) -> None:
        """Make a document dereferenceable at its id (which must be under this peer)."""
        self.documents[document["id"].removeprefix(self.base)] = document

    def post(self, url: str, activity: dict, *, key_id: str | None = None, private_pem: str | None = None):
        """POST an activity signed by bovine (draft-cavage, rsa-sha256, Digest); returns (status, text)."""
        secret = CryptographicSecret.from_pem(key_id or f"{self.actor_id}#main-key", private_pem or self.private_pem)

        async def send():
            async with aiohttp.ClientSession() as session:
                response = await signed_post(
                    session, secret, url, json.dumps(activity),
                    digest_method=lambda body: ("digest", content_digest_sha256(body, "SHA-256")),
                )
                return response.status, await response.text()

        return asyncio.run(send())

    def get(self, url: str) -> tuple[int, str]:
        """GET signed by bovine (draft-cavage), as an authorized-fetch server expects; returns (status, text)."""
        secret = CryptographicSecret.from_pem(f"{self.actor_id}#main-key", self.private_pem)

        async def fetch():
            async with aiohttp.ClientSession() as session:
                response = await signed_get(session, secret, url, headers={"Accept": "application/activity+json"})
                return response.status, await response.text()

        return asyncio.run(fetch())
