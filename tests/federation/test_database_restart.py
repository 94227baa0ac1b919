"""The database drops every connection (as in a restart or a fail-over) while the node is in use: web processes and
Celery workers reconnect by themselves, no request fails afterwards and every post still reaches its follower."""

import os
import threading
import time

import pytest

from tests.api_session import log_in
from tests.nodes import _postgres, wait_until

pytestmark = pytest.mark.skipif(
    os.environ.get("FEDINODE_TEST_BACKEND") != "postgres",
    reason="the embedded default (SQLite) has no database server that could restart",
)


def _drop_connections(database: str) -> int:
    """What a PostgreSQL restart does to a node: every open connection to its database is cut."""
    with _postgres() as connection:
        rows = connection.execute(
            # waits (up to 5 s) until each has ended: "nothing in flight" below means the cut is over, not just sent
            "SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity WHERE datname = %s "
            "AND pid <> pg_backend_pid()",
            [database],
        ).fetchall()
    return len(rows)


def test_the_node_recovers_when_the_database_cuts_every_connection(start_node):
    node_a, node_b = start_node("a"), start_node("b")
    node_a.cli("createorg", "sender", "--email", "s@example.org", "--password", "sender-pass-1")
    node_b.cli("createorg", "reader", "--email", "r@example.org", "--password", "reader-pass-1")
    node_b.cli("follow", "reader", node_a.actor_url("sender"))
    wait_until(lambda: node_b.actor_url("reader") in node_a.get_json(
        f"{node_a.actor_url('sender')}/followers?page=1")["orderedItems"], message="the follow")
    api = log_in(node_a.base, username="sender", password="sender-pass-1")

    statuses: list[int] = []
    posted: list[str] = []

    def use_the_node():  # a member keeps posting and reading while the database goes away under the node
        for number in range(12):
            response = api.request("POST", "/api/v1/statuses", data={"status": f"Beitrag {number}"})
            statuses.append(response.status_code)
            if response.ok:
                posted.append(response.json()["uri"])
            statuses.append(api.request("GET", "/api/v1/timelines/home").status_code)
            time.sleep(0.3)

    for _ in range(8):  # every web process and worker holds a kept-alive connection now
        api.ok("GET", "/api/v1/timelines/home")
    user = threading.Thread(target=use_the_node)
    user.start()
    cut = 0
    for _ in range(3):
        time.sleep(1.0)
        cut += _drop_connections(node_a.database)
    user.join(timeout=60)
    assert cut >= 3, "the test cut no connections: it would prove nothing"

    # A request that was inside the database at the very moment of the cut may fail (the client retries it);
    # after that, the node must be whole again without anyone restarting it.
    assert statuses.count(500) <= 3, statuses
    # once more, with nothing in flight: no request may fail now. The web's threads hold connections again first:
    # the last cut may have come after the member's last request (each cut waits up to 5 s for every backend it
    # ends), and a thread reconnects only when it next serves a request.
    for _ in range(8):
        api.ok("GET", "/api/v1/timelines/home")
    assert _drop_connections(node_a.database) >= 1
    after = [api.request("GET", "/api/v1/timelines/home").status_code for _ in range(10)]
    assert after == [200] * 10
    last = api.ok("POST", "/api/v1/statuses", data={"status": "Nach dem Neustart"})["uri"]
    expected = sorted([*posted, last])
    wait_until(lambda: node_b.query(
        "from posts.models import Post\n"
        f"print(json.dumps(sorted(Post.objects.filter(uri__in={expected!r}).values_list('uri', flat=True))))"
    ) == expected, timeout=60, message="every post at the follower's node")
