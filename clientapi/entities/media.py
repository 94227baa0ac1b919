"""MediaAttachment entity."""

from fediverse_node.protocol.links import http_url
from posts.models import Attachment

from .common import absolute


def media_type_of(attachment: Attachment) -> str:
    kind = (attachment.media_type or "").split("/", 1)[0]
    return {"image": "image", "video": "video", "audio": "audio"}.get(kind, "unknown")


def _size(width, height) -> dict | None:
    if not width or not height:
        return None
    return {"width": width, "height": height, "size": f"{width}x{height}", "aspect": round(width / height, 6)}


def attachment_entity(attachment: Attachment) -> dict:
    remote_url = http_url(attachment.remote_url)
    url = absolute(attachment.file.url) if attachment.file else (remote_url or None)
    preview = absolute(attachment.thumbnail.url) if attachment.thumbnail else url
    meta: dict = {"focus": {"x": attachment.focus_x, "y": attachment.focus_y}}
    original = _size(attachment.width, attachment.height)
    if original:
        meta["original"] = original
        small = (attachment.meta or {}).get("small") if hasattr(attachment, "meta") else None
        meta["small"] = small or original
    return {
        "id": str(attachment.id),
        "type": media_type_of(attachment),
        "url": url,
        "preview_url": preview,
        "remote_url": remote_url or None,
        "preview_remote_url": None,
        "text_url": None,
        "meta": meta,
        "description": attachment.description or None,
        "blurhash": attachment.blurhash or None,
    }
