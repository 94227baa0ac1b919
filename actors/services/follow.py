"""Follows: asking, accepting, rejecting and undoing them, locally and across servers."""

from django.db import transaction

from outbox import render
from outbox.services import activity_publish
from posts.models import Notification, NotificationType
from posts.services.feeds import feed_follow_ended, feed_follow_started

from ..models import Actor, Follow, FollowState


def follow_request(*, follower: Actor, target: Actor) -> Follow:
    """A local actor follows another actor; a local target decides at once, a remote one hears a Follow."""
    if follower == target:
        raise ValueError("An actor cannot follow itself.")
    with transaction.atomic():
        follow = Follow.objects.filter(follower=follower, target=target).first()
        if follow is not None and follow.state != FollowState.REJECTED:
            return follow
        if follow is not None:
            follow.delete()
        follow = Follow.objects.create(
            follower=follower, target=target, uri=render.activity_id(follower, "follows")
        )
        if target.local:
            follow_arrived(follow=follow)
        else:
            activity = render.simple_activity(id=follow.uri, type="Follow", actor=follower, object=target.uri)
            activity_publish(actor=follower, activity=activity, inboxes=[target.inbox_url])
    return follow


def follow_arrived(*, follow: Follow) -> Follow:
    """A follow of a local actor came in: accept it unless the actor approves followers by hand."""
    target = follow.target
    if target.manually_approves_followers:
        Notification.objects.create(recipient=target, type=NotificationType.FOLLOW_REQUEST, from_actor=follow.follower)
        return follow
    return follow_accept(follow=follow)


def _follow_document(follow: Follow) -> dict:
    return {"id": follow.uri, "type": "Follow", "actor": follow.follower.uri, "object": follow.target.uri}


def follow_accept(*, follow: Follow) -> Follow:
    """The local target accepts: the follow becomes active and a remote follower hears Accept."""
    with transaction.atomic():
        follow.state = FollowState.ACCEPTED
        follow.save(update_fields=["state", "updated_at"])
        feed_follow_started(follower=follow.follower, target=follow.target)
        Notification.objects.create(recipient=follow.target, type=NotificationType.FOLLOW, from_actor=follow.follower)
        if not follow.follower.local:
            activity = render.simple_activity(
                id=render.activity_id(follow.target, "accepts"), type="Accept", actor=follow.target,
                object=_follow_document(follow), to=[follow.follower.uri],
            )
            activity_publish(actor=follow.target, activity=activity, inboxes=[follow.follower.inbox_url])
    return follow


def follow_reject(*, follow: Follow) -> None:
    """The local target refuses (or removes) a follower; a remote one hears Reject."""
    with transaction.atomic():
        follow.delete()
        feed_follow_ended(follower=follow.follower, target=follow.target)
        if not follow.follower.local:
            activity = render.simple_activity(
                id=render.activity_id(follow.target, "rejects"), type="Reject", actor=follow.target,
                object=_follow_document(follow), to=[follow.follower.uri],
            )
            activity_publish(actor=follow.target, activity=activity, inboxes=[follow.follower.inbox_url])


def follow_undo(*, follower: Actor, target: Actor) -> None:
    """A local actor stops following; a remote target hears Undo(Follow)."""
    with transaction.atomic():
        follow = Follow.objects.filter(follower=follower, target=target).first()
        if follow is None:
            return
        follow.delete()
        feed_follow_ended(follower=follower, target=target)
        if not target.local:
            activity = render.simple_activity(
                id=render.activity_id(follower, "undo"), type="Undo", actor=follower,
                object=_follow_document(follow), to=[target.uri],
            )
            activity_publish(actor=follower, activity=activity, inboxes=[target.inbox_url])


def follow_confirmed(*, follow: Follow) -> Follow:
    """A remote target accepted our actor's follow."""
    with transaction.atomic():
        follow.state = FollowState.ACCEPTED
        follow.save(update_fields=["state", "updated_at"])
        feed_follow_started(follower=follow.follower, target=follow.target)
    return follow


def follow_refused(*, follow: Follow) -> None:
    """A remote target rejected our actor's follow, or removed it as a follower."""
    with transaction.atomic():
        follow.delete()
        feed_follow_ended(follower=follow.follower, target=follow.target)
