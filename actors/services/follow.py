"""Follows: asking, accepting, refusing, undoing and ending them, locally and across servers.

This module is the one place that creates a Follow, moves its state and ends it (actors/models/follow.py holds the
graph). A state move is one guarded UPDATE from the state the row leaves (`_move`); when its count is 0 another
worker moved the row first, and the service answers with the row as that worker left it. An end deletes the row
(allowed from every state, so only who ends it first matters), and only the one that deleted it says so."""

import logging
from typing import cast

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_noop

from fediverse_node.errors import LocalizedError
from fediverse_node.rows_insert import instances_insert
from outbox.services import activities_publish, activity_publish

from .. import activities as render
from ..hooks import follow_ended, follow_noticed, follow_started, follows_noticed
from ..models import FOLLOW_STATES, Actor, Block, Follow, FollowState
from .domains import domain_is_blocked

log = logging.getLogger(__name__)


def blocked_between(first: Actor, second: Actor) -> bool:
    """Whether either actor blocks the other, or the remote one's server is suspended here."""
    return bool(blocked_among({(first, second)}))


def blocked_among(pairs: set[tuple[Actor, Actor]]) -> set[tuple[int, int]]:
    """blocked_between for many pairs at once (one query): the (first id, second id) of those blocked."""
    firsts, seconds = {first.id for first, _ in pairs}, {second.id for _, second in pairs}
    blocks = set(Block.objects.filter(
        Q(actor_id__in=firsts, target_id__in=seconds) | Q(actor_id__in=seconds, target_id__in=firsts)
    ).values_list("actor_id", "target_id"))
    return {
        (first.id, second.id) for first, second in pairs
        if (first.id, second.id) in blocks or (second.id, first.id) in blocks
        or domain_is_blocked(first.uri) or domain_is_blocked(second.uri)
    }


class FollowError(LocalizedError, ValueError):
    """A follow that cannot be asked for (`str()` in English, `localized()` in the page's language)."""


class FollowBlocked(FollowError):
    """A follow between actors one of whom blocks the other."""


# ------------------------------------------------------------------ the row: create, move, end


def _move(follow: Follow, source: str, to: str, **values) -> bool:
    """One guarded UPDATE from `source` to `to` (a move the graph does not declare raises). False (logged) when
    the row had left `source` meanwhile: the caller answers with `_current`."""
    moved = FOLLOW_STATES.move(
        Follow.objects.filter(id=follow.id), source=source, to=to, updated_at=timezone.now(), **values
    )
    if not moved:
        log.info("follow %s was no longer %s: another worker moved it first", follow.id, source)
        return False
    follow.state = to
    for field, value in values.items():
        setattr(follow, field, value)
    return True


def _current(follow: Follow) -> Follow | None:
    """The row as the worker that won a race left it (None when it ended)."""
    return Follow.objects.filter(id=follow.id).select_related("follower", "target").first()


def _open(*, follower: Actor, target: Actor, uri: str) -> tuple[Follow | None, bool]:
    """The follow asked for under `uri`: created pending, a refused one reopened, a pending or accepted one kept
    (its id becomes `uri`: our answer names the id the peer sent last). Returns it and whether another worker
    created, reopened or ended it meanwhile (then its answer stands and the caller adds nothing)."""
    follow = Follow.objects.filter(follower=follower, target=target).first()
    if follow is None:
        try:
            with transaction.atomic():
                return Follow.objects.create(follower=follower, target=target, uri=uri), False
        except IntegrityError:
            follow = Follow.objects.filter(follower=follower, target=target).first()
            if follow is None:
                raise  # the id names another pair's follow: not ours to take over
            return follow, True
    if follow.state == FollowState.REJECTED:
        if _move(follow, FollowState.REJECTED, FollowState.PENDING, uri=uri):
            return follow, False
        return _current(follow), True
    if follow.uri != uri and Follow.objects.filter(id=follow.id).update(uri=uri):
        follow.uri = uri
    return follow, False


