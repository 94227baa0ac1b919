"""Inbox batches at once per worker process (inbox/tasks.py, _Lanes): a task that finds every lane busy returns
at once and its batch runs in a busy lane after that lane's own."""

import threading

from inbox import tasks


def test_a_task_finding_the_lanes_busy_leaves_its_batch_to_them(monkeypatch):
    lanes = tasks._Lanes(1)
    ran: list[tuple[list[int], object]] = []
    first_started, release_first = threading.Event(), threading.Event()

    def items_run(ids, reserved):
        ran.append((ids, reserved))
        if ids == [1]:
            first_started.set()
            assert release_first.wait(10)

    monkeypatch.setattr(tasks, "items_run", items_run)
    first = threading.Thread(target=lanes.run, args=([1], None))
    first.start()
    assert first_started.wait(10)

    lanes.run([2, 3], None)  # the only lane is busy: returns without running its batch
    assert ran == [([1], None)]

    release_first.set()
    first.join(10)
    assert ran == [([1], None), ([2, 3], None)]  # the busy lane took it after its own
    assert not lanes.waiting


def test_lanes_run_side_by_side_up_to_their_number(monkeypatch):
    lanes = tasks._Lanes(2)
    inside, most = 0, 0
    lock, gate = threading.Lock(), threading.Barrier(2, timeout=10)

    def items_run(ids, reserved):
        nonlocal inside, most
        with lock:
            inside += 1
            most = max(most, inside)
        gate.wait()  # both lanes are in a batch at the same time
        with lock:
            inside -= 1

    monkeypatch.setattr(tasks, "items_run", items_run)
    threads = [threading.Thread(target=lanes.run, args=([n], None)) for n in (1, 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert most == 2
    assert not lanes.waiting
