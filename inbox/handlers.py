"""One handler per activity type. Each takes the stored item and its verified actor and returns the next state."""

import logging
from collections.abc import Callable
from datetime import datetime
from typing import TypeVar

from django.conf import settings

from actors.models import COMMENT_MAX, Actor, ActorType, Follow, Report
from actors.services.follow import (
    blocked_among,
    follow_confirmed,
    follow_end,
    follow_received,
    follow_refused,
    follows_end_all,
)
from actors.services.remote import ResolveError, actor_fetch, fetcher, origin
from actors.services.reports import report_create
from fediverse_node.protocol.fetcher import FetchError
from fediverse_node.protocol.vocab import ACTOR_TYPES, POST_TYPES, Activity, PostObject, VocabError
from fediverse_node.protocol.vocab.values import kind_of
from posts.models import Like, NotificationType, Post, PostType
from posts.services.boosts import boosts_withdraw_remote
from posts.services.events import EventError, participation_arrived, participation_ended
from posts.services.groups import group_share
from posts.services.notifying import notification_add
from posts.services.polls import poll_vote_arrived
from posts.services.remote import boost_store_remote, post_delete_remote, post_upsert_remote

from .forwarding import forward_plan, forward_run
from .models import InboxItem, InboxState

log = logging.getLogger(__name__)
FLAG_MAX_OBJECTS = 100  # a report names an account and some posts; more is abuse, and each costs a query


class Unprocessable(Exception):
    """The activity is well-formed but cannot be applied (e.g. it claims what its actor does not own)."""


def _local_actor(uri: str) -> Actor | None:
    if not uri or not uri.startswith(settings.FEDINODE_BASE_URL + "/"):
        return None
    return Actor.objects.filter(uri=uri, local=True).first()


def _object_of(activity: Activity, actor: Actor) -> dict:
    """The embedded object, or the object fetched from its origin when only its id came (never trust a copy
    from another origin: the id's server is the authority)."""
    object_id = activity.object_id
    if activity.object is not None and object_id and origin(object_id) == origin(actor.uri):
        return activity.object
    return _object_fetch(object_id)


def _object_fetch(object_id: str) -> dict:
    """The object at this id, fetched from its own server (signed GET)."""
    if not object_id:
        raise Unprocessable("The activity has no object.")
    try:
        fetched = fetcher().get_json(object_id)
    except FetchError as error:
        raise Unprocessable(f"Could not fetch the object {object_id}: {error}") from error
    if not isinstance(fetched, dict) or fetched.get("id") != object_id:
        raise Unprocessable("The fetched object has another id than the one asked for.")
    return fetched


def handle_follow(activity: Activity, actor: Actor) -> str:
    target = _local_actor(activity.object_id)
    if target is None or target.suspended:
        raise Unprocessable("Follow of an actor that is not on this server.")
    follow_received(follower=actor, target=target, uri=activity.id)
    return InboxState.PROCESSED


def _our_follow(activity: Activity, actor: Actor) -> Follow | None:
    """The Follow an Accept/Reject answers: by its id, or by (our actor, their actor) for peers that re-mint it."""
    follow = Follow.objects.filter(uri=activity.object_id, target=actor).first()
    inner = activity.inner()
    if follow is None and inner is not None:
        follower = _local_actor(inner.actor)
        if follower is not None:
            follow = Follow.objects.filter(follower=follower, target=actor).first()
    return follow


def handle_accept(activity: Activity, actor: Actor) -> str:
    follow = _our_follow(activity, actor)
    if follow is None:
        return InboxState.IGNORED
    follow_confirmed(follow=follow)
    return InboxState.PROCESSED


def handle_reject(activity: Activity, actor: Actor) -> str:
    follow = _our_follow(activity, actor)
    if follow is None:
        return InboxState.IGNORED
    follow_refused(follow=follow)
    return InboxState.PROCESSED


