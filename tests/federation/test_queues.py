"""Separate queues (issue #7): a backlog of received activities does not hold back the delivery of a new post.

Inbox items, deliveries and sweeps go to the queues `inbox`, `deliveries` and `housekeeping`; a worker takes from
its queues in turn, so a delivery task waits for at most the tasks already running, never for the whole backlog.
"""

from bench.federation import presigned_creates
from bench.load import raw_request, send_requests
from bench.probe import Probe
from tests.federation.test_faults import SEED, Inboxes
from tests.interop.bovine_peer import BovinePeer
from tests.nodes import free_loopback_address, wait_until

BACKLOG = 8000

RECEIVED = """
from inbox.models import InboxItem
result = InboxItem.objects.filter(state='received').count()
"""

PUBLISH = """
from actors.models import Actor
from posts.services.publishing import post_create
post = post_create(author=Actor.objects.get(local=True, username='sender'), text='Neu aus der Praxis')
result = post.uri + '/activity'
"""

# how many received activities were processed after the delivery had gone out
AFTER_DELIVERY = """
from inbox.models import InboxItem
from outbox.models import Delivery
sent_at = Delivery.objects.get(activity__uri=uri).sent_at
result = InboxItem.objects.filter(processed_at__gt=sent_at).count()
"""


def test_a_delivery_overtakes_a_backlog_of_received_activities(start_node):
    inboxes = Inboxes()
    host, port = free_loopback_address()
    follower_host = inboxes.listen(host, port)
    try:
        # One worker process with two threads, one of them the lane for the inbox's batches (a deployed worker has
        # eight threads and two lanes): the backlog takes a few seconds to work off, the other thread is free.
        node = start_node("queues", env={
            "FEDINODE_RATE_LIMITS": "0", "FEDINODE_WORKER_PROCESSES": "1", "FEDINODE_WORKER_CONCURRENCY": "2",
            "FEDINODE_INBOX_LANES": "1",
        })
        node.cli("createorg", "sender", "--email", "s@example.org", "--password", "sender-pass-1")
        node.cli("createorg", "ziel", "--email", "z@example.org", "--password", "ziel-pass-1")
        assert node.query(SEED.format(hosts=[follower_host], followers=1)) == 1
        with BovinePeer("flood") as peer, Probe(node.env) as probe:
            prepared = presigned_creates(peer, node, node.actor_url("ziel"), BACKLOG)
            requests = [raw_request("POST", node.domain, "/inbox", headers, body) for body, headers in prepared]
            _, statuses, _ = send_requests(node.host, node.port, requests, 16)
            assert statuses == {202: BACKLOG}
            backlog_before = probe.run(RECEIVED)
            assert backlog_before > BACKLOG / 8, f"the backlog was worked off too fast to show anything ({backlog_before})"

            activity_id = probe.run(PUBLISH)
            wait_until(lambda: inboxes.activity_copies(activity_id), timeout=60, message="the delivery")
            wait_until(lambda: probe.run(RECEIVED) == 0, timeout=120, message="the backlog worked off")
            # read from the rows, not from what is left when the test looks: the workers take 2,000 a second
            processed_after_delivery = probe.run(AFTER_DELIVERY, uri=activity_id)
        # In one first-in-first-out queue the delivery would have waited behind every received item.
        assert processed_after_delivery > 0, f"delivered only after the backlog of {backlog_before} was worked off"
        assert sum(inboxes.activity_copies(activity_id).values()) == 1
    finally:
        inboxes.stop()
