"""Fixtures of the interop tests."""

import pytest

from tests.interop.fedify_peer import FedifyPeer
from tests.nodes import free_loopback_address


@pytest.fixture
def peer(fedify_available):
    """An independent Fedify server on a loopback address of its own, with one Person, `fedi`."""
    host, port = free_loopback_address()
    with FedifyPeer(host, port, name="fedi") as peer:
        yield peer
