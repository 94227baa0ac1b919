"""Drive the Fedify peer (tests/interop/fedify_peer/peer.mjs) from Python tests: start it, call its control API."""

import subprocess
import time
from pathlib import Path

import requests

FOLDER = Path(__file__).parent / "fedify_peer"


class FedifyPeer:
    """A Person on an independent @fedify/fedify server at http://host:port/users/name."""

    def __init__(self, host: str, port: int, name: str = "peer"):
        self.host, self.port, self.name = host, port, name
        self.base = f"http://{host}:{port}"
        self.process: subprocess.Popen | None = None

    @property
    def actor_url(self) -> str:
        return f"{self.base}/users/{self.name}"

    def start(self) -> "FedifyPeer":
        if not (FOLDER / "node_modules").exists():
            subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=FOLDER, check=True, timeout=300)
        self.process = subprocess.Popen(
            ["node", "peer.mjs", "--host", self.host, "--port", str(self.port), "--name", self.name],
            cwd=FOLDER, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        line = self.process.stdout.readline()
        if not line.startswith("READY"):
            self.process.kill()
            raise RuntimeError(f"the Fedify peer did not start: {line}{self.process.stderr.read()}")
        return self

    def stop(self) -> str:
        """Stop the peer and return what it wrote to stderr (its errors)."""
        if self.process is None:
            return ""
        self.process.terminate()
        try:
            _, errors = self.process.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            _, errors = self.process.communicate()
        return errors

    def __enter__(self) -> "FedifyPeer":
        return self.start()

    def __exit__(self, *exc) -> None:
        errors = self.stop()
        if errors.strip():
            print(f"--- Fedify peer stderr ---\n{errors[-5000:]}")

    def _call(self, method: str, path: str, body: dict | None = None):
        response = requests.request(method, f"{self.base}/_control/{path}", json=body, timeout=30)
        if response.status_code != 200:
            raise RuntimeError(f"Fedify peer {path}: {response.status_code} {response.text}")
        return response.json()

    def follow(self, target: str) -> dict:
        return self._call("POST", "follow", {"target": target})

    def note(self, to: str, content: str, in_reply_to: str | None = None) -> dict:
        return self._call("POST", "note", {"to": to, "content": content, "inReplyTo": in_reply_to})

    def publish(self, content: str) -> dict:
        """A public Note served at its id (its URL) and sent nowhere: {"id": …}."""
        return self._call("POST", "publish", {"content": content})

    def vote(self, to: str, question: str, name: str) -> dict:
        return self._call("POST", "vote", {"to": to, "question": question, "name": name})

    def received(self) -> list[dict]:
        """What Fedify verified and handed its listeners: {"type", "activity" (as Fedify reads it), "raw" (the body
        as it came), "keyId" (of the request's HTTP signature)}, in order of arrival."""
        return self._call("GET", "received")

    def followers(self) -> list[str]:
        return self._call("GET", "followers")

    def following(self) -> list[str]:
        return self._call("GET", "following")

    def wait_for(self, predicate, timeout: float = 30) -> dict:
        """The first received activity that satisfies predicate, polling until timeout."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for item in self.received():
                if predicate(item):
                    return item
            time.sleep(0.3)
        raise AssertionError(f"the Fedify peer received no such activity; it has: {self.received()}")
