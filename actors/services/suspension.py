"""Staff suspend an account, local or remote, and undo it. The data stays (posts, keys, follows of local
actors), so an undo brings the account back as it was; what peers were told cannot be taken back."""

import logging

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from fediverse_node.activitystreams import PUBLIC
from outbox.services import activity_publish, deliveries_stop_of

from .. import activities as render
from ..models import Actor, Follow
from ..selectors import follower_inboxes
from .follow import follow_reject
from .profile import actor_update_publish

log = logging.getLogger(__name__)


def actor_suspend(*, actor: Actor, by=None) -> Actor:
    """Suspend an account (by: the staff user, or None from the command line). A local one disappears from the
    website, the client API and WebFinger, its tokens and sessions stop working and its followers' servers get
    a Delete of it. A remote one is refused at the inbox, hidden everywhere and loses its follows of our actors."""
    with transaction.atomic():
        actor = Actor.objects.select_for_update().get(pk=actor.pk)
        if actor.suspended:
            return actor
        actor.suspended, actor.suspended_at, actor.suspended_by = True, timezone.now(), by
        # updated_at too: it keys the client API's cached accounts and the member map
        actor.save(update_fields=["suspended", "suspended_at", "suspended_by", "updated_at"])
        if actor.local:
            _local_suspended(actor)
        else:
            _remote_suspended(actor)
    log.warning("%s suspended by %s", actor.handle, by or "the command line")
    return actor


def _local_suspended(actor: Actor) -> None:
    deliveries_stop_of(actor_id=actor.id, reason="the actor was suspended")
    # The issue asks that followers' servers forget the account: a Delete of the actor does that everywhere
    # (Mastodon itself sends an Update with suspended: true, which only Mastodon-likes understand).
    activity = render.simple_activity(
        id=render.activity_id(actor, "delete"), type="Delete", actor=actor, object=actor.uri, to=[PUBLIC]
    )
    activity_publish(actor=actor, activity=activity, inboxes=follower_inboxes(actor=actor))


def _remote_suspended(actor: Actor) -> None:
    # Its server would keep sending it our posts: end its follows of our actors and say so (Reject, as Mastodon
    # does). Its server forgets them too, so an undo cannot restore them: it can follow again.
    follows = Follow.objects.filter(follower=actor, target__local=True).select_related("follower", "target")
    for follow in follows.live():
        follow_reject(follow=follow)


def actor_unsuspend(*, actor: Actor, by=None) -> Actor:
    """Undo a suspension. A local account comes back with its posts, keys and follows, and the servers of its
    followers get an Update of it, so those that dropped it fetch it again (by: the staff user, for the log)."""
    with transaction.atomic():
        actor = Actor.objects.select_for_update().get(pk=actor.pk)
        if not actor.suspended:
            return actor
        actor.suspended, actor.suspended_at, actor.suspended_by = False, None, None
        actor.save(update_fields=["suspended", "suspended_at", "suspended_by", "updated_at"])
        if actor.local:
            actor_update_publish(actor=actor)
    log.warning("%s unsuspended by %s", actor.handle, by or "the command line")
    return actor


def actor_find(*, handle: str) -> Actor | None:
    """An actor known here by 'name' (local), '@name@host', 'name@host' or its URL; nothing is fetched (staff
    act on accounts that reached us)."""
    text = handle.strip()
    if text.startswith(("http://", "https://")):
        return Actor.objects.filter(uri=text).first()
    username, _, host = text.lstrip("@").partition("@")
    if not host or host.lower() == settings.FEDINODE_DOMAIN.lower():
        return Actor.objects.filter(local=True, username__iexact=username).first()
    return Actor.objects.filter(local=False, username__iexact=username, domain__iexact=host).first()
