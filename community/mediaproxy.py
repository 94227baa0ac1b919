"""The media proxy: remote avatars, header images and attachments reach visitors from this site, never hot-linked,
so a visitor's browser contacts only us (privacy, GDPR).

A page shows a remote image as /media-proxy/<token>, the token being the URL signed with the site's key: only URLs
this node stored and rendered can be asked for, so it is never an open proxy. The first request fetches the image
through the safe fetcher (timeouts, size cap, private-address guard), decodes and re-encodes it like an upload (only
JPEG and PNG leave here, without metadata) and keeps it on disk under FEDINODE_MEDIA_CACHE_DIR; the least recently
used files are evicted above FEDINODE_MEDIA_CACHE_MAX_BYTES. A remote that went away is still served from the cache."""

import base64
import functools
import hashlib
import os
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core import signing
from django.templatetags.static import static
from django.urls import reverse

from actors.services.domains import domain_rejects_media
from fediverse_node.outgoing import node_user_agent
from fediverse_node.protocol.fetcher import FetchError, SafeFetcher
from posts.services.media import MediaError, image_reencode

AVATAR, PICTURE = "a", "m"  # avatars are shown at most 96 px wide: 400 px is plenty, even on dense screens
AVATAR_SIDE = 400
PLACEHOLDER_AVATAR = "community/avatar-placeholder.svg"
PLACEHOLDER_FILE = Path(__file__).resolve().parent / "static" / PLACEHOLDER_AVATAR
STORED_TYPES = {".jpg": "image/jpeg", ".png": "image/png"}
FAILED = ".failed"
RETRY_FAILED_AFTER = 600  # seconds a failed fetch is remembered, so a dead server does not hold up every page view
TOUCH_AFTER = 3600  # a cache hit renews the file's time (its place in the eviction order) at most this often
RESCAN_AFTER = 300  # other processes write to the cache too: their files are counted by a full scan this often
FETCH_TIMEOUT = 5  # a visitor waits for this request: shorter than the federation fetcher's

_local = threading.local()
_usage_lock = threading.Lock()
_usage: dict[str, Any] = {"total": None, "scanned_at": 0.0}  # total: None until the first scan


class ProxyError(Exception):
    """A proxied image that cannot be had; status is what the visitor's browser gets (with the placeholder)."""

    def __init__(self, message: str, status: int):
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class ProxiedImage:
    body: bytes
    media_type: str


def _signer() -> signing.Signer:
    return signing.Signer(salt="fedinode.media-proxy")


def proxied_url(url: str, *, kind: str = PICTURE) -> str:
    """The address a page shows for the image at `url`: our own media as they are, a remote one via the proxy."""
    if not url:
        return ""
    if url.startswith(settings.MEDIA_URL):
        return url
    own_media = settings.FEDINODE_BASE_URL + settings.MEDIA_URL
    if url.startswith(own_media):
        return url[len(settings.FEDINODE_BASE_URL):]
    if not url.startswith(("https://", "http://")):
        return ""  # any other scheme is never shown
    return _proxy_path(kind, url)


@functools.lru_cache(maxsize=4096)
def _proxy_path(kind: str, url: str) -> str:
    """Signed once per process and URL: a feed page shows the same avatars again and again."""
    encoded = base64.urlsafe_b64encode(url.encode()).decode().rstrip("=")
    return reverse("community:media_proxy", args=[_signer().sign(kind + encoded)])


def proxy_token_open(token: str) -> tuple[str, str] | None:
    """(url, kind) of a token made by proxied_url; None for anything else (tampered, truncated, made up)."""
    try:
        value = _signer().unsign(token)
    except signing.BadSignature:
        return None
    kind, encoded = value[:1], value[1:]
    if kind not in (AVATAR, PICTURE):
        return None
    try:
        url = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)).decode()
    except (ValueError, UnicodeDecodeError):
        return None
    return url, kind


def actor_avatar_url(actor) -> str:
    """The logo or avatar shown beside an actor's name, or the neutral placeholder."""
    return proxied_url(actor.icon_url, kind=AVATAR) or static(PLACEHOLDER_AVATAR)


def actor_header_url(actor) -> str:
    """An actor's header image, or "" (no header shown)."""
    return proxied_url(actor.image_url)


def attachment_url(attachment) -> str:
    """An attachment's image: the stored file when it was uploaded here, else the remote one via the proxy."""
    if attachment.file:
        return attachment.file.url
    return proxied_url(attachment.remote_url)


