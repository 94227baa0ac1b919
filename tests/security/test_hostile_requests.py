"""Hostile cases, round two: key documents whose owner cannot be fetched, uploads that carry metadata or bombs,
OAuth requests from other sites and the staff form's `next`. Each is answered
with a clear 4xx (or handled safely) and changes nothing."""

import io
import struct
import zlib

import orjson
import pytest
from django.contrib.auth import get_user_model
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from oauth2_provider.models import Application, Grant
from PIL import Image

from inbox.models import InboxItem
from posts.models import Attachment, Post
from posts.services.media import media_create
from posts.services.publishing import post_create
from tests.clientapi.conftest import Api, issue_token

from .hostile import World, peer_headers, post_to_inbox, stored_state

pytestmark = pytest.mark.django_db(transaction=True)


# ---------------------------------------------------------------- 1. key documents whose owner fails (401, not 500)

def _key_document(world: World, slug: str, **fields) -> str:
    key_id = f"{world.peer.base}/keys/{slug}"
    world.peer.serve({
        "@context": "https://w3id.org/security/v1", "id": key_id, "type": "CryptographicKey",
        "publicKeyPem": world.peer.public_pem, **fields,
    })
    return key_id


def owner_that_is_not_served(world):
    return _key_document(world, "gone", owner=f"{world.peer.base}/gone")


def owner_on_a_refused_scheme(world):
    return _key_document(world, "script", owner="javascript:alert(1)")


def owner_that_is_no_actor(world):
    return _key_document(world, "nojson", owner=f"{world.peer.base}/keys/nojson?raw")


def key_document_whose_type_is_a_list(world):
    return _key_document(world, "listtype", type=["CryptographicKey", "Key"], owner=f"{world.peer.base}/gone")


def key_document_whose_owner_is_another_origin(world):
    return _key_document(world, "elsewhere", owner=world.other.actor_id)


@pytest.mark.parametrize("build", [
    owner_that_is_not_served, owner_on_a_refused_scheme, owner_that_is_no_actor,
    key_document_whose_type_is_a_list, key_document_whose_owner_is_another_origin,
], ids=lambda f: f.__name__)
def test_a_key_whose_owner_cannot_be_used_is_401(client, world, build):
    key_id = build(world)
    body = orjson.dumps(world.follow())
    before = stored_state()
    response = post_to_inbox(client, body, peer_headers(world, body, key_id=key_id))
    assert response.status_code == 401, response.content
    assert orjson.loads(response.content)["error"]
    assert InboxItem.objects.count() == 0
    assert stored_state() == before


# ---------------------------------------------------------------- 2. uploads

def jpeg_with_comment() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (120, 80), (200, 10, 10)).save(out, "JPEG", comment=b"Standort: Geheimweg 1, Berlin")
    return out.getvalue()


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def png_with_a_ztxt_bomb() -> bytes:
    """A valid 20x20 PNG carrying a zTXt chunk of ~50 KB that inflates to 64 MB: Pillow refuses it with ValueError."""
    out = io.BytesIO()
    Image.new("RGB", (20, 20), (0, 90, 200)).save(out, "PNG")
    png = out.getvalue()
    text = b"Comment\x00\x00" + zlib.compress(b"A" * (64 * 1024 * 1024), 9)
    return png[:33] + _png_chunk(b"zTXt", text) + png[33:]  # after the 8-byte signature and the IHDR chunk


def _stored_bytes(name: str) -> bytes:
    with default_storage.open(name) as handle:
        return handle.read()


def test_a_jpeg_comment_does_not_survive(world):
    assert b"Geheimweg" in jpeg_with_comment()
    upload = SimpleUploadedFile("c.jpg", jpeg_with_comment(), content_type="image/jpeg")
    attachment = media_create(owner=world.target, upload=upload)
    for name in (attachment.file.name, attachment.thumbnail.name):
        raw = _stored_bytes(name)
        assert b"Geheimweg" not in raw
        assert "comment" not in Image.open(io.BytesIO(raw)).info