def follow_end(*, follow: Follow) -> bool:
    """End a follow in any state (undone, removed, blocked): its row goes, and a local follower's home feed loses
    the target's posts. False when another worker ended it first (then it did the rest)."""
    deleted, _ = Follow.objects.filter(id=follow.id).delete()
    if not deleted:
        log.info("follow %s had ended already", follow.id)
        return False
    follow_ended.call(follower=follow.follower, target=follow.target)
    return True


def follows_end_all(*, actor: Actor) -> int:
    """End every follow of and by an actor that is gone (a remote Delete of itself); how many."""
    deleted, _ = Follow.objects.filter(Q(follower=actor) | Q(target=actor)).delete()
    return deleted


# ------------------------------------------------------------------ our actors follow


def follow_request(*, follower: Actor, target: Actor) -> Follow:
    """A local actor follows another actor (or asks again after a refusal); a local target decides at once,
    a remote one hears a Follow. An asked or active follow is answered as it is."""
    if follower == target:
        raise FollowError(gettext_noop("An actor cannot follow itself."))
    if blocked_between(follower, target):
        raise FollowBlocked(gettext_noop("This account cannot be followed: one of you blocks the other."))
    with transaction.atomic():
        known = Follow.objects.filter(follower=follower, target=target).first()
        if known is not None and known.state != FollowState.REJECTED:
            return known
        follow, lost = _open(follower=follower, target=target, uri=render.activity_id(follower, "follows"))
        if lost or follow is None:
            # another worker answered meanwhile: its answer stands (or, once it ended the row, the one we found)
            return follow if follow is not None else cast(Follow, known)
        if target.local:
            _arrived(follow)
        else:
            activity = render.simple_activity(id=follow.uri, type="Follow", actor=follower, object=target.uri)
            activity_publish(actor=follower, activity=activity, inboxes=[target.inbox_url])
    return follow


def follow_confirmed(*, follow: Follow) -> Follow | None:
    """A remote target accepted our actor's follow. A late Accept of a follow refused or ended meanwhile changes
    nothing."""
    with transaction.atomic():
        if not _move(follow, FollowState.PENDING, FollowState.ACCEPTED):
            return _current(follow)
        follow_started.call(follower=follow.follower, target=follow.target)
    return follow


def follow_refused(*, follow: Follow) -> Follow | None:
    """A remote target refused our actor's follow request (it stays rejected until we ask again), or removed an
    accepted follow (that ends it)."""
    with transaction.atomic():
        return _refuse(follow)[0]


def follow_undo(*, follower: Actor, target: Actor) -> None:
    """A local actor stops following (or withdraws its request); a remote target hears Undo(Follow)."""
    with transaction.atomic():
        follow = Follow.objects.filter(follower=follower, target=target).select_related("follower", "target").first()
        if follow is None or not follow_end(follow=follow):
            return
        if not target.local:
            activity = render.simple_activity(
                id=render.activity_id(follower, "undo"), type="Undo", actor=follower,
                object=_follow_document(follow), to=[target.uri],
            )
            activity_publish(actor=follower, activity=activity, inboxes=[target.inbox_url])


# ------------------------------------------------------------------ our actors are followed


def follow_received(*, follower: Actor, target: Actor, uri: str) -> Follow | None:
    """A Follow of a local actor came in (new, repeated, or asked again after a refusal): refused with a Reject
    and not kept when one blocks the other, accepted again when it was accepted already (the peer lost our
    Accept), else accepted unless the target approves followers by hand."""
    if blocked_between(follower, target):
        with transaction.atomic():
            known = Follow.objects.filter(follower=follower, target=target).first()
            if known is not None:
                follow_end(follow=known)
            _reject_send(Follow(follower=follower, target=target, uri=uri))
        return None
    with transaction.atomic():
        follow, lost = _open(follower=follower, target=target, uri=uri)
        return follow if lost or follow is None else _arrived(follow)


