"""Shared fixtures: real node processes for federation and interop tests."""

import os

import pytest

from tests.nodes import Node


def pytest_collection_modifyitems(config, items):
    """Federation and interop tests start processes; they are marked so they can be chosen or left out."""
    for item in items:
        path = str(item.fspath)
        if f"{os.sep}federation{os.sep}" in path:
            item.add_marker(pytest.mark.federation)
        if f"{os.sep}interop{os.sep}" in path:
            item.add_marker(pytest.mark.interop)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)


@pytest.fixture
def start_node(request):
    """A factory of started nodes, all stopped (and their data removed) after the test."""
    nodes: list[Node] = []

    def start(name: str = "node", *, demo: bool = False, env: dict | None = None) -> Node:
        node = Node(name, env=env)
        nodes.append(node)
        return node.start(demo=demo)

    yield start
    for node in nodes:
        node.stop()
    failed = getattr(getattr(request.node, "rep_call", None), "failed", False)
    for node in nodes:
        if failed:
            print(f"--- log of {node.name} ---\n{node.log_text()}")
        node.cleanup()


@pytest.fixture(scope="session")
def nodejs_available():
    """Node.js runs the Fedify peer and masto.js: a laptop without it skips, CI without it fails."""
    import shutil

    if shutil.which("node") is None or shutil.which("npm") is None:
        if os.environ.get("CI"):
            pytest.fail("Node.js and npm are needed for the interop tests with Node peers and clients in CI")
        pytest.skip("Node.js not installed")


@pytest.fixture(scope="session")
def fedify_available(nodejs_available):
    """The Fedify peer needs Node.js (see nodejs_available)."""
