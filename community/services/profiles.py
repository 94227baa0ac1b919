"""Writing member profiles."""

from collections.abc import Sequence
from typing import Any

from actors.models import Actor
from actors.services.profile import actor_profile_update
from posts.services.media import media_create

from .. import limits
from ..limits import text_limits_check
from ..mediaproxy import absolute
from ..models import FIELD_NAMES, FieldOfWork, MemberProfile
from .positions import profile_address_place, profile_address_place_online


def fields_of_work_rows(slugs) -> list[FieldOfWork]:
    """The rows of the taxonomy's slugs among `slugs` (made when missing: the taxonomy lives in code)."""
    return [FieldOfWork.objects.get_or_create(slug=slug)[0] for slug in dict.fromkeys(slugs) if slug in FIELD_NAMES]


def profile_save(*, profile: MemberProfile, fields_of_work: list[str] | None = None) -> MemberProfile:
    """Save a profile with its search text (name, description, city: lower case, for the directory); a new or changed
    address is placed on the map."""
    text_limits_check(description=(profile.description, limits.DESCRIPTION))
    actor = profile.actor
    profile.search_text = " ".join(
        part.lower() for part in (actor.display_name, actor.username, profile.description, profile.city) if part
    )
    profile_address_place(profile=profile)
    profile.save()
    profile_address_place_online(profile=profile)
    if fields_of_work is not None:
        profile.fields_of_work.set(fields_of_work_rows(fields_of_work))
    return profile


def profile_create(
    *, actor: Actor, description: str = "", street: str = "", postal_code: str = "", city: str = "", state: str = "",
    fields_of_work: Sequence[str] = (), website: str = "", contact_email: str = "", contact_phone: str = "",
    latitude: float | None = None, longitude: float | None = None,
) -> MemberProfile:
    profile = MemberProfile(
        actor=actor, description=description, street=street, postal_code=postal_code, city=city, state=state,
        website=website, contact_email=contact_email, contact_phone=contact_phone,
        latitude=latitude, longitude=longitude,
        links=[{"url": website, "verified": False}] if website else [],
    )
    return profile_save(profile=profile, fields_of_work=list(fields_of_work))


def profile_may_edit(*, user, profile: MemberProfile) -> bool:
    """The organisation itself, or staff."""
    return user.is_authenticated and (user.is_staff or profile.actor.user_id == user.id)


def profile_images_set(
    *, profile: MemberProfile, logo=None, header=None, logo_remove: bool = False, header_remove: bool = False,
) -> bool:
    """Give a local organisation a new logo or header image (checked and re-encoded like the client API's media),
    or remove them; its followers' servers hear an Update, as when a Mastodon app changes them. Whether anything
    changed."""
    actor = profile.actor
    if not actor.local:
        return False
    changes: dict[str, Any] = {}
    if logo is not None:
        changes["icon_url"] = absolute(media_create(owner=actor, upload=logo).file.url)
    elif logo_remove and actor.icon_url:
        changes["icon_url"] = ""
    if header is not None:
        changes["image_url"] = absolute(media_create(owner=actor, upload=header).file.url)
    elif header_remove and actor.image_url:
        changes["image_url"] = ""
    if changes:
        actor_profile_update(actor=actor, **changes)
    return bool(changes)