def test_a_png_with_a_ztxt_bomb_is_422(world):
    api = Api(issue_token(world.target, scope="write:media"))
    before = (Attachment.objects.count(), stored_state())
    upload = SimpleUploadedFile("z.png", png_with_a_ztxt_bomb(), content_type="image/png")
    response = api.post("/api/v1/media", {"file": upload})
    assert response.status_code == 422, response.content
    assert "not an image we can read" in orjson.loads(response.content)["error"]
    assert (Attachment.objects.count(), stored_state()) == before


# ---------------------------------------------------------------- 3. OAuth pages asked by another site

@pytest.fixture
def app(db):
    return Application.objects.create(
        name="an app", client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE, redirect_uris="https://app.example/cb",
    )


def _authorize_query(app, **extra) -> dict:
    return {"client_id": app.client_id, "redirect_uri": "https://app.example/cb", "response_type": "code",
            "scope": "read", **extra}


def test_a_get_with_force_login_logs_nobody_out(world, app):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(world.target.user)
    response = browser.get("/oauth/authorize", _authorize_query(app, force_login="true"))
    assert response.status_code == 200
    assert "_auth_user_id" in browser.session  # still logged in
    assert 'name="switch_account"' in response.content.decode()
    # a cross-site POST (no CSRF token) cannot do it either
    response = browser.post("/oauth/authorize", {**_authorize_query(app), "switch_account": "1"})
    assert response.status_code == 403
    assert "_auth_user_id" in browser.session


def test_switching_accounts_takes_the_confirming_post(world, app):
    browser = Client()
    browser.force_login(world.target.user)
    response = browser.post("/oauth/authorize", {**_authorize_query(app), "switch_account": "1"})
    assert response.status_code == 302 and response["Location"].startswith("/auth/login/")
    assert "_auth_user_id" not in browser.session
    assert Grant.objects.count() == 0


@pytest.mark.parametrize("challenge", [
    pytest.param({"code_challenge": "x" * 43, "code_challenge_method": "plain"}, id="plain"),
    pytest.param({"code_challenge": "x" * 43}, id="no_method_means_plain"),
    pytest.param({"code_challenge": "x" * 43, "code_challenge_method": "S512"}, id="unknown_method"),
])
def test_pkce_other_than_s256_is_refused(world, app, challenge):
    browser = Client()
    browser.force_login(world.target.user)
    response = browser.get("/oauth/authorize", _authorize_query(app, **challenge))
    assert response.status_code == 400
    assert "S256" in response.content.decode()
    response = browser.post("/oauth/authorize", {**_authorize_query(app, **challenge), "decision": "allow"})
    assert response.status_code == 400
    assert Grant.objects.count() == 0


def test_pkce_s256_is_accepted(world, app):
    """The control of the PKCE cases."""
    browser = Client()
    browser.force_login(world.target.user)
    challenge = {"code_challenge": "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM", "code_challenge_method": "S256"}
    assert browser.get("/oauth/authorize", _authorize_query(app, **challenge)).status_code == 200
    response = browser.post("/oauth/authorize", {**_authorize_query(app, **challenge), "decision": "allow"})
    assert response.status_code == 302 and response["Location"].startswith("https://app.example/cb?code=")
    assert Grant.objects.get().code_challenge_method == "S256"


# ---------------------------------------------------------------- 4. the staff hide/show form's `next`

@pytest.mark.parametrize("target, expected", [
    pytest.param("https://evil.example/phish", "/moderation/", id="another_site"),
    pytest.param("//evil.example/phish", "/moderation/", id="protocol_relative"),
    pytest.param("/\\evil.example/phish", "/moderation/", id="backslash_trick"),
    pytest.param("javascript:alert(1)", "/moderation/", id="javascript"),
    pytest.param("moderation", "/moderation/", id="not_a_path"),
    pytest.param("/members/", "/members/", id="a_path_here_is_kept"),
])
def test_the_hide_form_redirects_only_to_a_path_here(world, target, expected):
    post = post_create(author=world.target, text="Hallo")
    staff = get_user_model().objects.create_user("staff", "staff@example.org", "staff-pass-1", is_staff=True)
    browser = Client()
    browser.force_login(staff)
    response = browser.post(f"/moderation/posts/{post.id}", {"hide": "1", "next": target})
    assert response.status_code == 302
    assert response["Location"] == expected
    assert Post.objects.get(id=post.id).hidden_from_feed