def absolute(url: str) -> str:
    """A path of this site as a full URL (link previews need one)."""
    return url if not url.startswith("/") else settings.FEDINODE_BASE_URL + url


def _fetcher() -> SafeFetcher:
    fetcher = getattr(_local, "fetcher", None)
    if fetcher is None:
        fetcher = _local.fetcher = SafeFetcher(
            allow_private=settings.FEDINODE_INSECURE_HTTP, timeout=FETCH_TIMEOUT,
            user_agent=node_user_agent(),
            max_bytes=settings.FEDINODE_MEDIA_MAX_BYTES,
        )
    return fetcher


def _cache_base(url: str, kind: str) -> Path:
    digest = hashlib.sha256(f"{kind} {url}".encode()).hexdigest()
    return Path(settings.FEDINODE_MEDIA_CACHE_DIR) / digest[:2] / digest


def _cached(base: Path) -> ProxiedImage | None:
    for suffix, media_type in STORED_TYPES.items():
        path = base.with_suffix(suffix)
        try:
            body = path.read_bytes()
            if time.time() - path.stat().st_mtime > TOUCH_AFTER:
                os.utime(path)
        except FileNotFoundError:  # not cached, or evicted just now
            continue
        return ProxiedImage(body, media_type)
    return None


def _failed_recently(base: Path) -> bool:
    try:
        return time.time() - base.with_suffix(FAILED).stat().st_mtime < RETRY_FAILED_AFTER
    except FileNotFoundError:
        return False


def _write(path: Path, body: bytes) -> None:
    """Write whole or not at all: readers in other processes never see half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".part-")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(body)
        os.chmod(temporary, 0o640)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def proxy_image_get(*, url: str, kind: str) -> ProxiedImage:
    """The image at a stored remote URL: from the disk cache, or fetched, checked, re-encoded and cached."""
    base = _cache_base(url, kind)
    cached = _cached(base)
    if cached is not None:
        return cached
    if _failed_recently(base):
        raise ProxyError(f"{url} failed a moment ago", 502)
    if domain_rejects_media(url):
        raise ProxyError(f"media from the server of {url} are refused here", 403)
    try:
        data = _fetcher().get_image(url)
        side = AVATAR_SIDE if kind == AVATAR else settings.FEDINODE_MEDIA_MAX_SIDE
        body, media_type = image_reencode(data=data, side=side)
    except (FetchError, MediaError) as error:
        _write(base.with_suffix(FAILED), str(error).encode())
        _count(len(str(error)))
        raise ProxyError(str(error), 502) from None
    _write(base.with_suffix(".png" if media_type == "image/png" else ".jpg"), body)
    base.with_suffix(FAILED).unlink(missing_ok=True)
    _count(len(body))
    return ProxiedImage(body, media_type)


def _count(size: int) -> None:
    """Add a written file to this process's idea of the cache size; evict when it is over the bound."""
    with _usage_lock:
        stale = _usage["total"] is None or time.monotonic() - _usage["scanned_at"] > RESCAN_AFTER
        if not stale:
            _usage["total"] += size
        if stale or _usage["total"] > settings.FEDINODE_MEDIA_CACHE_MAX_BYTES:
            _usage["total"] = media_cache_evict(max_bytes=settings.FEDINODE_MEDIA_CACHE_MAX_BYTES)
            _usage["scanned_at"] = time.monotonic()


def media_cache_evict(*, max_bytes: int) -> int:
    """Delete the least recently used cached files while the cache holds more than max_bytes, down to 80 % of
    it (so not every write scans); returns the bytes the cache holds afterwards."""
    root = Path(settings.FEDINODE_MEDIA_CACHE_DIR)
    files = []
    for directory in root.iterdir() if root.is_dir() else ():
        if directory.is_dir():
            for entry in os.scandir(directory):
                try:
                    stat = entry.stat()
                except FileNotFoundError:
                    continue
                files.append((stat.st_mtime, stat.st_size, entry.path))
    total = sum(size for _, size, _ in files)
    if total <= max_bytes:
        return total
    for _, size, path in sorted(files):
        if total <= max_bytes * 0.8:
            break
        Path(path).unlink(missing_ok=True)
        total -= size
    return total


def placeholder_bytes() -> bytes:
    """The neutral placeholder, answered in place of an image that cannot be had."""
    return PLACEHOLDER_FILE.read_bytes()
