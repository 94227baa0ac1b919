"""masto.js's streaming client (npm `masto`, WebSocket with subscribe messages) against a running node: a
followed account's post arrives on the user stream and on a local hashtag stream, a followers-only post only on the
user stream, and after the streaming process restarts masto.js reconnects and receives again."""

import json
import os
import queue
import signal
import subprocess
import threading
import time
from pathlib import Path

from tests.api_session import log_in
from tests.nodes import streaming_processes, streaming_wait

SCRIPT = Path(__file__).parent / "masto_client" / "streaming.mjs"


def _lines(process: subprocess.Popen) -> queue.Queue:
    lines: queue.Queue = queue.Queue()

    def read() -> None:
        for line in process.stdout:
            if line.startswith("{"):
                lines.put(json.loads(line))

    threading.Thread(target=read, daemon=True).start()
    return lines


def _until(lines: queue.Queue, predicate, *, timeout: float = 60) -> list[dict]:
    """Events read until one matches (that one last)."""
    seen, deadline = [], time.monotonic() + timeout
    while True:
        try:
            event = lines.get(timeout=max(0.1, deadline - time.monotonic()))
        except queue.Empty:
            raise queue.Empty(f"no matching event; seen: {seen}") from None
        seen.append(event)
        if predicate(event):
            return seen


def test_masto_js_streaming(start_node, nodejs_available):
    node = start_node("masto-stream", env={"FEDINODE_STREAMING_WORKERS": "2"})
    node.cli("createorg", "kita", "--email", "kita@example.org", "--password", "kita-pass-123")
    node.cli("createorg", "pflege", "--email", "pflege@example.org", "--password", "pflege-pass-123")
    kita = log_in(node.base, username="kita", password="kita-pass-123")
    pflege = log_in(node.base, username="pflege", password="pflege-pass-123")
    target = kita.ok("GET", "/api/v1/accounts/lookup", params={"acct": "pflege"})
    kita.ok("POST", f"/api/v1/accounts/{target['id']}/follow")
    streaming_wait(node)
    token = kita.headers["Authorization"][len("Bearer "):]
    process = subprocess.Popen(["node", str(SCRIPT), f"ws://{node.host}:{node.streaming_port}", token, "sommerfest"],
                               cwd=SCRIPT.parent, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        lines = _lines(process)

        def arrives(text: str, subscription: str = "user") -> list[dict]:
            """Post until masto.js has the post (its WebSocket may still be opening), return what it saw."""
            for attempt in range(20):
                status = pflege.ok("POST", "/api/v1/statuses", data={"status": f"{text} {attempt} #Sommerfest"})
                try:
                    return _until(lines, lambda e, uri=status["uri"]: e.get("uri") == uri
                                  and e.get("subscription") == subscription, timeout=3)
                except queue.Empty:
                    continue
            raise AssertionError(f"masto.js never received {text!r}")

        seen = arrives("Einladung")
        update = seen[-1]
        assert update["event"] == "update" and update["stream"] == ["user"] and "Einladung" in update["content"]
        tagged = _until(lines, lambda e: e.get("subscription") == "hashtag")[-1]
        assert tagged["stream"] == ["hashtag:local", "sommerfest"] and tagged["event"] == "update"

        private = pflege.ok("POST", "/api/v1/statuses",
                            data={"status": "Nur intern #Sommerfest", "visibility": "private"})
        public = pflege.ok("POST", "/api/v1/statuses", data={"status": "Wieder offen #Sommerfest"})
        wanted = {"user", "hashtag"}  # the public post on both subscriptions, in either order

        def last_wanted(event: dict) -> bool:
            if event.get("uri") == public["uri"]:
                wanted.discard(event.get("subscription"))
            return not wanted

        seen = _until(lines, last_wanted)
        assert [e.get("subscription") for e in seen if e.get("uri") == private.get("uri")] == ["user"]

        for pid in streaming_processes(node):
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        streaming_wait(node)
        assert "Nach dem Neustart" in arrives("Nach dem Neustart")[-1]["content"]
    finally:
        process.kill()
        process.wait()
