"""Federation throughput on the embedded default: `python -m bench.federation`.

Prints signed inbox POSTs accepted per second (and fully processed per second), and deliveries per second of one post
fanned out to 2,000 followers on 200 loopback inboxes (shared inboxes, and personal inboxes only).
"""

import argparse
import http.client
import json
import os
import queue
import sqlite3
import threading
import time
import uuid
from datetime import datetime

from fediverse_node.protocol.keys import load_private_key
from fediverse_node.protocol.signatures import sign_cavage
from tests.interop.bovine_peer import BovinePeer
from tests.nodes import Node, free_loopback_address

from .load import raw_request, send_requests
from .sinks import InboxSinks


def db(node: Node, name: str = "db") -> sqlite3.Connection:
    return sqlite3.connect(node.data_dir / f"{name}.sqlite3", timeout=30)


def presigned_creates(peer: BovinePeer, node: Node, target_uri: str, count: int) -> list[tuple[bytes, dict]]:
    key = load_private_key(peer.private_pem)
    url = f"{node.base}/inbox"
    requests_ = []
    for _ in range(count):
        note_id = f"{peer.base}/notes/{uuid.uuid4()}"
        activity = {
            "@context": "https://www.w3.org/ns/activitystreams",
            "id": f"{note_id}/activity",
            "type": "Create",
            "actor": peer.actor_id,
            "to": ["https://www.w3.org/ns/activitystreams#Public"],
            "cc": [target_uri],
            "object": {
                "id": note_id, "type": "Note", "attributedTo": peer.actor_id, "content": "<p>Benchmark</p>",
                "to": ["https://www.w3.org/ns/activitystreams#Public"], "cc": [target_uri],
                "tag": [{"type": "Mention", "href": target_uri}],
            },
        }
        body = json.dumps(activity).encode()
        headers = sign_cavage(method="POST", url=url, body=body, key_id=f"{peer.actor_id}#main-key", private_key=key)
        headers["Content-Type"] = "application/activity+json"
        requests_.append((body, headers))
    return requests_


def send_all(node: Node, prepared: list[tuple[bytes, dict]], concurrency: int) -> tuple[float, dict[int, int]]:
    """POST every prepared request over kept-alive connections; returns (seconds, status counts)."""
    work: queue.Queue = queue.Queue()
    for item in prepared:
        work.put(item)
    statuses: dict[int, int] = {}
    lock = threading.Lock()

    def worker():
        connection = http.client.HTTPConnection(node.host, node.port, timeout=30)
        while True:
            try:
                body, headers = work.get_nowait()
            except queue.Empty:
                break
            connection.request("POST", "/inbox", body=body, headers=headers)
            response = connection.getresponse()
            response.read()
            with lock:
                statuses[response.status] = statuses.get(response.status, 0) + 1
        connection.close()

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    start = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.monotonic() - start, statuses


def bench_inbox(node: Node, count: int, concurrency: int) -> dict:
    node.cli("createorg", "ziel", "--email", "z@example.org", "--password", "ziel-pass-1")
    target = node.actor_url("ziel")
    with BovinePeer("sender") as peer:
        # Warm the key cache and connections with a few requests first.
        send_all(node, presigned_creates(peer, node, target, 20), 4)
        prepared = presigned_creates(peer, node, target, count)
        started = time.time()
        raw = [raw_request("POST", node.domain, "/inbox", headers, body) for body, headers in prepared]
        seconds, statuses, latencies = send_requests(node.host, node.port, raw, concurrency)
        latencies.sort()
        with db(node, "inbox") as conn:
            deadline = time.monotonic() + 300
            while time.monotonic() < deadline:
                left = conn.execute("select count(*) from inbox_inboxitem where state = 'received'").fetchone()[0]
                if left == 0:
                    break
                time.sleep(0.05)
            processed_at = conn.execute("select max(processed_at) from inbox_inboxitem").fetchone()[0]
    processed_seconds = datetime.fromisoformat(processed_at).timestamp() - started
    return {
        "inbox POSTs": count,
        "statuses": statuses,
        "accepted/s": round(count / seconds),
        "p99 ms": round(latencies[int(len(latencies) * 0.99)] * 1000, 1),
        "processed/s": round((count + 20) / processed_seconds),
    }


