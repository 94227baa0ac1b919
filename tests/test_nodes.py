"""The test harness itself (tests/nodes.py): a node's probe answers as a fresh `fediverse-node` process would."""

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.nodes import (
    NODE_SETTINGS_VARIABLE,
    ZYGOTE_VARIABLE,
    ForkedProcess,
    Node,
    descendants,
    node_children,
    process_stat,
    process_title,
    process_tree,
    wait_until,
)

COUNT = "from actors.models import Actor\nprint(json.dumps(Actor.objects.filter(local=True).count()))"


@pytest.fixture
def node():
    node = Node("harness")
    node.database_from_template()  # a migrated database without starting the node's processes
    yield node
    node.cleanup()


def test_the_probe_sees_what_other_processes_wrote_since(node):
    # A command that leaves a read transaction open would pin SQLite's snapshot, were its connection kept.
    assert node.query("from django.db import connection\nconnection.cursor().execute('BEGIN')\n" + COUNT) == 0
    written = node.run_cli("createorg", "verein", "--email", "v@example.org", "--password", "verein-pass-1")
    assert written.returncode == 0, written.stderr
    assert node.query(COUNT) == 1


def test_the_probe_keeps_no_memory_cache_between_commands(node):
    node.query("from django.core.cache import cache\ncache.set('probe-test', 7)\nprint(json.dumps(cache.get('probe-test')))")
    remembered = node.query("from django.core.cache import cache\nprint(json.dumps(cache.get('probe-test')))")
    # The embedded default caches in process memory (a new process starts empty); Redis is shared by every process.
    assert remembered == (7 if os.environ.get("FEDINODE_TEST_BACKEND") == "postgres" else None)


def test_cli_fails_like_the_command_line(node):
    node.cli("createorg", "verein", "--email", "v@example.org", "--password", "verein-pass-1")
    with pytest.raises(RuntimeError, match="taken"):
        node.cli("createorg", "verein", "--email", "x@example.org", "--password", "x-pass-1234")
    real = node.run_cli("createorg", "verein", "--email", "x@example.org", "--password", "x-pass-1234")
    assert real.returncode != 0 and "taken" in real.stderr


def test_shared_node_is_started_once_per_test_process(shared_node):
    first = shared_node("shared")
    assert first.get_json(f"{first.base}/.well-known/nodeinfo")["links"]
    assert shared_node("shared") is first


def test_test_nodes_hash_passwords_fast_and_benchmark_nodes_as_deployed(node, monkeypatch):
    node.cli("createorg", "verein", "--email", "v@example.org", "--password", "verein-pass-1")
    stored = "from django.contrib.auth.models import User\nprint(json.dumps(User.objects.get().password))"
    assert node.query(stored).startswith("md5$")  # tests/node_settings.py, set by tests/conftest.py
    monkeypatch.delenv(NODE_SETTINGS_VARIABLE)
    deployed = Node("deployed")
    try:
        assert deployed.env["DJANGO_SETTINGS_MODULE"] == "fediverse_node.settings"
    finally:
        deployed.cleanup()


def _children_of_this_process() -> list[tuple[int, str]]:
    """(pid, state) of this process's children, zombies included."""
    children = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (fields := process_stat(entry.name)) and int(fields[1]) == os.getpid():
            children.append((int(entry.name), fields[0]))
    return children


def test_a_node_forked_by_the_zygote_runs_as_the_command_and_leaves_no_zombie(start_node):
    """tests/node_zygote.py: the node's supervisor is this process's child (handed over as to a subreaper), named
    and sized as `fediverse-node run` names its processes, and a kill reaps all of them."""
    node = start_node("zygote", env={"FEDINODE_WORKER_PROCESSES": "2"})
    assert isinstance(node.process, ForkedProcess)
    assert node.process.pid in [pid for pid, _ in _children_of_this_process()]
    assert process_title(node.process.pid).startswith(b"fedinode-run")
    wait_until(lambda: len(node_children(node, b"[celeryd: worker")) == 2, message="two Celery workers, by title")
    assert node_children(node, b"fedinode-web")
    assert node.query(COUNT) == 0
    assert isinstance(node._probe, ForkedProcess)
    assert process_title(node._probe.pid).startswith(f"{sys.executable} ".encode())
    processes = {node.process.pid, *descendants(process_tree(), node.process.pid)}
    node.kill()
    assert node.process.returncode == -signal.SIGKILL
    # its processes are handed to this one as their parents die: each is waited for, none is left a zombie
    assert [pid for pid, state in _children_of_this_process() if pid in processes] == []


def test_without_the_zygote_a_node_is_a_fresh_interpreter(monkeypatch, start_node):
    monkeypatch.setenv(ZYGOTE_VARIABLE, "0")
    node = start_node("fresh")
    assert isinstance(node.process, subprocess.Popen)
    assert process_title(node.process.pid).startswith(b"fedinode-run")
