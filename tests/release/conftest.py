"""The release check runs once per suite run: in the embedded pass (it covers the three back-ends itself)."""

import os
import shutil

import pytest

from tests.interop.fedify_peer import FedifyPeer
from tests.nodes import free_loopback_address
from tests.release.installed import Release, release_folder


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "release" in item.nodeid.split("/"):
            item.add_marker(pytest.mark.release)
            # the first test also waits for the build and the install (minutes on a loaded machine)
            item.add_marker(pytest.mark.timeout(1200))


@pytest.fixture(autouse=True)
def _embedded_pass_only():
    if os.environ.get("FEDINODE_TEST_BACKEND", "embedded") != "embedded":
        pytest.skip("the release check runs in the embedded pass (it starts all three back-ends itself)")


@pytest.fixture(scope="session")
def release(tmp_path_factory) -> Release:
    """The wheel and sdist, built and installed into a fresh virtual environment once per test session."""
    release = Release(release_folder(tmp_path_factory.getbasetemp())).prepare()
    yield release
    if not os.environ.get("PYTEST_XDIST_WORKER") and not os.environ.get("FEDINODE_RELEASE_DIR"):
        shutil.rmtree(release.folder, ignore_errors=True)  # under xdist pytest's own clean-up removes it


@pytest.fixture(scope="module")
def fedify_peer(fedify_available):
    host, port = free_loopback_address()
    with FedifyPeer(host, port, name="release") as peer:
        yield peer