def seed_followers(node: Node, sinks: list[tuple[str, int]], followers: int, shared: bool) -> None:
    hosts = [f"{host}:{port}" for host, port in sinks]
    code = f"""
from actors.models import Actor, Follow
hosts = {hosts!r}
org = Actor.objects.get(local=True, username='sender')
Follow.objects.filter(target=org).delete()
Actor.objects.filter(local=False).delete()
actors = Actor.objects.bulk_create([
    Actor(uri=f'http://{{hosts[i % len(hosts)]}}/users/u{{i}}', username=f'u{{i}}', domain=hosts[i % len(hosts)],
          inbox_url=f'http://{{hosts[i % len(hosts)]}}/users/u{{i}}/inbox',
          shared_inbox_url=(f'http://{{hosts[i % len(hosts)]}}/inbox' if {shared!r} else ''))
    for i in range({followers})])
actors = Actor.objects.filter(local=False)
Follow.objects.bulk_create([Follow(follower=a, target=org, uri=a.uri + '#f', state='accepted') for a in actors])
print(json.dumps(Follow.objects.filter(target=org).count()))
"""
    assert node.query(code) == followers


def bench_fanout(node: Node, sinks: InboxSinks, followers: int, shared: bool) -> dict:
    seed_followers(node, sinks.addresses, followers, shared)
    before = sinks.count
    uri = node.cli("post", "sender", f"Fan-out {uuid.uuid4()}")
    with db(node) as conn:
        activity = conn.execute("select id, created_at from outbox_outgoingactivity where uri = ?", (f"{uri}/activity",)).fetchone()
        expected = conn.execute("select count(*) from outbox_delivery where activity_id = ?", (activity[0],)).fetchone()[0]
    sinks.wait_for(before + expected, timeout=300)
    with db(node) as conn:
        deadline = time.monotonic() + 60  # results are written per batch, just after the POSTs
        while time.monotonic() < deadline and conn.execute(
            "select count(*) from outbox_delivery where activity_id = ? and state = 'pending'", (activity[0],)
        ).fetchone()[0]:
            time.sleep(0.05)
        row = conn.execute(
            "select count(*), max(sent_at) from outbox_delivery where activity_id = ? and state = 'sent'", (activity[0],)
        ).fetchone()
    seconds = datetime.fromisoformat(row[1]).timestamp() - datetime.fromisoformat(activity[1]).timestamp()
    return {
        "followers": followers,
        "inboxes": expected,
        "delivered": row[0],
        "seconds": round(seconds, 3),
        "deliveries/s": round(row[0] / seconds),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--posts", type=int, default=4000)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--followers", type=int, default=2000)
    parser.add_argument("--inboxes", type=int, default=200)
    args = parser.parse_args()
    os.environ.setdefault("LOG_LEVEL", "WARNING")

    node = Node("bench", env={"LOG_LEVEL": "WARNING", "FEDINODE_RATE_LIMITS": "0"}).start()
    try:
        print("inbox:", json.dumps(bench_inbox(node, args.posts, args.concurrency)), flush=True)
        node.cli("createorg", "sender", "--email", "s@example.org", "--password", "sender-pass-1")
        _, port = free_loopback_address()
        addresses = [(f"127.0.1.{i}", port) for i in range(1, args.inboxes + 1)]
        sinks = InboxSinks(addresses)
        try:
            print("fan-out, shared inboxes:", json.dumps(bench_fanout(node, sinks, args.followers, True)), flush=True)
            print("fan-out, personal inboxes:", json.dumps(bench_fanout(node, sinks, args.followers, False)), flush=True)
        finally:
            sinks.stop()
    finally:
        node.stop()
        node.cleanup()


if __name__ == "__main__":
    main()
