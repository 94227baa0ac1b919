"""Keeping the map's cache key in step: a change to a profile's fields of work does not save the profile row."""

from django.db.models.signals import m2m_changed
from django.dispatch import receiver

from community.models import MemberProfile

from .cache import map_version_bump


@receiver(m2m_changed, sender=MemberProfile.fields_of_work.through)
def fields_changed(sender, instance, action: str, reverse: bool, **kwargs):
    if action.startswith("post_") and not reverse:
        map_version_bump(instance.pk)
