"""Image uploads: checked, turned upright, stripped of metadata (EXIF, GPS), scaled, thumbnailed and blurhashed
at once, so the client API can answer with a URL (Mastodon.py and megalodon post right after uploading)."""

import io
import secrets
import warnings

import blurhash
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_noop
from PIL import Image, ImageOps, UnidentifiedImageError

from actors.models import Actor
from fediverse_node.errors import LocalizedError

from ..models import Attachment, Post

FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "GIF": "image/gif", "WEBP": "image/webp"}
MAX_PIXELS = 64_000_000  # refuse decompression bombs before decoding them
THUMBNAIL_SIDE = 400
MAX_DESCRIPTION = 1500


class MediaError(LocalizedError, ValueError):
    """An upload that cannot be used (the message says why, for the person uploading: `str()` in English,
    `localized()` in the page's language; the code says it to a form that words it itself)."""

    def __init__(self, message: str, code: str = "invalid", /, **params: object):
        super().__init__(message, **params)
        self.code = code


def focus_parse(text: str | None) -> tuple[float, float]:
    """Mastodon's focal point "x,y", both in [-1, 1]; none given is the centre."""
    if not text:
        return 0.0, 0.0
    try:
        x, y = (float(part) for part in str(text).split(","))
    except ValueError:
        raise MediaError(gettext_noop("The focus must be two numbers 'x,y' between -1 and 1.")) from None
    if not (-1 <= x <= 1 and -1 <= y <= 1):
        raise MediaError(gettext_noop("The focus must be two numbers 'x,y' between -1 and 1."))
    return x, y


def _description(text: str | None) -> str:
    text = (text or "").strip()
    if len(text) > MAX_DESCRIPTION:
        raise MediaError(gettext_noop("An image description has at most %(limit)d characters."), limit=MAX_DESCRIPTION)
    return text


def _too_large() -> MediaError:
    return MediaError(
        gettext_noop("The file is larger than %(mb)d MB."), "too_large", mb=settings.FEDINODE_MEDIA_MAX_BYTES // (1024 * 1024)
    )


def _open(upload) -> Image.Image:
    size = getattr(upload, "size", None)
    if size is not None and size > settings.FEDINODE_MEDIA_MAX_BYTES:
        raise _too_large()
    data = upload.read(settings.FEDINODE_MEDIA_MAX_BYTES + 1)
    if len(data) > settings.FEDINODE_MEDIA_MAX_BYTES:
        raise _too_large()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            if image.format not in FORMATS:
                raise MediaError(gettext_noop("The file is not an image we can read (JPEG, PNG, GIF or WebP)."), "not_image")
            if image.width * image.height > MAX_PIXELS:
                raise MediaError(gettext_noop("The image has too many pixels."), "too_many_pixels")
            image.load()
    except MediaError:
        raise
    # ValueError: Pillow's own limits, e.g. a PNG text chunk (zTXt) that would decompress past MAX_TEXT_CHUNK
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise MediaError(gettext_noop("The file is not an image we can read (JPEG, PNG, GIF or WebP)."), "not_image") from None
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise MediaError(gettext_noop("The image has too many pixels."), "too_many_pixels") from None
    return image


def _encode(image: Image.Image, *, keep_alpha: bool) -> tuple[bytes, str, str]:
    """Re-encode from pixels only: nothing of the original file's metadata survives."""
    out = io.BytesIO()
    if keep_alpha:
        image.save(out, "PNG", optimize=True)
        return out.getvalue(), "png", "image/png"
    image.convert("RGB").save(out, "JPEG", quality=85, optimize=True, progressive=True)
    return out.getvalue(), "jpg", "image/jpeg"


def _blurhash(image: Image.Image) -> str:
    small = image.convert("RGB")
    small.thumbnail((64, 64))
    return blurhash.encode(small, x_components=4, y_components=3)


def _pixels(source: Image.Image, *, side: int) -> tuple[Image.Image, bool]:
    """The picture upright, in RGB or RGBA, at most `side` pixels wide and high; and whether it keeps its alpha."""
    image = ImageOps.exif_transpose(source)  # turn upright before the orientation tag is dropped
    keep_alpha = image.mode in ("RGBA", "LA", "P") and (
        image.mode != "P" or "transparency" in image.info
    )
    image = image.convert("RGBA" if keep_alpha else "RGB")
    # What Pillow read besides the pixels (a JPEG comment, PNG text, ICC profile…) would be written out again by
    # save(): only the pixels go on.
    image.info.clear()
    image.thumbnail((side, side), Image.Resampling.LANCZOS)
    return image, keep_alpha


def media_check(upload) -> None:
    """Refuse an upload media_create would refuse (MediaError with a code), before anything is stored."""
    _open(upload)
    upload.seek(0)


def image_reencode(*, data: bytes, side: int) -> tuple[bytes, str]:
    """Bytes from elsewhere (a remote avatar) checked and re-encoded like an upload: (image bytes, media type)."""
    image, keep_alpha = _pixels(_open(ContentFile(data)), side=side)
    body, _, media_type = _encode(image, keep_alpha=keep_alpha)
    return body, media_type


def media_create(*, owner: Actor, upload, description: str = "", focus: str | None = None) -> Attachment:
    """Process an uploaded image and store it as an attachment not yet part of any post."""
    description = _description(description)
    focus_x, focus_y = focus_parse(focus)
    image, keep_alpha = _pixels(_open(upload), side=settings.FEDINODE_MEDIA_MAX_SIDE)
    body, extension, media_type = _encode(image, keep_alpha=keep_alpha)
    thumb = image.copy()
    thumb.thumbnail((THUMBNAIL_SIDE, THUMBNAIL_SIDE), Image.Resampling.LANCZOS)
    thumb_body, thumb_extension, _ = _encode(thumb, keep_alpha=keep_alpha)
    stem = f"attachments/{timezone.now():%Y/%m}/{secrets.token_hex(16)}"
    saved: list[str] = []
    try:
        saved.append(default_storage.save(f"{stem}.{extension}", ContentFile(body)))
        saved.append(default_storage.save(f"{stem}-small.{thumb_extension}", ContentFile(thumb_body)))
        with transaction.atomic():
            return Attachment.objects.create(
                owner=owner, file=saved[0], thumbnail=saved[1], media_type=media_type, description=description,
                width=image.width, height=image.height, blurhash=_blurhash(thumb), focus_x=focus_x,
                focus_y=focus_y,
            )
    except Exception:
        for name in saved:  # nothing half-written: no files without their row
            default_storage.delete(name)
        raise


def media_update(*, attachment: Attachment, description: str | None = None, focus: str | None = None) -> Attachment:
    """Change alt text or focal point; a post that shows the image is re-rendered."""
    if description is not None:
        attachment.description = _description(description)
    if focus is not None:
        attachment.focus_x, attachment.focus_y = focus_parse(focus)
    with transaction.atomic():
        attachment.save(update_fields=["description", "focus_x", "focus_y"])
        if attachment.post:
            attachment.post.save(update_fields=["updated_at"])
    return attachment


def remote_media_drop(*, actors, now) -> None:
    """A server's media are rejected (or it is suspended): the attachments of its actors go, and the posts that had
    them count as changed (their updated_at keys cached copies). Called through actors/hooks.py."""
    attachments = Attachment.objects.filter(owner__in=actors)
    Post.objects.filter(id__in=attachments.values("post_id")).update(updated_at=now)
    attachments.delete()
