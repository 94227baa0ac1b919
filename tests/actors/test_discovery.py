"""Actor documents, content negotiation, WebFinger, host-meta, NodeInfo and the paged collections."""

import orjson
import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from actors.models import Follow, FollowState
from actors.services.local import actor_create_local, organization_create

pytestmark = pytest.mark.django_db

AS_JSON = "application/activity+json"
LD_JSON = 'application/ld+json; profile="https://www.w3.org/ns/activitystreams"'


@pytest.fixture
def org():
    return organization_create(
        username="kita", email="kita@example.org", password="kita-pass-1", display_name="Kita e.V.", city="Berlin"
    )


@pytest.mark.parametrize("accept", [AS_JSON, LD_JSON])
def test_actor_document(client, org, accept):
    response = client.get("/actors/kita", HTTP_ACCEPT=accept)
    assert response.status_code == 200
    assert response["Content-Type"].startswith(AS_JSON)
    doc = orjson.loads(response.content)
    assert doc["id"] == "http://testserver/actors/kita"
    assert doc["type"] == "Organization"
    assert doc["preferredUsername"] == "kita"
    for key in ("inbox", "outbox", "followers", "following"):
        assert doc[key].startswith("http://testserver/actors/kita")
    assert doc["url"] == "http://testserver/members/kita/"  # its page in the site's design
    assert doc["endpoints"]["sharedInbox"] == "http://testserver/inbox"
    assert doc["publicKey"]["owner"] == doc["id"]
    assert doc["publicKey"]["publicKeyPem"].startswith("-----BEGIN PUBLIC KEY-----")
    assert doc["attachment"] == [{"type": "PropertyValue", "name": "Ort", "value": "Berlin"}]
    assert doc["discoverable"] is True and doc["manuallyApprovesFollowers"] is False


def test_actor_html_for_browsers(client, org):
    response = client.get("/actors/kita", HTTP_ACCEPT="text/html", follow=True)
    assert response.status_code == 200 and response.redirect_chain[-1][0] == "http://testserver/members/kita/"
    assert response["Content-Type"].startswith("text/html")
    assert b"Kita e.V." in response.content


def test_unknown_actor_is_404_json(client):
    response = client.get("/actors/nobody", HTTP_ACCEPT=AS_JSON)
    assert response.status_code == 404
    assert "error" in orjson.loads(response.content)


@pytest.mark.parametrize("resource", ["acct:kita@testserver", "acct:@kita@testserver", "http://testserver/actors/kita"])
def test_webfinger(client, org, resource):
    response = client.get("/.well-known/webfinger", {"resource": resource})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/jrd+json")
    jrd = orjson.loads(response.content)
    assert jrd["subject"] == "acct:kita@testserver"
    assert "http://testserver/actors/kita" in jrd["aliases"]
    links = {link["rel"]: link for link in jrd["links"]}
    assert links["self"]["href"] == "http://testserver/actors/kita"
    assert links["self"]["type"] == AS_JSON
    assert links["http://webfinger.net/rel/profile-page"]["type"] == "text/html"


def test_webfinger_errors(client, org):
    assert client.get("/.well-known/webfinger").status_code == 400
    # RFC 7033 §4.2: a resource that is not a URI is malformed, 400 (also past the cached fast path)
    for malformed in ("kita@testserver", "=acct:kita@testserver", "@kita@testserver"):
        answer = client.get("/.well-known/webfinger", {"resource": malformed})
        assert answer.status_code == 400 and "error" in orjson.loads(answer.content), malformed
    assert client.get("/.well-known/webfinger?resource==acct:kita@testserver").status_code == 400
    assert client.get("/.well-known/webfinger", {"resource": "acct:nobody@testserver"}).status_code == 404
    assert client.get("/.well-known/webfinger", {"resource": "acct:kita@elsewhere.example"}).status_code == 404


def test_host_meta(client):
    response = client.get("/.well-known/host-meta")
    assert response.status_code == 200
    assert b'template="http://testserver/.well-known/webfinger?resource={uri}"' in response.content


@pytest.mark.parametrize("version", ["2.0", "2.1"])
def test_nodeinfo(client, org, version):
    links = orjson.loads(client.get("/.well-known/nodeinfo").content)["links"]
    href = next(link["href"] for link in links if link["rel"].endswith(version))
    doc = orjson.loads(client.get(href.removeprefix("http://testserver")).content)
    assert doc["version"] == version
    assert doc["protocols"] == ["activitypub"]
    assert doc["usage"]["users"]["total"] == 1
    assert doc["metadata"]["upstream"]["name"] == "mastodon"


def test_followers_collection_is_paged(client, org):
    for number in range(25):
        follower = actor_create_local(username=f"f{number}")
        Follow.objects.create(follower=follower, target=org, uri=f"{follower.uri}#f", state=FollowState.ACCEPTED)
    pending = actor_create_local(username="pending")
    Follow.objects.create(follower=pending, target=org, uri=f"{pending.uri}#f")
    collection = orjson.loads(client.get("/actors/kita/followers", HTTP_ACCEPT=AS_JSON).content)
    assert collection["type"] == "OrderedCollection" and collection["totalItems"] == 25
    page1 = orjson.loads(client.get("/actors/kita/followers?page=1").content)
    page2 = orjson.loads(client.get(page1["next"].removeprefix("http://testserver")).content)
    assert page1["type"] == "OrderedCollectionPage"
    assert len(page1["orderedItems"]) == 20 and len(page2["orderedItems"]) == 5
    assert "next" not in page2 and pending.uri not in page1["orderedItems"] + page2["orderedItems"]
    assert orjson.loads(client.get("/actors/kita/followers?page=99").content)["orderedItems"] == []
    assert orjson.loads(client.get("/actors/kita/followers?page=abc").content)["orderedItems"]


def test_discovery_documents_and_media_are_readable_by_web_apps(client, org):
    for path in ("/.well-known/host-meta", "/.well-known/nodeinfo", "/nodeinfo/2.0", "/nodeinfo/2.1"):
        response = client.get(path, HTTP_ORIGIN="https://phanpy.social")
        assert response.status_code == 200 and response["Access-Control-Allow-Origin"] == "*", path
    name = default_storage.save("cors-test/bild.png", ContentFile(b"\x89PNG\r\n\x1a\n"))
    try:
        media = client.get(f"/media/{name}", HTTP_ORIGIN="https://phanpy.social")
        assert media.status_code == 200 and media["Access-Control-Allow-Origin"] == "*"
    finally:
        default_storage.delete(name)


@pytest.mark.parametrize("version", ["2.0", "2.1"])
def test_nodeinfo_names_mastodon_to_web_apps_and_itself_to_servers(client, org, version):
    # Phanpy keys alt-text editing on software.name == "mastodon" (src/utils/supports.js); Elk only on "gotosocial".
    app = orjson.loads(client.get(f"/nodeinfo/{version}", HTTP_ORIGIN="https://phanpy.social").content)
    server = orjson.loads(client.get(f"/nodeinfo/{version}").content)
    own = orjson.loads(client.get(f"/nodeinfo/{version}", HTTP_ORIGIN="http://testserver").content)
    assert app["software"]["name"] == "mastodon"
    assert server["software"]["name"] == own["software"]["name"] == "fediverse-node"
    assert app["metadata"]["software"]["name"] == server["metadata"]["software"]["name"] == "fediverse-node"
    assert "Origin" in client.get(f"/nodeinfo/{version}")["Vary"]