def follows_accepted_remote(*, follows: list[tuple[str, Actor, Actor]]) -> list[Follow]:
    """New follows (Follow id, remote follower, local target) taken at once, as `follow_received` takes each when
    no follow of the pair is known, neither blocks the other and the target does not approve followers by hand (the
    caller, inbox.handlers.follows_split, checks): stored accepted, each target notified, each follower sent an
    Accept. A pair stored meanwhile by another worker fails the whole write (IntegrityError): the caller then takes
    them one by one."""
    rows = instances_insert(
        [Follow(follower=follower, target=target, uri=uri, state=FollowState.ACCEPTED) for uri, follower, target in follows]
    )
    for follow in rows:
        follow_started.call(follower=follow.follower, target=follow.target)
    follows_noticed.call(pairs=[(follow.target, follow.follower) for follow in rows])
    activities_publish(publications=[_answer(follow, "Accept") for follow in rows])
    return rows


def _arrived(follow: Follow) -> Follow | None:
    if follow.state == FollowState.ACCEPTED:
        _accept_send(follow)
        return follow
    if follow.target.manually_approves_followers:
        follow_noticed.call(recipient=follow.target, from_actor=follow.follower, requested=True)
        return follow
    return follow_accept(follow=follow)


def follow_accept(*, follow: Follow) -> Follow | None:
    """The local target accepts a request: the follow becomes active and a remote follower hears Accept. When
    another worker answered it first, nothing more happens (no second Accept or notification)."""
    with transaction.atomic():
        if not _move(follow, FollowState.PENDING, FollowState.ACCEPTED):
            return _current(follow)
        follow_started.call(follower=follow.follower, target=follow.target)
        follow_noticed.call(recipient=follow.target, from_actor=follow.follower, requested=False)
        _accept_send(follow)
    return follow


def follow_reject(*, follow: Follow) -> Follow | None:
    """The local target refuses a request (it stays rejected until the follower asks again) or removes a
    follower (that ends the follow); a remote follower hears Reject either way."""
    with transaction.atomic():
        answer, refused = _refuse(follow)
        if refused:
            _reject_send(follow)
    return answer


def _refuse(follow: Follow) -> tuple[Follow | None, bool]:
    """Refuse a follow as it is now: a request becomes rejected, an accepted follow ends. Should another worker
    move it first, decide once more on the state it left (an Accept that overtook a Reject: the Reject ends it).
    Returns the follow as it is now (None once ended) and whether this call refused it."""
    if follow.state == FollowState.REJECTED:
        FOLLOW_STATES.check(follow.state, FollowState.REJECTED)  # refusing a refused follow: the caller's bug
    for _ in range(2):
        if follow.state == FollowState.PENDING:
            if _move(follow, FollowState.PENDING, FollowState.REJECTED):
                return follow, True
        elif follow.state == FollowState.ACCEPTED:
            if follow_end(follow=follow):
                return None, True
        else:
            return follow, False  # another worker refused it first
        current = _current(follow)
        if current is None:
            return None, False
        follow = current
    return follow, False


def _follow_document(follow: Follow) -> dict:
    return {"id": follow.uri, "type": "Follow", "actor": follow.follower.uri, "object": follow.target.uri}


def _answer_send(follow: Follow, kind: str) -> None:
    """Accept or Reject, to a remote follower only."""
    if not follow.follower.local:
        actor, activity, inboxes = _answer(follow, kind)
        activity_publish(actor=actor, activity=activity, inboxes=inboxes)


def _answer(follow: Follow, kind: str) -> tuple[Actor, dict, list[str]]:
    """(our actor, the Accept or Reject of a remote follower's follow, its inbox)."""
    activity = render.simple_activity(
        id=render.activity_id(follow.target, f"{kind.lower()}s"), type=kind, actor=follow.target,
        object=_follow_document(follow), to=[follow.follower.uri],
    )
    return follow.target, activity, [follow.follower.inbox_url]


def _accept_send(follow: Follow) -> None:
    _answer_send(follow, "Accept")


def _reject_send(follow: Follow) -> None:
    _answer_send(follow, "Reject")
