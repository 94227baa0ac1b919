"""Keeping positions and the map cache in step with member profiles and their actors."""

from django.conf import settings
from django.db import transaction
from django.db.models.signals import m2m_changed, post_save, pre_save
from django.dispatch import receiver

from actors.models import Actor
from community.models import MemberProfile
from community.services.positions import profile_geocode, profile_geocode_online, profile_position_from_remote

from .cache import map_version_bump

ADDRESS_FIELDS = {"street", "postal_code", "city"}


@receiver(pre_save, sender=MemberProfile)
def geocode_changed_address(sender, instance: MemberProfile, update_fields=None, **kwargs):
    """A new or changed address is geocoded before it is stored (a hand-set pin stays)."""
    if instance.position_manual or (update_fields and not ADDRESS_FIELDS & set(update_fields)):
        return
    if not (instance.postal_code or instance.city):
        return
    old = MemberProfile.objects.filter(pk=instance.pk).values(*ADDRESS_FIELDS).first() if instance.pk else None
    # a new profile keeps a position it brings (a pin from the application); a moved address is placed anew
    moved = old is not None and any(old[name] != getattr(instance, name) for name in ADDRESS_FIELDS)
    if (moved or not instance.has_position) and not profile_geocode(profile=instance, save=False) and moved:
        instance.latitude = instance.longitude = None  # the old place is wrong now; the member is asked for a pin


@receiver(post_save, sender=MemberProfile)
def geocode_online_unplaced_address(sender, instance: MemberProfile, update_fields=None, **kwargs):
    """An address the offline geocoder could not place goes to the online geocoder, when one is configured.

    After the commit: the request may take seconds, and no database lock (SQLite has one writer) may wait on it.
    Outside a transaction that is at once, so the profile form already knows whether the address was found."""
    if not settings.FEDINODE_GEOCODER_URL or instance.position_manual or instance.has_position:
        return
    # a new address, or a hand-set pin given up ("follow the address again")
    if update_fields and not (ADDRESS_FIELDS | {"position_manual"}) & set(update_fields):
        return
    if not (instance.postal_code or instance.city):
        return
    transaction.on_commit(lambda: profile_geocode_online(profile=instance))


@receiver(m2m_changed, sender=MemberProfile.fields_of_work.through)
def fields_changed(sender, instance, action: str, reverse: bool, **kwargs):
    if action.startswith("post_") and not reverse:
        map_version_bump(instance.pk)


@receiver(post_save, sender=Actor)
def actor_changed(sender, instance: Actor, **kwargs):
    """A member's name or avatar shows on the map; a linked member's `location` moves its pin."""
    profile = MemberProfile.objects.filter(actor_id=instance.pk).first()
    if profile is None:
        return
    profile.actor = instance
    profile_position_from_remote(profile=profile)  # the actor's own updated_at already changes the map's key
