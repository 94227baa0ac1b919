"""Instance v1 and v2 entities. Each sub-object is sent whole: Mastodon iOS rejects one with missing fields."""

from django.conf import settings
from django.contrib.auth import get_user_model

from actors.models import Actor
from posts.selectors import local_posts_count
from posts.services.polls import MAX_EXPIRY, MAX_OPTION_CHARS, MAX_OPTIONS, MIN_EXPIRY

from .accounts import account_entity
from .common import static_url

MAX_CHARACTERS = 5000
MAX_MEDIA = 4
IMAGE_TYPES = ["image/jpeg", "image/png", "image/gif", "image/webp"]


def version() -> str:
    # Mastodon.py reads three numbers before the first space; 4.2 is the API shape we implement.
    return f"4.2.0 (compatible; fediverse-node {settings.FEDINODE_VERSION})"


def streaming_url() -> str:
    """Where the streaming API answers: FEDINODE_STREAMING_URL, by default Mastodon's wss://<domain> (ws:// for a
    node on plain http); the proxy routes /api/v1/streaming to the streaming process."""
    if settings.FEDINODE_STREAMING_URL:
        return settings.FEDINODE_STREAMING_URL
    scheme = "wss" if settings.FEDINODE_SCHEME == "https" else "ws"
    return f"{scheme}://{settings.FEDINODE_DOMAIN}"


def _configuration() -> dict:
    return {
        "accounts": {"max_featured_tags": 0, "max_pinned_statuses": 5},
        "statuses": {
            "max_characters": MAX_CHARACTERS,
            "max_media_attachments": MAX_MEDIA,
            "characters_reserved_per_url": 23,
        },
        "media_attachments": {
            "supported_mime_types": IMAGE_TYPES,
            "image_size_limit": settings.FEDINODE_MEDIA_MAX_BYTES,
            "image_matrix_limit": settings.FEDINODE_MEDIA_MAX_SIDE ** 2 * 4,
            "video_size_limit": 0,
            "video_frame_rate_limit": 0,
            "video_matrix_limit": 0,
        },
        "polls": {
            "max_options": MAX_OPTIONS, "max_characters_per_option": MAX_OPTION_CHARS,
            "min_expiration": MIN_EXPIRY, "max_expiration": MAX_EXPIRY,
        },
    }


def _contact_account() -> Actor | None:
    return Actor.objects.filter(local=True, user__is_staff=True, suspended=False).order_by("id").first()


def _registrations_open() -> bool:
    return False  # members apply on the website; accounts are created by staff


def instance_v2() -> dict:
    contact = _contact_account()
    config = _configuration()
    config["urls"] = {"streaming": streaming_url(), "status": None}
    config["translation"] = {"enabled": False}
    config["vapid"] = {"public_key": settings.FEDINODE_VAPID_PUBLIC_KEY}
    return {
        "domain": settings.FEDINODE_DOMAIN,
        "title": settings.FEDINODE_NAME,
        "version": version(),
        "source_url": "https://github.com/fediverse-node/fediverse-node",
        "description": settings.FEDINODE_DESCRIPTION,
        "usage": {"users": {"active_month": Actor.objects.filter(local=True, user__isnull=False).count()}},
        "thumbnail": {"url": static_url("header.png"), "blurhash": None, "versions": {}},
        "icon": [],
        "languages": ["de", "en"],
        "configuration": config,
        "registrations": {"enabled": _registrations_open(), "approval_required": True, "message": None, "url": None},
        "contact": {
            "email": settings.FEDINODE_CONTACT_EMAIL,
            "account": account_entity(contact) if contact else None,
        },
        "rules": [],
    }


def instance_v1() -> dict:
    contact = _contact_account()
    User = get_user_model()
    return {
        "uri": settings.FEDINODE_DOMAIN,
        "title": settings.FEDINODE_NAME,
        "short_description": settings.FEDINODE_DESCRIPTION,
        "description": settings.FEDINODE_DESCRIPTION,
        "email": settings.FEDINODE_CONTACT_EMAIL,
        "version": version(),
        "urls": {"streaming_api": streaming_url()},
        "stats": {
            "user_count": User.objects.filter(actor__isnull=False).count(),
            "status_count": local_posts_count(),  # public posts only, as NodeInfo
            "domain_count": Actor.objects.filter(local=False).values("domain").distinct().count(),
        },
        "thumbnail": static_url("header.png"),
        "languages": ["de", "en"],
        "registrations": _registrations_open(),
        "approval_required": True,
        "invites_enabled": False,
        "configuration": _configuration(),
        "contact_account": account_entity(contact) if contact else None,
        "rules": [],
    }
