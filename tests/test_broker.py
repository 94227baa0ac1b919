"""The embedded broker (fediverse_node/broker.py): each message once, oldest first, queues apart, and a long queue
listed once per pass over it rather than once per message."""

import os
import threading
from queue import Empty

import pytest
from kombu import Connection

from fediverse_node import broker


@pytest.fixture
def folder(tmp_path):
    (tmp_path / "queue").mkdir()
    return tmp_path


def channel(folder):
    options = {"data_folder_in": str(folder / "queue"), "data_folder_out": str(folder / "queue"),
               "control_folder": str(folder / "control"), "store_processed": False}
    return Connection(transport=broker.Transport, transport_options=options).channel()


def drain(ch, queue: str) -> list:
    taken = []
    while True:
        try:
            taken.append(ch._get(queue))
        except Empty:
            return taken


def test_messages_come_out_oldest_first_and_each_queue_keeps_its_own(folder):
    ch = channel(folder)
    for i in range(5):
        ch._put("deliveries", {"n": i})
        ch._put("inbox", {"m": i})
    assert ch._size("deliveries") == 5
    assert drain(ch, "deliveries") == [{"n": i} for i in range(5)]
    assert drain(ch, "inbox") == [{"m": i} for i in range(5)]
    ch._put("inbox", {"m": "late"})  # after the queue was found empty: the next get lists again
    assert ch._get("inbox") == {"m": "late"}


def test_two_consumers_never_get_the_same_message(folder):
    producer, consumers = channel(folder), [channel(folder), channel(folder)]
    for i in range(400):
        producer._put("deliveries", {"n": i})
    results: list[list] = [[], []]

    def consume(index: int) -> None:
        results[index] = drain(consumers[index], "deliveries")

    threads = [threading.Thread(target=consume, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    taken = [message["n"] for message in results[0] + results[1]]
    assert sorted(taken) == list(range(400))
    assert os.listdir(folder / "queue" / broker.CLAIMED) == []


def test_a_long_queue_is_listed_once_per_pass_and_an_empty_one_lists_only_its_own_folder(folder, monkeypatch):
    ch = channel(folder)
    for i in range(300):
        ch._put("deliveries", {"n": i})
    listed: list[str] = []
    real_listdir = os.listdir

    def counting_listdir(path):
        names = real_listdir(path)
        listed.append(f"{os.path.basename(path)}:{len(names)}")
        return names

    monkeypatch.setattr(broker.os, "listdir", counting_listdir)
    for _ in range(3):
        with pytest.raises(Empty):
            ch._get("celery")
    assert drain(ch, "deliveries") == [{"n": i} for i in range(300)]
    # the shared folder once per queue (messages an earlier version left there), then each queue's own folder
    # when what it saw is used up: never one listing per message, and never the 300 for another queue
    assert [entry.split(":")[0] for entry in listed] == ["queue", "celery", "celery", "celery", "queue", "deliveries",
                                                          "deliveries"]
    assert [entry for entry in listed if not entry.startswith("queue:")] == [
        "celery:0", "celery:0", "celery:0", "deliveries:300", "deliveries:0"]


def test_a_message_left_in_the_shared_folder_by_an_earlier_version_is_still_delivered(folder):
    (folder / "queue" / "1000_0a.inbox.msg").write_bytes(b'{"from": "before"}')
    ch = channel(folder)
    ch._put("inbox", {"from": "now"})
    assert drain(ch, "inbox") == [{"from": "before"}, {"from": "now"}]


def test_purge_removes_only_its_queue(folder):
    ch = channel(folder)
    for i in range(3):
        ch._put("inbox", {"m": i})
    ch._put("deliveries", {"n": 0})
    assert ch._purge("inbox") == 3
    assert ch._size("inbox") == 0 and ch._size("deliveries") == 1


def test_a_deleted_queue_takes_its_empty_folder_along(folder):
    ch = channel(folder)
    ch._put("4f1c.reply.celery.pidbox", {"pong": True})
    assert ch._get("4f1c.reply.celery.pidbox") == {"pong": True}
    assert (folder / "queue" / "4f1c.reply.celery.pidbox").is_dir()
    ch._delete("4f1c.reply.celery.pidbox", "reply.celery.pidbox", "", "")
    assert not (folder / "queue" / "4f1c.reply.celery.pidbox").exists()