def handle_undo(activity: Activity, actor: Actor) -> str:
    kind, object_id, inner = activity.object_type, activity.object_id, activity.inner()
    if kind == "Follow" or Follow.objects.filter(uri=object_id, follower=actor).exists():
        target = _local_actor(inner.object_id) if inner else None
        follows = Follow.objects.filter(follower=actor)
        follows = follows.filter(target=target) if target else follows.filter(uri=object_id)
        for follow in follows.select_related("follower", "target"):
            follow_end(follow=follow)
        return InboxState.PROCESSED
    if kind == "Like" or Like.objects.filter(uri=object_id, actor=actor).exists():
        Like.objects.filter(actor=actor, uri=object_id).delete()
        if inner is not None:
            Like.objects.filter(actor=actor, post__uri=inner.object_id).delete()
        return InboxState.PROCESSED
    if kind == "Join" and inner is not None:  # some servers withdraw with Undo(Join) instead of Leave
        return handle_leave(inner, actor)
    if kind == "Announce" or Post.objects.filter(uri=object_id, author=actor).exists():
        boosts_withdraw_remote(actor=actor, uri=object_id)
        return InboxState.PROCESSED
    return InboxState.IGNORED


def post_admit(obj: dict, author: Actor) -> PostObject | None:
    """The admission rules of a post an actor sends (Create, Update, a group's relay, the batch path): None when
    the object is no post (ignored); Unprocessable when it is unreadable or not the author's. A post lives on its
    author's server: another server cannot vouch for it, even when it names the sender as its author (Mastodon
    checks the same: the object's host must be the actor's)."""
    if not isinstance(obj, dict) or kind_of(obj) not in POST_TYPES:
        return None
    try:
        post = PostObject.parse(obj)
    except VocabError as error:
        raise Unprocessable(str(error)) from error
    if origin(post.id) != origin(author.uri):
        raise Unprocessable("The object is not on its author's server.")
    if post.attributed_to != author.uri:
        raise Unprocessable("The object is attributed to another actor than the one who sent it.")
    return post


def _poll_voted(obj: PostObject, actor: Actor) -> str | None:
    """A vote on one of our polls (Mastodon's shape: a Note with a name, in reply to the Question, no content) is
    counted, never stored as a reply; None when the object is no such vote."""
    if obj.type != "Note" or not obj.name or obj.content.strip() or not _is_ours(obj.in_reply_to):
        return None
    poll = Post.objects.filter(uri=obj.in_reply_to, local=True, type=PostType.QUESTION).first()
    if poll is None:
        return None
    counted = poll_vote_arrived(post=poll, voter=actor, name=obj.name, uri=obj.id)
    return InboxState.PROCESSED if counted else InboxState.IGNORED


def handle_create(activity: Activity, actor: Actor) -> str:
    obj = post_admit(_object_of(activity, actor), actor)
    if obj is None:
        return InboxState.IGNORED
    voted = _poll_voted(obj, actor)
    if voted is not None:
        return voted
    post = post_upsert_remote(obj=obj, author=actor)
    if any(_is_ours(uri) for uri in obj.named()):
        addressed = [*obj.to, *obj.cc, *obj.audience]
        group_share(post=post, addressed=addressed)  # FEP-1b12: a group shares its members' posts
    return InboxState.PROCESSED


def handle_update(activity: Activity, actor: Actor) -> str:
    if activity.object_type in ACTOR_TYPES:
        if activity.object_id != actor.uri:
            raise Unprocessable("An actor can only update itself.")
        actor_fetch(actor.uri, refresh=True)  # take the document from its origin, not the copy we were sent
        return InboxState.PROCESSED
    obj = post_admit(_object_of(activity, actor), actor)
    if obj is None:
        return InboxState.IGNORED
    post_upsert_remote(obj=obj, author=actor)
    return InboxState.PROCESSED


def handle_delete(activity: Activity, actor: Actor) -> str:
    object_id = activity.object_id
    if not object_id:
        raise Unprocessable("Delete without an object.")
    if object_id == actor.uri:
        actor.deleted = True
        actor.save(update_fields=["deleted"])
        actor.posts.all().delete()
        follows_end_all(actor=actor)
        return InboxState.PROCESSED
    return InboxState.PROCESSED if post_delete_remote(uri=object_id, author=actor) else InboxState.IGNORED


