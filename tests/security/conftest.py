"""The cast of the hostile cases, for every file of tests/security."""

import pytest

from actors.services.local import organization_create
from actors.services.remote import actor_fetch
from tests.interop.bovine_peer import BovinePeer

from .hostile import World, add_mate


@pytest.fixture
def world():
    with BovinePeer("sender") as peer, BovinePeer("bystander") as other:
        mate_id, mate_pem = add_mate(peer)
        target = organization_create(username="ziel", email="ziel@example.org", password="ziel-pass-1")
        # Known beforehand, so that a case's own fetches do not show up as changes.
        actor_fetch(peer.actor_id)
        actor_fetch(other.actor_id)
        actor_fetch(mate_id)
        yield World(peer=peer, other=other, target=target, mate_id=mate_id, mate_private_pem=mate_pem)
