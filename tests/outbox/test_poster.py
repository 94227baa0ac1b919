"""Deliveries share one pool of kept-alive connections per process (fediverse_node/outgoing.py poster)."""

import threading

from fediverse_node import outgoing


def test_threads_post_to_a_server_over_the_connection_another_thread_kept(settings, inbox):
    settings.FEDINODE_INSECURE_HTTP = True
    statuses = []

    def deliver():
        statuses.append(outgoing.poster().post(f"{inbox.base}/inbox", b"{}", {"Content-Type": "application/activity+json"}))

    for _ in range(3):  # one after the other, each on a thread of its own, as a fan-out's tasks run
        thread = threading.Thread(target=deliver)
        thread.start()
        thread.join()
    assert statuses == [202, 202, 202]
    assert len(inbox.connections) == 1


def test_a_process_keeps_connections_to_as_many_servers_as_its_file_limit_allows(monkeypatch):
    monkeypatch.setattr(outgoing.resource, "getrlimit", lambda _: (1024, 4096))
    assert outgoing.servers_kept() == 256
    monkeypatch.setattr(outgoing.resource, "getrlimit", lambda _: (65536, 65536))
    assert outgoing.servers_kept() == 4096
    monkeypatch.setattr(outgoing.resource, "getrlimit", lambda _: (100, 100))
    assert outgoing.servers_kept() == 64