def handle_like(activity: Activity, actor: Actor) -> str:
    post = Post.objects.filter(uri=activity.object_id, local=True).first()
    if post is None:
        return InboxState.IGNORED
    _, created = Like.objects.get_or_create(actor=actor, post=post, defaults={"uri": activity.id})
    if created:
        notification_add(recipient=post.author, type=NotificationType.FAVOURITE, from_actor=actor, post=post)
    return InboxState.PROCESSED


def _relayed_activity(inner: Activity, actor: Actor) -> str:
    """FEP-1b12: a group Announces its members' Create/Update/Delete. We never trust the embedded copy: the
    object is fetched from its own origin and must be attributed to the inner activity's actor."""
    if inner.type not in ("Create", "Update") or not inner.actor or not inner.object_id:
        return InboxState.IGNORED
    try:
        inner_actor = actor_fetch(inner.actor)
    except ResolveError as error:
        raise Unprocessable(str(error)) from error
    try:
        obj = post_admit(_object_fetch(inner.object_id), inner_actor)
    except Unprocessable as error:
        raise Unprocessable(f"The relayed object is not by the relayed activity's actor: {error}") from error
    if obj is None:
        return InboxState.IGNORED
    post_upsert_remote(obj=obj, author=inner_actor)
    return InboxState.PROCESSED


def handle_announce(activity: Activity, actor: Actor) -> str:
    inner = activity.inner() if activity.object_type in ("Create", "Update", "Delete") else None
    if inner is not None:
        return _relayed_activity(inner, actor)
    post = Post.objects.filter(uri=activity.object_id).first()
    if post is None:
        obj = _object_fetch(activity.object_id)
        if not isinstance(obj, dict) or kind_of(obj) not in POST_TYPES:
            return InboxState.IGNORED
        try:
            author = actor_fetch(PostObject.parse(obj).attributed_to)
        except (ResolveError, VocabError) as error:
            raise Unprocessable(str(error)) from error
        admitted = post_admit(obj, author)
        if admitted is None:
            return InboxState.IGNORED
        post = post_upsert_remote(obj=admitted, author=author)
    if not post.is_public:
        raise Unprocessable("Only public posts can be boosted.")
    boost_store_remote(announce_id=activity.id, actor=actor, post=post, published=activity.published)
    return InboxState.PROCESSED


def _local_event(activity: Activity) -> Post:
    object_id = activity.object_id
    event = Post.objects.filter(uri=object_id, local=True, type=PostType.EVENT).select_related("author").first()
    if event is None:
        raise Unprocessable(f"There is no event {object_id!r} on this server.")
    return event


def handle_join(activity: Activity, actor: Actor) -> str:
    """Registration for one of our events. (Mobilizon also joins groups with Join: that is a Follow here.)"""
    target = _local_actor(activity.object_id)
    if target is not None and target.type == ActorType.GROUP:
        return handle_follow(activity, actor)
    event = _local_event(activity)
    try:
        participation_arrived(actor=actor, event=event, uri=activity.id)
    except EventError as error:
        raise Unprocessable(str(error)) from error
    return InboxState.PROCESSED


def handle_leave(activity: Activity, actor: Actor) -> str:
    target = _local_actor(activity.object_id)
    if target is not None and target.type == ActorType.GROUP:
        for follow in Follow.objects.filter(follower=actor, target=target).select_related("follower", "target"):
            follow_end(follow=follow)
        return InboxState.PROCESSED
    return InboxState.PROCESSED if participation_ended(actor=actor, event=_local_event(activity)) else InboxState.IGNORED


def handle_flag(activity: Activity, actor: Actor) -> str:
    """A report from another server: one open report per local account it names, with that account's posts.
    The sender is usually the server's instance actor (Mastodon hides the reporter), so only its domain is kept."""
    uris = list(activity.object_ids[:FLAG_MAX_OBJECTS])
    named = [a for a in (_local_actor(u) for u in uris) if a is not None and not a.deleted]
    posts = list(Post.objects.filter(uri__in=uris, local=True).select_related("author"))
    if not named:
        # Some servers (Lemmy, Pleroma with a post only) name just the posts: their authors are the targets.
        named = list({p.author_id: p.author for p in posts}.values())
    if not named:
        raise Unprocessable("The Flag names no account or post of this server.")
    for target in named:
        if Report.objects.filter(uri=activity.id, target=target).exists():
            continue
        report_create(
            target=target, posts=[p for p in posts if p.author_id == target.id],
            comment=activity.content[:COMMENT_MAX], origin_domain=actor.domain, uri=activity.id,
        )
    return InboxState.PROCESSED


