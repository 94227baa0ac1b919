"""Celery tasks of the website: link verification runs in the background (it fetches other servers' pages)."""

from celery import shared_task

from .models import MemberProfile
from .services.links import links_verify


@shared_task
def verify_links(profile_id: int) -> None:
    profile = MemberProfile.objects.filter(pk=profile_id).select_related("actor").first()
    if profile is not None:
        links_verify(profile=profile)
