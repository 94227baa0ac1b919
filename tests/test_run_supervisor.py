"""The `run` supervisor stops what it started, children of its children included (granian's workers)."""

import os
import time

from fediverse_node.management.commands.run import Command, _child


def children_of(pid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as stat:
                    fields = stat.read().rsplit(")", 1)[1].split()
            except (FileNotFoundError, ProcessLookupError):
                continue
            if int(fields[1]) == pid and fields[0] != "Z":
                found.append(int(entry))
    return found


def alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (FileNotFoundError, ProcessLookupError):
        return False


def test_a_child_that_ignores_sigterm_is_killed_with_its_own_children():
    # like a granian main process with a worker, both deaf to SIGTERM
    stubborn = _child(["sh", "-c", 'trap "" TERM; sleep 60 & wait'])
    deadline = time.monotonic() + 10
    while not (grandchildren := children_of(stubborn.pid)) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert grandchildren, "the child did not start its own child"

    started = time.monotonic()
    Command._stop_all([stubborn], grace=0.5)

    assert stubborn.poll() is not None
    assert time.monotonic() - started < 5
    deadline = time.monotonic() + 5
    while any(alive(pid) for pid in grandchildren) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(alive(pid) for pid in grandchildren), "the child's own child outlived it"
