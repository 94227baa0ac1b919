"""Reads about actors that several rooms share: who follows whom, where to deliver."""

from django.db.models import Exists, OuterRef

from .models import Actor, Block


def follower_inboxes(*, actor: Actor) -> set[str]:
    """Delivery inboxes of the actor's accepted remote followers, one per shared inbox; never one the actor blocks
    (a block ends the follow, this holds should a follow slip through)."""
    rows = (
        Actor.objects.followers_of(actor).visible().filter(local=False)
        .exclude(Exists(Block.objects.filter(actor=actor, target=OuterRef("pk"))))
        .values_list("shared_inbox_url", "inbox_url")
        .distinct()
    )
    return {shared or inbox for shared, inbox in rows if shared or inbox}
