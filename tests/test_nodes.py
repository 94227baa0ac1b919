"""The test harness itself (tests/nodes.py): a node's probe answers as a fresh `fediverse-node` process would."""

import os

import pytest

from tests.nodes import NODE_SETTINGS_VARIABLE, Node

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
