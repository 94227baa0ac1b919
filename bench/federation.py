"""Federation throughput: `python -m bench.federation` (FEDINODE_TEST_BACKEND=postgres for PostgreSQL + Redis).

Prints signed inbox POSTs accepted per second (and fully processed per second), and deliveries per second of one post
fanned out to 2,000 followers on 200 loopback inboxes (shared inboxes, and personal inboxes only). The node's state
is read through its own Django settings (bench/probe.py), so it works on either back-end. Rate limits are off
unless `--rate-limits` (as deployed); `--inbox-only` skips the fan-outs; `--personal` POSTs to the addressee's own
inbox instead of the shared one.
"""

import argparse
import http.client
import json
import os
import queue
import resource
import threading
import time
import uuid

from fediverse_node.protocol.keys import load_private_key
from fediverse_node.protocol.signatures import sign_cavage
from tests.interop.bovine_peer import BovinePeer
from tests.nodes import Node, free_loopback_address

from .load import raw_request, send_requests
from .probe import Probe
from .procs import cpu_snapshot, cpu_spent
from .sinks import InboxSinks


def presigned_creates(
    peer: BovinePeer, node: Node, target_uri: str, count: int, path: str = "/inbox"
) -> list[tuple[bytes, dict]]:
    key = load_private_key(peer.private_pem)
    url = f"{node.base}{path}"
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


def send_all(
    node: Node, prepared: list[tuple[bytes, dict]], concurrency: int, path: str = "/inbox"
) -> tuple[float, dict[int, int]]:
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
            connection.request("POST", path, body=body, headers=headers)
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


INBOX_LEFT = """
from inbox.models import InboxItem
result = InboxItem.objects.filter(state='received').count()
"""

INBOX_LAST_ID = """
from django.db.models import Max
from inbox.models import InboxItem
result = InboxItem.objects.aggregate(last=Max('id'))['last'] or 0
"""

INBOX_DONE = """
from django.db.models import Count, Max
from inbox.models import InboxItem
rows = InboxItem.objects.filter(id__gt=after_id).values('state').annotate(n=Count('id'), last=Max('processed_at'))
result = {row['state']: [row['n'], row['last'] and row['last'].timestamp()] for row in rows}
"""


def bench_inbox(
    node: Node, count: int, concurrency: int, probe: Probe | None = None, *, personal: bool = False
) -> dict:
    """`count` signed Create(Note) POSTs to the shared inbox (or to the addressee's own, as Mastodon sends follows
    and direct messages): accepted/s (answered) and processed/s (handled)."""
    node.cli("createorg", "ziel", "--email", "z@example.org", "--password", "ziel-pass-1")
    target = node.actor_url("ziel")
    path = "/actors/ziel/inbox" if personal else "/inbox"
    own_probe = probe is None
    probe = probe or Probe(node.env)
    try:
        with BovinePeer("sender") as peer:
            # Warm the key cache and connections with a few requests first, and let them be processed.
            send_all(node, presigned_creates(peer, node, target, 20, path), 4, path)
            probe.wait_until(f"{INBOX_LEFT}\nresult = result == 0", timeout=120)
            after_id = probe.run(INBOX_LAST_ID)
            prepared = presigned_creates(peer, node, target, count, path)
            raw = [raw_request("POST", node.domain, path, headers, body) for body, headers in prepared]
            cpu_before = cpu_snapshot(node.process.pid)
            generator_before = _children_cpu()
            started = time.time()
            seconds, statuses, latencies = send_requests(node.host, node.port, raw, concurrency)
            cpu_accepted = cpu_snapshot(node.process.pid)
            cpu_before["load generator"], cpu_accepted["load generator"] = 0.0, _children_cpu() - generator_before
            latencies.sort()
            # Polled a few times a second: the end time is the last processed_at the node wrote, not the poll.
            probe.wait_until(f"{INBOX_LEFT}\nresult = result == 0", timeout=600, interval=0.5)
            states = probe.run(INBOX_DONE, after_id=after_id)
            cpu_processed = cpu_snapshot(node.process.pid)
    finally:
        if own_probe:
            probe.close()
    processed, last = states.get("processed", [0, None])
    processed_seconds = (last - started) if last else float("nan")
    return {
        "inbox POSTs": count,
        "statuses": statuses,
        "accepted/s": round(statuses.get(202, 0) / seconds),
        "p99 ms": round(latencies[int(len(latencies) * 0.99)] * 1000, 1),
        "processed": processed,
        "states": {state: n for state, (n, _) in states.items()},
        "processed seconds": round(processed_seconds, 3),
        "processed/s": round(processed / processed_seconds) if last else 0,
        # CPU seconds per role while POSTing, and from then until the last item was processed (polls included)
        "cpu while accepting": cpu_spent(cpu_before, cpu_accepted),
        "cpu after": cpu_spent(cpu_accepted, cpu_processed),
    }