HANDLERS: dict[str, Callable[[Activity, Actor], str]] = {
    "Follow": handle_follow,
    "Accept": handle_accept,
    "Reject": handle_reject,
    "Undo": handle_undo,
    "Create": handle_create,
    "Update": handle_update,
    "Delete": handle_delete,
    "Like": handle_like,
    "Announce": handle_announce,
    "Join": handle_join,
    "Leave": handle_leave,
    "Flag": handle_flag,
}


def creates_split(items: list[InboxItem]) -> tuple[list[tuple[InboxItem, PostObject, Actor]], list[InboxItem]]:
    """(new posts the batch path can store at once, everything else). The batch path takes a Create whose object
    is embedded and passes `post_admit` (the rules of handle_create) for its known, unsuspended actor, is new
    here and names nothing of ours but plain actors (a group would have to share it); the rest goes one by one
    through HANDLERS."""
    candidates = [item for item in items if item.type == "Create" and isinstance(item.payload.get("object"), dict)]
    actors = {a.uri: a for a in Actor.objects.filter(uri__in={item.actor_uri for item in candidates})}
    admitted: dict[int, tuple[PostObject, Actor]] = {}
    for item in candidates:
        actor = actors.get(item.actor_uri)
        if actor is None or actor.suspended:
            continue
        try:
            obj = post_admit(item.payload["object"], actor)
        except Unprocessable:
            continue  # the one-by-one path records why
        if obj is not None:
            admitted[item.id] = (obj, actor)
    existing = set(Post.objects.filter(uri__in=[obj.id for obj, _ in admitted.values()]).values_list("uri", flat=True))
    named = {uri for obj, _ in admitted.values() for uri in obj.named() if _is_ours(uri)}
    groups = set(Actor.objects.filter(uri__in=named, local=True, type=ActorType.GROUP).values_list("uri", flat=True))
    batch, rest, taken = [], [], existing
    for item in items:
        obj, actor = admitted.get(item.id, (None, None))
        if (
            obj is None or actor is None or obj.id in taken or groups.intersection(obj.named())
            or obj.type == "Question"  # its poll is stored one by one
            or _is_ours(obj.in_reply_to)  # a reply to us may be forwarded: one by one
        ):
            rest.append(item)
            continue
        taken.add(obj.id)
        batch.append((item, obj, actor))
    return batch, rest


def likes_split(items: list[InboxItem]) -> tuple[list[tuple[InboxItem, str, Actor, Post]], list[InboxItem]]:
    """(likes the batch path can store at once, everything else): a Like by a known, unsuspended actor of one of
    our posts, named by its id; the rest goes one by one through HANDLERS (an unknown actor is fetched there, a like
    of something not ours is ignored there)."""
    reactions = _reactions(items, "Like")
    posts = {p.uri: p for p in Post.objects.filter(uri__in=_named(reactions), local=True)} if reactions else {}
    matched, rest = _matched(items, reactions, posts)
    return [(item, activity.id, actor, post) for item, activity, actor, post in matched], rest


def announces_split(
    items: list[InboxItem],
) -> tuple[list[tuple[InboxItem, str, Actor, Post, datetime | None]], list[InboxItem]]:
    """(boosts the batch path can store at once, everything else): an Announce by a known, unsuspended actor of a
    public post stored here, named by its id; the rest goes one by one through HANDLERS (a post fetched first, a
    group's relay, a boost of a post that is not public)."""
    reactions = _reactions(items, "Announce")
    posts = {
        p.uri: p for p in Post.objects.filter(uri__in=_named(reactions)).select_related("author")
    } if reactions else {}
    matched, rest = _matched(items, reactions, posts, lambda _activity, _actor, post: post.is_public)
    return [(item, activity.id, actor, post, activity.published) for item, activity, actor, post in matched], rest


