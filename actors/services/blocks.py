"""Blocking and muting: a block ends follows both ways and tells a remote target; a mute stays here."""

from django.db import transaction

from outbox.services import activity_publish

from .. import activities as render
from ..models import Actor, Block, Follow, Mute
from .follow import follow_end


def block_create(*, actor: Actor, target: Actor) -> Block:
    if actor == target:
        raise ValueError("An account cannot block itself.")
    with transaction.atomic():
        block = Block.objects.filter(actor=actor, target=target).first()
        if block is not None:
            return block
        block = Block.objects.create(actor=actor, target=target, uri=render.activity_id(actor, "blocks"))
        follows = Follow.objects.filter(follower__in=[actor, target], target__in=[actor, target])
        for follow in follows.select_related("follower", "target"):
            follow_end(follow=follow)
        if not target.local:
            activity = render.simple_activity(id=block.uri, type="Block", actor=actor, object=target.uri)
            activity_publish(actor=actor, activity=activity, inboxes=[target.inbox_url])
    return block


def block_undo(*, actor: Actor, target: Actor) -> None:
    with transaction.atomic():
        block = Block.objects.filter(actor=actor, target=target).first()
        if block is None:
            return
        block.delete()
        if not target.local:
            block_doc = {"id": block.uri, "type": "Block", "actor": actor.uri, "object": target.uri}
            activity = render.simple_activity(
                id=render.activity_id(actor, "undo"), type="Undo", actor=actor, object=block_doc
            )
            activity_publish(actor=actor, activity=activity, inboxes=[target.inbox_url])


def mute_create(*, actor: Actor, target: Actor, notifications: bool = True) -> Mute:
    if actor == target:
        raise ValueError("An account cannot mute itself.")
    mute, _ = Mute.objects.update_or_create(actor=actor, target=target, defaults={"notifications": notifications})
    return mute


def mute_undo(*, actor: Actor, target: Actor) -> None:
    Mute.objects.filter(actor=actor, target=target).delete()


def hidden_actor_ids(actor: Actor) -> set[int]:
    """Actors whose posts the actor should not see: blocked, blocking it, or muted."""
    blocked = Block.objects.filter(actor=actor).values_list("target_id")
    blocking = Block.objects.filter(target=actor).values_list("actor_id")
    muted = Mute.objects.filter(actor=actor).values_list("target_id")
    return {row[0] for row in blocked.union(blocking, muted, all=True)}  # one query: timelines ask every time

