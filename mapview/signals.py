"""Keeping positions and the map cache in step with member profiles and their actors."""

from django.db.models.signals import m2m_changed, post_save, pre_save
from django.dispatch import receiver

from actors.models import Actor
from community.models import MemberProfile

from .cache import map_version_bump
from .services import profile_geocode, profile_position_from_remote


@receiver(pre_save, sender=MemberProfile)
def geocode_changed_address(sender, instance: MemberProfile, update_fields=None, **kwargs):
    """A new or changed address is geocoded before it is stored (a hand-set pin stays)."""
    if instance.position_manual or (update_fields and not {"postal_code", "city"} & set(update_fields)):
        return
    if not (instance.postal_code or instance.city):
        return
    old = MemberProfile.objects.filter(pk=instance.pk).values("postal_code", "city").first() if instance.pk else None
    # a new profile keeps a position it brings (a pin from the application); a moved address is placed anew
    moved = old is not None and (old["postal_code"], old["city"]) != (instance.postal_code, instance.city)
    if (moved or not instance.has_position) and not profile_geocode(profile=instance, save=False) and moved:
        instance.latitude = instance.longitude = None  # the old place is wrong now; the member is asked for a pin


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
