"""Bad input at the inbox: each refusal has its status and a readable message, and nothing is stored."""

from datetime import UTC, datetime, timedelta

import orjson
import pytest

from actors.services.local import organization_create
from fediverse_node.protocol.keys import load_private_key
from fediverse_node.protocol.signatures import sign_cavage
from inbox.models import InboxItem
from tests.interop.bovine_peer import BovinePeer

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def peer():
    with BovinePeer() as peer:
        yield peer


@pytest.fixture
def target():
    return organization_create(username="ziel", email="z@example.org", password="ziel-pass-1")


def follow_of(peer: BovinePeer, target) -> dict:
    return {
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": f"{peer.base}/follows/1",
        "type": "Follow",
        "actor": peer.actor_id,
        "object": target.uri,
    }


def post(client, body: bytes, headers: dict):
    extra = {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in headers.items() if k.lower() != "host"}
    return client.post(
        "/inbox", data=body, content_type="application/activity+json", HTTP_HOST="testserver", **extra
    )


def cavage_headers(peer: BovinePeer, body: bytes, *, now=None, key_id=None, private_pem=None) -> dict:
    return sign_cavage(
        method="POST", url="http://testserver/inbox", body=body, key_id=key_id or f"{peer.actor_id}#main-key",
        private_key=load_private_key(private_pem or peer.private_pem), now=now,
    )


def assert_refused(response, status: int):
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    assert orjson.loads(response.content)["error"]
    assert InboxItem.objects.count() == 0


def test_signed_follow_is_accepted(client, peer, target):
    body = orjson.dumps(follow_of(peer, target))
    response = post(client, body, cavage_headers(peer, body))
    assert response.status_code == 202, response.content
    assert InboxItem.objects.filter(activity_id=f"{peer.base}/follows/1").exists()


def test_unsigned_post_is_401(client, peer, target):
    assert_refused(post(client, orjson.dumps(follow_of(peer, target)), {}), 401)


def test_signature_by_another_actors_key_is_401(client, peer, target):
    with BovinePeer("other") as other:
        body = orjson.dumps(follow_of(peer, target))
        headers = cavage_headers(peer, body, key_id=f"{other.actor_id}#main-key", private_pem=other.private_pem)
        assert_refused(post(client, body, headers), 401)


def test_forged_signature_is_401(client, peer, target):
    with BovinePeer("forger") as forger:
        body = orjson.dumps(follow_of(peer, target))
        # The peer's key id, but signed with someone else's private key.
        assert_refused(post(client, body, cavage_headers(peer, body, private_pem=forger.private_pem)), 401)


def test_stale_date_is_401(client, peer, target):
    body = orjson.dumps(follow_of(peer, target))
    stale = datetime.now(UTC) - timedelta(hours=13)
    assert_refused(post(client, body, cavage_headers(peer, body, now=stale)), 401)


def test_tampered_body_is_401(client, peer, target):
    body = orjson.dumps(follow_of(peer, target))
    headers = cavage_headers(peer, body)
    assert_refused(post(client, body.replace(b"Follow", b"Block"), headers), 401)


def test_body_over_the_cap_is_413(client, peer, target, settings):
    settings.FEDINODE_INBOX_MAX_BYTES = 1000
    activity = follow_of(peer, target) | {"padding": "x" * 2000}
    body = orjson.dumps(activity)
    assert_refused(post(client, body, cavage_headers(peer, body)), 413)


def test_not_json_is_400(client, peer, target):
    body = b"this is not json"
    assert_refused(post(client, body, cavage_headers(peer, body)), 400)


def test_bovine_signed_post_is_accepted_over_http(live_server, peer, target):
    """bovine signs (request-target) host date digest content-type: a real peer's choice of headers."""
    activity = follow_of(peer, target)
    status, text = peer.post(f"{live_server.url}/inbox", activity)
    assert status == 202, text


def test_nul_character_is_400_on_every_back_end(client, peer, target):
    body = orjson.dumps({**follow_of(peer, target), "summary": "a\x00b"})
    assert b"\\u0000" in body
    assert_refused(post(client, body, cavage_headers(peer, body)), 400)