def _children_cpu() -> float:
    """CPU seconds of this process's finished children: send_requests runs its load generator as one."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


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
# planner statistics as a database in service has them (autovacuum analyses a table soon after a tenth of it
# changed): statistics taken before these rows (bench/api.py's seed in the soak) had the fan-out's query of the
# followers' inboxes join 2,000 by 2,000 rows in a nested loop, 0.1-0.75 s per post
from django.db import connection
if connection.vendor == 'postgresql':
    connection.cursor().execute('ANALYZE actors_actor, actors_follow')
print(json.dumps(Follow.objects.filter(target=org).count()))
"""
    assert node.query(code) == followers


FANOUT_ACTIVITY = """
from outbox.models import Delivery, OutgoingActivity
activity = OutgoingActivity.objects.get(uri=uri)
result = [activity.id, activity.created_at.timestamp(), Delivery.objects.filter(activity=activity).count()]
"""

FANOUT_PENDING = """
from outbox.models import Delivery
result = Delivery.objects.filter(activity_id=activity_id, state='pending').count()
"""

FANOUT_DONE = """
from django.db.models import Count, Max
from outbox.models import Delivery
done = Delivery.objects.filter(activity_id=activity_id, state='sent').aggregate(n=Count('id'), last=Max('sent_at'))
result = [done['n'], done['last'] and done['last'].timestamp()]
"""


def bench_fanout(node: Node, sinks: InboxSinks, followers: int, shared: bool, probe: Probe | None = None) -> dict:
    """One post to `followers` remote followers on the sinks: time from the activity's row to the last sent_at."""
    seed_followers(node, sinks.addresses, followers, shared)
    own_probe = probe is None
    probe = probe or Probe(node.env)
    try:
        before = sinks.count
        uri = node.cli("post", "sender", f"Fan-out {uuid.uuid4()}")
        activity_id, created_at, expected = probe.run(FANOUT_ACTIVITY, uri=f"{uri}/activity")
        sinks.wait_for(before + expected, timeout=300)
        # results are written per batch, just after the POSTs
        probe.wait_until(f"{FANOUT_PENDING}\nresult = result == 0", timeout=60, activity_id=activity_id)
        delivered, last = probe.run(FANOUT_DONE, activity_id=activity_id)
    finally:
        if own_probe:
            probe.close()
    seconds = (last - created_at) if last else float("nan")
    return {
        "followers": followers,
        "inboxes": expected,
        "delivered": delivered,
        "received by sinks": sinks.count - before,
        "seconds": round(seconds, 3),
        "deliveries/s": round(delivered / seconds) if last else 0,
    }


def loopback_sinks(count: int) -> list[tuple[str, int]]:
    """`count` inbox addresses on one free port, each a domain of its own: 127.0.1.1–254, then 127.0.2.1… ."""
    if count > 254 * 254:
        raise ValueError("at most 64,516 loopback inboxes")
    _, port = free_loopback_address()
    return [(f"127.0.{1 + i // 254}.{1 + i % 254}", port) for i in range(count)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--posts", type=int, default=4000)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--followers", type=int, default=2000)
    parser.add_argument("--inboxes", type=int, default=200)
    parser.add_argument("--rate-limits", action="store_true",
                        help="as deployed: rate limits on (the inbox counts every POST per sender's address)")
    parser.add_argument("--inbox-only", action="store_true", help="measure the inbox, not the fan-out")
    parser.add_argument("--personal", action="store_true", help="POST to the addressee's own inbox, not the shared one")
    args = parser.parse_args()
    os.environ.setdefault("LOG_LEVEL", "WARNING")

    node = Node("bench", env={"LOG_LEVEL": "WARNING", "FEDINODE_RATE_LIMITS": "1" if args.rate_limits else "0"}).start()
    try:
        with Probe(node.env) as probe:
            result = bench_inbox(node, args.posts, args.concurrency, probe, personal=args.personal)
            print("personal inbox:" if args.personal else "inbox:", json.dumps(result), flush=True)
            if args.inbox_only:
                return
            node.cli("createorg", "sender", "--email", "s@example.org", "--password", "sender-pass-1")
            sinks = InboxSinks(loopback_sinks(args.inboxes))
            try:
                for label, shared in (("shared", True), ("personal", False)):
                    result = bench_fanout(node, sinks, args.followers, shared, probe)
                    print(f"fan-out, {label} inboxes:", json.dumps(result), flush=True)
            finally:
                sinks.stop()
    finally:
        node.stop()
        node.cleanup()

if __name__ == "__main__":
    main()
