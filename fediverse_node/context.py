"""Template context every page gets."""

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.urls import reverse


def _own(user) -> tuple[str, str]:
    """The signed-in person's name for the header, and the link to their own page (none for staff without one)."""
    try:
        actor = user.actor  # fetched with the user (fediverse_node/auth.py): no extra query
    except (AttributeError, ObjectDoesNotExist):
        return user.get_username(), ""
    name = actor.display_name or actor.username
    if actor.type == "Organization":
        return name, reverse("community:profile", args=[actor.username])
    if actor.type == "Person":
        return name, reverse("community:scout", args=[actor.username])
    return name, ""


def site(request) -> dict:
    context = {
        "site_name": settings.FEDINODE_NAME,
        "base_url": settings.FEDINODE_BASE_URL,
        "canonical_url": settings.FEDINODE_BASE_URL + request.path,
    }
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        context["own_name"], context["own_profile_url"] = _own(user)
    return context
