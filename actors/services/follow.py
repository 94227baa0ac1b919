"""Follows: asking, accepting, rejecting and undoing them, locally and across servers.

A follow's state changes only through `_follow_move`: one guarded UPDATE from the state it leaves, so two workers
handling the same follow (a repeated Follow, an Accept racing a Reject) cannot overwrite each other."""

import logging

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from outbox import render
from outbox.services import activity_publish
from posts.models import NotificationType
from posts.services.feeds import feed_follow_ended, feed_follow_started
from posts.services.notifying import notification_add

from ..models import Actor, Block, Follow, FollowState
from .domains import domain_is_blocked

log = logging.getLogger(__name__)


def blocked_between(first: Actor, second: Actor) -> bool:
    """Whether either actor blocks the other, or the remote one's server is suspended here."""
    if domain_is_blocked(first.uri) or domain_is_blocked(second.uri):
        return True
    return Block.objects.filter(
        Q(actor=first, target=second) | Q(actor=second, target=first)
    ).exists()


class FollowBlocked(ValueError):
    """A follow between actors one of whom blocks the other."""


def follow_request(*, follower: Actor, target: Actor) -> Follow:
    """A local actor follows another actor; a local target decides at once, a remote one hears a Follow."""
    if follower == target:
        raise ValueError("An actor cannot follow itself.")
    if blocked_between(follower, target):
        raise FollowBlocked("This account cannot be followed: one of you blocks the other.")
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


def follow_arrived(*, follow: Follow) -> Follow | None:
    """A follow of a local actor came in: refused (Reject) when one blocks the other, accepted again when it was
    accepted already (the peer lost our Accept), else accepted unless the actor approves followers by hand."""
    target = follow.target
    if blocked_between(follow.follower, target):
        follow_reject(follow=follow)
        return None
    if follow.state == FollowState.ACCEPTED:
        _accept_send(follow)
        return follow
    if target.manually_approves_followers:
        notification_add(recipient=target, type=NotificationType.FOLLOW_REQUEST, from_actor=follow.follower)
        return follow
    return follow_accept(follow=follow)


def _follow_document(follow: Follow) -> dict:
    return {"id": follow.uri, "type": "Follow", "actor": follow.follower.uri, "object": follow.target.uri}


def _accept_send(follow: Follow) -> None:
    if not follow.follower.local:
        activity = render.simple_activity(
            id=render.activity_id(follow.target, "accepts"), type="Accept", actor=follow.target,
            object=_follow_document(follow), to=[follow.follower.uri],
        )
        activity_publish(actor=follow.target, activity=activity, inboxes=[follow.follower.inbox_url])


def follow_accept(*, follow: Follow) -> Follow:
    """The local target accepts: the follow becomes active and a remote follower hears Accept."""
    with transaction.atomic():
        if not _follow_move(follow, FollowState.PENDING, FollowState.ACCEPTED):
            return follow
        feed_follow_started(follower=follow.follower, target=follow.target)
        notification_add(recipient=follow.target, type=NotificationType.FOLLOW, from_actor=follow.follower)
        _accept_send(follow)
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
        if _follow_move(follow, FollowState.PENDING, FollowState.ACCEPTED):
            feed_follow_started(follower=follow.follower, target=follow.target)
    return follow


def follow_refused(*, follow: Follow) -> None:
    """A remote target rejected our actor's follow, or removed it as a follower."""
    with transaction.atomic():
        follow.delete()
        feed_follow_ended(follower=follow.follower, target=follow.target)


# The follow's states and the moves between them; a move not listed here is a bug and raises.
TRANSITIONS = {(FollowState.PENDING, FollowState.ACCEPTED)}  # refusing or ending one deletes its row


def _follow_move(follow: Follow, source: str, to: str) -> bool:
    """One guarded UPDATE from `source` to `to`; False (logged) when the row had left `source` meanwhile."""
    if (source, to) not in TRANSITIONS:
        raise ValueError(f"A follow cannot go from {source} to {to}.")
    moved = Follow.objects.filter(id=follow.id, state=source).update(state=to, updated_at=timezone.now())
    if not moved:
        log.info("follow %s was no longer %s: another worker moved it first", follow.id, source)
        return False
    follow.state = to
    return True