def follows_split(items: list[InboxItem]) -> tuple[list[tuple[InboxItem, str, Actor, Actor]], list[InboxItem]]:
    """(follows the batch path can take at once, everything else): a Follow by a known, unsuspended remote actor of
    one of our actors who takes followers without asking, named by its id, where no follow of the pair is known and
    neither blocks the other (nor is the follower's server blocked); the rest goes one by one through HANDLERS (a
    request to decide, a follow asked again, a block answered with a Reject)."""
    reactions = _reactions(items, "Follow")
    targets = {
        a.uri: a for a in Actor.objects.filter(
            uri__in=_named(reactions), local=True, suspended=False, manually_approves_followers=False,
        )
    } if reactions else {}
    if not targets:
        return [], items
    pairs = {(actor, targets[activity.object_id]) for _, activity, actor in reactions.values()
             if activity.object_id in targets}
    known = set(Follow.objects.filter(
        follower_id__in={actor.id for actor, _ in pairs}, target_id__in={target.id for _, target in pairs}
    ).values_list("follower_id", "target_id"))
    blocked = blocked_among(pairs)

    def new_follow(_activity: Activity, actor: Actor, target: Actor) -> bool:
        pair = (actor.id, target.id)
        if actor.local or pair in known or pair in blocked:
            return False
        known.add(pair)  # a second Follow of the pair in this batch is one asked again: one by one, after this one
        return True

    matched, rest = _matched(items, reactions, targets, new_follow)
    return [(item, activity.id, actor, target) for item, activity, actor, target in matched], rest


T = TypeVar("T")


def _named(reactions: dict[int, tuple[InboxItem, Activity, Actor]]) -> set[str]:
    return {activity.object_id for _, activity, _ in reactions.values()}


def _matched(
    items: list[InboxItem], reactions: dict[int, tuple[InboxItem, Activity, Actor]], objects: dict[str, T],
    admit: Callable[[Activity, Actor, T], bool] = lambda *_: True,
) -> tuple[list[tuple[InboxItem, Activity, Actor, T]], list[InboxItem]]:
    """(each reaction whose object is among `objects` and which `admit` takes, with its activity, actor and object;
    every other item), in the items' order."""
    matched, rest = [], []
    for item in items:
        found = reactions.get(item.id)
        obj = objects.get(found[1].object_id) if found else None
        if found is None or obj is None or not admit(found[1], found[2], obj):
            rest.append(item)
            continue
        matched.append((item, found[1], found[2], obj))
    return matched, rest


def _reactions(items: list[InboxItem], kind: str) -> dict[int, tuple[InboxItem, Activity, Actor]]:
    """The items of this type that name their object by id, parse, and come from a known, unsuspended actor (one
    query for the actors); none unless there are two (one goes as fast one by one)."""
    candidates = [item for item in items if item.type == kind and isinstance(item.payload.get("object"), str)]
    if len(candidates) < 2:
        return {}
    actors = {a.uri: a for a in Actor.objects.filter(uri__in={item.actor_uri for item in candidates}, suspended=False)}
    found = {}
    for item in candidates:
        actor = actors.get(item.actor_uri)
        try:
            activity = Activity.parse(item.payload)
        except VocabError:
            continue  # the one-by-one path records why
        if actor is not None and activity.object_id:
            found[item.id] = (item, activity, actor)
    return found


def _is_ours(uri: str) -> bool:
    return uri.startswith(settings.FEDINODE_BASE_URL + "/")


def item_process(item: InboxItem) -> str:
    """Run the handler of one stored activity and return its next state (the caller saves it)."""
    handler = HANDLERS.get(item.type)
    if handler is None:
        return InboxState.IGNORED
    actor = Actor.objects.filter(uri=item.actor_uri).first()
    if actor is None:
        actor = actor_fetch(item.actor_uri)
    if actor.suspended:
        return InboxState.IGNORED  # suspended after the inbox took it (or by another process's stale cache)
    try:
        activity = Activity.parse(item.payload)
    except VocabError as error:
        raise Unprocessable(str(error)) from error
    plan = forward_plan(item.payload, actor)
    state = handler(activity, actor)
    if state == InboxState.PROCESSED:
        forward_run(item.payload, actor, plan)
    return state
