"""The `run` supervisor stops what it started, children of its children included (granian's workers)."""

import time

from operations.management.commands.run import Command, _child
from tests.nodes import process_alive, process_tree


def test_a_child_that_ignores_sigterm_is_killed_with_its_own_children():
    # like a granian main process with a worker, both deaf to SIGTERM
    stubborn = _child(["sh", "-c", 'trap "" TERM; sleep 60 & wait'])
    deadline = time.monotonic() + 10
    while not (grandchildren := process_tree().get(stubborn.pid, [])) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert grandchildren, "the child did not start its own child"

    started = time.monotonic()
    Command._stop_all([stubborn], grace=0.5)

    assert stubborn.poll() is not None
    assert time.monotonic() - started < 5
    deadline = time.monotonic() + 5
    while any(process_alive(pid) for pid in grandchildren) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(process_alive(pid) for pid in grandchildren), "the child's own child outlived it"
