"""Image uploads: upright, metadata stripped, scaled, thumbnailed, blurhashed; bad files refused, nothing left."""

import io

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from PIL import Image

from actors.services.local import actor_create_local
from posts.models import Attachment
from posts.services.media import MediaError, media_create, media_update

pytestmark = pytest.mark.django_db
GPS_IFD = 0x8825
ORIENTATION = 0x0112


def jpeg_with_gps(width=300, height=200, *, rotate_tag: int = 6) -> bytes:
    image = Image.new("RGB", (width, height), (200, 30, 30))
    exif = Image.Exif()
    exif[ORIENTATION] = rotate_tag  # 6: the camera was turned; viewers rotate 90° clockwise
    exif[0x010F] = "Kamera GmbH"
    exif.get_ifd(GPS_IFD).update({1: "N", 2: (52.0, 31.0, 12.0), 3: "E", 4: (13.0, 24.0, 36.0)})
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return out.getvalue()


def upload(data: bytes, name: str = "photo.jpg", content_type: str = "image/jpeg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


@pytest.fixture
def owner():
    return actor_create_local(username="bildstelle")


def stored(attachment: Attachment) -> Image.Image:
    with default_storage.open(attachment.file.name) as handle:
        image = Image.open(io.BytesIO(handle.read()))
        image.load()
        return image


def test_jpeg_is_turned_upright_and_loses_exif_and_gps(owner):
    attachment = media_create(owner=owner, upload=upload(jpeg_with_gps()), description="Ein rotes Bild", focus="0.5,-0.25")
    image = stored(attachment)
    assert (image.width, image.height) == (200, 300) == (attachment.width, attachment.height)
    assert not image.getexif() and "exif" not in image.info
    assert attachment.media_type == "image/jpeg" and attachment.description == "Ein rotes Bild"
    assert (attachment.focus_x, attachment.focus_y) == (0.5, -0.25)
    assert attachment.blurhash and attachment.thumbnail.name
    assert "photo" not in attachment.file.name  # never the client's file name


def test_large_image_is_scaled_and_png_with_alpha_stays_png(owner):
    out = io.BytesIO()
    Image.new("RGBA", (4000, 1000), (0, 0, 255, 128)).save(out, "PNG")
    attachment = media_create(owner=owner, upload=upload(out.getvalue(), "a.png", "image/png"))
    image = stored(attachment)
    assert image.format == "PNG" and image.mode == "RGBA" and max(image.size) == 1920
    with default_storage.open(attachment.thumbnail.name) as handle:
        assert max(Image.open(handle).size) == 400


@pytest.mark.parametrize(
    "data, message",
    [
        (b"%PDF-1.4 not an image at all", "not an image"),
        (b"", "not an image"),
        (jpeg_with_gps()[:200], "not an image"),  # truncated
    ],
)
def test_non_images_are_refused_and_nothing_is_stored(owner, data, message):
    before = set(_all_files())
    with pytest.raises(MediaError, match=message):
        media_create(owner=owner, upload=upload(data))
    assert not Attachment.objects.exists() and set(_all_files()) == before


@override_settings(FEDINODE_MEDIA_MAX_BYTES=1000)
def test_oversized_upload_is_refused(owner):
    with pytest.raises(MediaError, match="larger than"):
        media_create(owner=owner, upload=upload(jpeg_with_gps(900, 900)))
    assert not Attachment.objects.exists()


@pytest.mark.parametrize("focus", ["2,0", "a,b", "0.5"])
def test_bad_focus_and_long_description_are_refused(owner, focus):
    with pytest.raises(MediaError):
        media_create(owner=owner, upload=upload(jpeg_with_gps()), focus=focus)
    with pytest.raises(MediaError):
        media_create(owner=owner, upload=upload(jpeg_with_gps()), description="x" * 1501)


def test_alt_text_can_be_changed(owner):
    attachment = media_create(owner=owner, upload=upload(jpeg_with_gps()))
    media_update(attachment=attachment, description="Neuer Alternativtext", focus="0,1")
    attachment.refresh_from_db()
    assert attachment.description == "Neuer Alternativtext" and attachment.focus_y == 1.0


def _all_files():
    found = []

    def walk(path):
        try:
            dirs, files = default_storage.listdir(path)
        except FileNotFoundError:
            return
        found.extend(f"{path}/{f}" for f in files)
        for d in dirs:
            walk(f"{path}/{d}")

    walk("attachments")
    return found
