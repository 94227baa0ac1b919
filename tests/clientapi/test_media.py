"""Media through the client API: upload (v1 and v2), alt text, posting with media, refusals, federation."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from PIL import Image

from posts import activities as render
from posts.models import Attachment, Post

pytestmark = pytest.mark.django_db


def png(size=(64, 48)) -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", size, (10, 120, 60)).save(out, "PNG")
    return SimpleUploadedFile("bild.png", out.getvalue(), content_type="image/png")


@pytest.mark.parametrize("path", ["/api/v2/media", "/api/v1/media"])
def test_upload_answers_200_with_url_and_alt_text(api, path):
    response = api.post(path, {"file": png(), "description": "Kinder beim Gärtnern", "focus": "0.1,0.2"})
    assert response.status_code == 200, response.content
    media = response.json()
    assert media["type"] == "image" and media["url"].startswith("http://testserver/media/attachments/")
    assert media["preview_url"] and media["blurhash"] and media["description"] == "Kinder beim Gärtnern"
    assert media["meta"]["original"]["width"] == 64 and media["meta"]["focus"] == {"x": 0.1, "y": 0.2}


def test_alt_text_by_put_then_post_with_media_federates_as_image_with_name(api):
    media = api.post("/api/v2/media", {"file": png()}).json()
    assert api.get(f"/api/v1/media/{media['id']}").json()["description"] is None
    changed = api.put(f"/api/v1/media/{media['id']}", {"description": "Ein Garten"})
    assert changed.status_code == 200 and changed.json()["description"] == "Ein Garten"
    status = api.post("/api/v1/statuses", {"status": "", "media_ids[]": [media["id"]]}).json()
    assert [m["id"] for m in status["media_attachments"]] == [media["id"]]
    note = render.post_object(Post.objects.get(id=status["id"]))
    assert note["attachment"][0]["type"] == "Image" and note["attachment"][0]["name"] == "Ein Garten"
    assert note["attachment"][0]["url"].startswith("http://testserver/media/")
    edited = api.put(f"/api/v1/statuses/{status['id']}", {
        "status": "Mit Text", "media_ids[]": [media["id"]],
        "media_attributes[][id]": media["id"], "media_attributes[][description]": "Der Garten",
    }).json()
    assert edited["media_attachments"][0]["description"] == "Der Garten"


def test_someone_elses_media_is_not_found_and_reuse_is_refused(api, org):
    from .conftest import Api, issue_token, make_org

    other = Api(issue_token(make_org()))
    media = other.post("/api/v2/media", {"file": png()}).json()
    assert api.get(f"/api/v1/media/{media['id']}").status_code == 404
    assert api.post("/api/v1/statuses", {"status": "x", "media_ids[]": [media["id"]]}).status_code == 422
    mine = api.post("/api/v2/media", {"file": png()}).json()
    api.post("/api/v1/statuses", {"status": "eins", "media_ids[]": [mine["id"]]})
    again = api.post("/api/v1/statuses", {"status": "zwei", "media_ids[]": [mine["id"]]})
    assert again.status_code == 422 and Post.objects.count() == 1


def test_non_image_missing_file_and_oversized_uploads_get_422(api):
    bad = api.post("/api/v2/media", {"file": SimpleUploadedFile("x.txt", b"hello", content_type="text/plain")})
    assert bad.status_code == 422 and "not an image" in bad.json()["error"]
    assert api.post("/api/v2/media", {"description": "no file"}).status_code == 422
    with override_settings(FEDINODE_MEDIA_MAX_BYTES=100):
        big = api.post("/api/v2/media", {"file": png((300, 300))})
    assert big.status_code == 422 and "larger" in big.json()["error"]
    assert not Attachment.objects.exists()


def test_media_needs_write_media_scope(org):
    from .conftest import Api, issue_token

    reader = Api(issue_token(org, scope="read"))
    assert reader.post("/api/v2/media", {"file": png()}).status_code == 403


def test_avatar_upload_through_update_credentials(api):
    response = api.patch("/api/v1/accounts/update_credentials", {"avatar": png((500, 500))})
    assert response.status_code == 200, response.content
    assert "/media/attachments/" in response.json()["avatar"]
