"""Faults with real processes: a worker killed in the middle of a fan-out, a peer that is down for a while.
The durable Delivery rows, not the broker, decide what is sent."""

import http.server
import json
import os
import signal
import threading
import time
from collections import Counter

from tests.loopback_http import serve_thread
from tests.nodes import free_loopback_address, node_children, wait_until


class Inboxes:
    """Inboxes on loopback addresses that take `delay` seconds per POST and count each (host, path, activity id)."""

    def __init__(self, delay: float = 0.0):
        self.received: Counter = Counter()
        self.lock = threading.Lock()
        self.delay = delay
        self.servers: list[http.server.ThreadingHTTPServer] = []

    def listen(self, host: str, port: int) -> str:
        server = http.server.ThreadingHTTPServer((host, port), _recording_handler(self))
        serve_thread(server).start()
        self.servers.append(server)
        return f"{host}:{port}"

    def activity_copies(self, activity_id: str) -> Counter:
        with self.lock:  # the handlers' threads add keys meanwhile
            return Counter({key: n for key, n in self.received.items() if key[2] == activity_id})

    def stop(self):
        for server in self.servers:
            server.shutdown()
            server.server_close()


def _recording_handler(inboxes: Inboxes):
    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            time.sleep(inboxes.delay)
            with inboxes.lock:
                inboxes.received[(self.headers["Host"], self.path, json.loads(body)["id"])] += 1
            self.send_response(202)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    return Handler


SEED = """
from actors.models import Actor, Follow
org = Actor.objects.get(local=True, username='sender')
hosts = {hosts!r}
actors = Actor.objects.bulk_create([
    Actor(uri=f'http://{{hosts[i % len(hosts)]}}/users/u{{i}}', username=f'u{{i}}', domain=hosts[i % len(hosts)],
          inbox_url=f'http://{{hosts[i % len(hosts)]}}/users/u{{i}}/inbox')
    for i in range({followers})])
Follow.objects.bulk_create([Follow(follower=a, target=org, uri=a.uri + '#f', state='accepted')
                            for a in Actor.objects.filter(local=False)])
print(json.dumps(Follow.objects.filter(target=org).count()))
"""

THREADS = 2


def test_worker_killed_during_a_fan_out_loses_nothing(start_node):
    inboxes = Inboxes(delay=0.02)
    _, port = free_loopback_address()
    hosts = [inboxes.listen(f"127.0.2.{index}", port) for index in range(1, 21)]
    try:
        node = start_node("fanout", env={
            "FEDINODE_WORKER_PROCESSES": "2", "FEDINODE_WORKER_CONCURRENCY": str(THREADS),
            "FEDINODE_DELIVERY_LEASE_SECONDS": "3",
        })
        node.cli("createorg", "sender", "--email", "s@example.org", "--password", "sender-pass-1")
        assert node.query(SEED.format(hosts=hosts, followers=400)) == 400
        post_uri = node.cli("post", "sender", "Alle sollen es bekommen")
        wait_until(lambda: sum(inboxes.received.values()) >= 40, message="the fan-out under way")
        workers = node_children(node, b"fedinode-work", b"[celeryd: worker")
        assert len(workers) == 2
        for worker in workers:
            os.kill(worker, signal.SIGKILL)
        sent_before_kill = sum(inboxes.received.values())
        assert sent_before_kill < 400, "the fan-out ended before the workers were killed"

        # `run` restarts the workers; the sweep finds the deliveries the dead ones held once their lease ends.
        activity = f"{post_uri}/activity"
        wait_until(lambda: len(inboxes.activity_copies(activity)) == 400, timeout=90,
                   message="every follower's inbox got the post")
        wait_until(lambda: node.query(
            "from outbox.models import Delivery\n"
            "print(json.dumps(Delivery.objects.exclude(state='sent').count() == 0))"), message="all rows sent")
        copies = Counter(inboxes.activity_copies(activity).values())
        # At least once; a dead worker re-sends only what it sent but had not written down (<= 0.1 s of work each).
        duplicates = sum((count - 1) * number for count, number in copies.items())
        assert max(copies) <= 2 and duplicates <= 2 * THREADS * 6, copies
    finally:
        inboxes.stop()


def test_a_peer_that_was_down_receives_everything_after_its_return(start_node):
    host, port = free_loopback_address()
    node = start_node("sender", env={"FEDINODE_DELIVERY_FIRST_RETRY": "1"})
    node.cli("createorg", "sender", "--email", "s@example.org", "--password", "sender-pass-1")
    assert node.query(SEED.format(hosts=[f"{host}:{port}"], followers=5)) == 5
    posts = [node.cli("post", "sender", f"Beitrag {n}") for n in range(3)]
    wait_until(lambda: node.query(
        "from outbox.models import Delivery\n"
        "print(json.dumps(Delivery.objects.filter(attempts__gte=1, state='pending').count() == 15))"),
        message="the deliveries failed once and wait for a retry")

    inboxes = Inboxes()
    inboxes.listen(host, port)  # the peer comes back on the same address
    try:
        wanted = {(f"{host}:{port}", f"/users/u{i}/inbox", f"{p}/activity") for i in range(5) for p in posts}
        wait_until(lambda: wanted <= set(inboxes.received), timeout=60, message="every post after the return")
    finally:
        inboxes.stop()
