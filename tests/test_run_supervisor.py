"""The `run` supervisor: its children are forked from it, named, stopped with their own children (granian's
workers), and a child that ignores SIGTERM is killed."""

import os
import signal
import time

from operations.forking import ForkedChild
from operations.management.commands.run import Command
from tests.nodes import process_alive, process_title, process_tree


def _stubborn() -> None:
    """Like a granian main process with a worker, both deaf to SIGTERM."""
    os.execvp("sh", ["sh", "-c", 'trap "" TERM; sleep 60 & wait'])


def test_a_child_that_ignores_sigterm_is_killed_with_its_own_children():
    stubborn = ForkedChild("stubborn", _stubborn)
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


def _sleeper() -> None:
    time.sleep(60)


def test_a_forked_child_is_named_answers_like_a_process_and_reports_its_exit():
    child = ForkedChild("sleeper", _sleeper)
    deadline = time.monotonic() + 5
    while process_title(child.pid) != b"fedinode-sleeper\x00" and time.monotonic() < deadline:
        time.sleep(0.02)
    assert process_title(child.pid).rstrip(b"\x00") == b"fedinode-sleeper"
    assert os.getpgid(child.pid) == child.pid  # a group of its own: stopping it reaches what it starts
    assert child.poll() is None

    child.send_signal(signal.SIGTERM)
    assert child.wait(timeout=5) == -signal.SIGTERM


def _exits_with_three() -> int:
    return 3


def _raises() -> None:
    raise RuntimeError("broken")


def test_a_forked_childs_exit_code_is_its_function_result_or_1_on_an_error():
    assert ForkedChild("three", _exits_with_three).wait(timeout=10) == 3
    assert ForkedChild("broken", _raises).wait(timeout=10) == 1


def test_run_migrates_only_when_a_migration_is_pending(db):
    """`run` skips `migrate` (its checks and post_migrate's model states) when nothing is to apply."""
    from django.db.migrations.recorder import MigrationRecorder

    from operations.management.commands.run import migrations_pending

    assert not migrations_pending("default")
    MigrationRecorder.Migration.objects.filter(app="posts").order_by("-id")[:1].get().delete()
    assert migrations_pending("default")
