"""One handler per activity type. Each takes the stored item and its verified actor and returns the next state."""

import logging
from collections.abc import Callable

from django.conf import settings

from actors.models import COMMENT_MAX, Actor, ActorType, Follow, Report
from actors.services.follow import follow_arrived, follow_confirmed, follow_refused
from actors.services.remote import ResolveError, actor_fetch, fetcher, origin
from actors.services.reports import report_create
from fediverse_node.activitystreams import id_of
from fediverse_node.protocol.fetcher import FetchError
from posts.models import Like, Notification, NotificationType, Post, PostType
from posts.services.events import EventError, participation_arrived, participation_ended
from posts.services.groups import group_share
from posts.services.remote import POST_TYPES, boost_store_remote, post_delete_remote, post_upsert_remote

from .forwarding import forward_plan, forward_run
from .models import InboxItem, InboxState

log = logging.getLogger(__name__)
ACTOR_TYPES = {t.value for t in ActorType}
FLAG_MAX_OBJECTS = 100  # a report names an account and some posts; more is abuse, and each costs a query


class Unprocessable(Exception):
    """The activity is well-formed but cannot be applied (e.g. it claims what its actor does not own)."""


def _local_actor(uri: str | None) -> Actor | None:
    if not uri or not uri.startswith(settings.FEDINODE_BASE_URL + "/"):
        return None
    return Actor.objects.filter(uri=uri, local=True).first()


def _object_of(activity: dict, actor: Actor) -> dict:
    """The embedded object, or the object fetched from its origin when only its id came (never trust a copy
    from another origin: the id's server is the authority)."""
    obj = activity.get("object")
    if isinstance(obj, dict) and isinstance(obj.get("id"), str) and origin(obj["id"]) == origin(actor.uri):
        return obj
    object_id = id_of(obj)
    if not object_id:
        raise Unprocessable("The activity has no object.")
    try:
        fetched = fetcher().get_json(object_id)
    except FetchError as error:
        raise Unprocessable(f"Could not fetch the object {object_id}: {error}") from error
    if fetched.get("id") != object_id:
        raise Unprocessable("The fetched object has another id than the one asked for.")
    return fetched


def handle_follow(activity: dict, actor: Actor) -> str:
    target = _local_actor(id_of(activity.get("object")))
    if target is None or target.suspended:
        raise Unprocessable("Follow of an actor that is not on this server.")
    follow = Follow.objects.filter(follower=actor, target=target).first()
    if follow is None:
        follow = Follow.objects.create(follower=actor, target=target, uri=activity["id"])
    elif follow.uri != activity["id"]:
        follow.uri = activity["id"]  # a repeated Follow: our answer names the id the peer sent last
        follow.save(update_fields=["uri"])
    follow_arrived(follow=follow)
    return InboxState.PROCESSED


def _our_follow(activity: dict, actor: Actor) -> Follow | None:
    """The Follow an Accept/Reject answers: by its id, or by (our actor, their actor) for peers that re-mint it."""
    obj = activity.get("object")
    follow = Follow.objects.filter(uri=id_of(obj) or "", target=actor).first()
    if follow is None and isinstance(obj, dict):
        follower = _local_actor(id_of(obj.get("actor")))
        if follower is not None:
            follow = Follow.objects.filter(follower=follower, target=actor).first()
    return follow


def handle_accept(activity: dict, actor: Actor) -> str:
    follow = _our_follow(activity, actor)
    if follow is None:
        return InboxState.IGNORED
    follow_confirmed(follow=follow)
    return InboxState.PROCESSED


def handle_reject(activity: dict, actor: Actor) -> str:
    follow = _our_follow(activity, actor)
    if follow is None:
        return InboxState.IGNORED
    follow_refused(follow=follow)
    return InboxState.PROCESSED


def handle_undo(activity: dict, actor: Actor) -> str:
    obj = activity.get("object")
    kind = obj.get("type") if isinstance(obj, dict) else None
    object_id = id_of(obj)
    if kind == "Follow" or Follow.objects.filter(uri=object_id or "", follower=actor).exists():
        target = _local_actor(id_of(obj.get("object"))) if isinstance(obj, dict) else None
        follows = Follow.objects.filter(follower=actor)
        follows = follows.filter(target=target) if target else follows.filter(uri=object_id or "")
        follows.delete()
        return InboxState.PROCESSED
    if kind == "Like" or Like.objects.filter(uri=object_id or "", actor=actor).exists():
        Like.objects.filter(actor=actor, uri=object_id or "").delete()
        if isinstance(obj, dict):
            Like.objects.filter(actor=actor, post__uri=id_of(obj.get("object")) or "").delete()
        return InboxState.PROCESSED
    if kind == "Join":  # some servers withdraw with Undo(Join) instead of Leave
        return handle_leave(obj, actor)
    if kind == "Announce" or Post.objects.filter(uri=object_id or "", author=actor).exists():
        Post.objects.filter(uri=object_id or "", author=actor, boost_of__isnull=False).delete()
        return InboxState.PROCESSED
    return InboxState.IGNORED


def _check_on_authors_server(obj: dict, actor: Actor) -> None:
    """A post lives on its author's server: another server cannot vouch for it, even when it names the sender
    as its author (Mastodon checks the same: the object's host must be the actor's)."""
    if origin(obj["id"]) != origin(actor.uri):
        raise Unprocessable("The object is not on its actor's server.")


def handle_create(activity: dict, actor: Actor) -> str:
    obj = _object_of(activity, actor)
    if _kind(obj) not in POST_TYPES:
        return InboxState.IGNORED
    _check_on_authors_server(obj, actor)
    if id_of(obj.get("attributedTo")) != actor.uri:
        raise Unprocessable("The object is attributed to another actor than the one who sent it.")
    post = post_upsert_remote(obj=obj, author=actor)
    if any(_is_ours(uri) for uri in _named_uris(obj)):
        addressed = [id_of(a) for key in ("to", "cc", "audience") for a in _as_list(obj.get(key)) if id_of(a)]
        group_share(post=post, addressed=addressed)  # FEP-1b12: a group shares its members' posts
    return InboxState.PROCESSED


def _kind(obj: dict) -> str:
    """An object's type when it is one string; a list or an object as "type" (hostile or exotic) is no known type."""
    kind = obj.get("type")
    return kind if isinstance(kind, str) else ""


def _as_list(value) -> list:
    return value if isinstance(value, list) else [value] if value else []


def handle_update(activity: dict, actor: Actor) -> str:
    obj = activity.get("object")
    if isinstance(obj, dict) and _kind(obj) in ACTOR_TYPES:
        if obj.get("id") != actor.uri:
            raise Unprocessable("An actor can only update itself.")
        actor_fetch(actor.uri, refresh=True)  # take the document from its origin, not the copy we were sent
        return InboxState.PROCESSED
    obj = _object_of(activity, actor)
    if _kind(obj) not in POST_TYPES:
        return InboxState.IGNORED
    _check_on_authors_server(obj, actor)
    if id_of(obj.get("attributedTo")) != actor.uri:
        raise Unprocessable("Only the author can update a post.")
    post_upsert_remote(obj=obj, author=actor)
    return InboxState.PROCESSED


def handle_delete(activity: dict, actor: Actor) -> str:
    object_id = id_of(activity.get("object"))
    if not object_id:
        raise Unprocessable("Delete without an object.")
    if object_id == actor.uri:
        actor.deleted = True
        actor.save(update_fields=["deleted"])
        actor.posts.all().delete()
        Follow.objects.filter(follower=actor).delete()
        Follow.objects.filter(target=actor).delete()
        return InboxState.PROCESSED
    return InboxState.PROCESSED if post_delete_remote(uri=object_id, author=actor) else InboxState.IGNORED


def handle_like(activity: dict, actor: Actor) -> str:
    post = Post.objects.filter(uri=id_of(activity.get("object")) or "", local=True).first()
    if post is None:
        return InboxState.IGNORED
    _, created = Like.objects.get_or_create(actor=actor, post=post, defaults={"uri": activity["id"]})
    if created:
        Notification.objects.create(recipient=post.author, type=NotificationType.FAVOURITE, from_actor=actor, post=post)
    return InboxState.PROCESSED


def _relayed_activity(activity: dict, actor: Actor) -> str:
    """FEP-1b12: a group Announces its members' Create/Update/Delete. We never trust the embedded copy: the
    object is fetched from its own origin and must be attributed to the inner activity's actor."""
    inner = activity["object"]
    inner_type = inner.get("type")
    inner_actor_uri = id_of(inner.get("actor"))
    object_id = id_of(inner.get("object"))
    if inner_type not in ("Create", "Update") or not inner_actor_uri or not object_id:
        return InboxState.IGNORED
    try:
        inner_actor = actor_fetch(inner_actor_uri)
    except ResolveError as error:
        raise Unprocessable(str(error)) from error
    obj = _object_of({"object": object_id}, actor)
    if _kind(obj) not in POST_TYPES:
        return InboxState.IGNORED
    if id_of(obj.get("attributedTo")) != inner_actor.uri or origin(obj["id"]) != origin(inner_actor.uri):
        raise Unprocessable("The relayed object is not by the relayed activity's actor.")
    post_upsert_remote(obj=obj, author=inner_actor)
    return InboxState.PROCESSED


def handle_announce(activity: dict, actor: Actor) -> str:
    embedded = activity.get("object")
    if isinstance(embedded, dict) and _kind(embedded) in ("Create", "Update", "Delete"):
        return _relayed_activity(activity, actor)
    object_id = id_of(embedded)
    post = Post.objects.filter(uri=object_id or "").first()
    if post is None:
        obj = _object_of({"object": object_id}, actor)
        if _kind(obj) not in POST_TYPES:
            return InboxState.IGNORED
        try:
            author = actor_fetch(id_of(obj.get("attributedTo")) or "")
        except ResolveError as error:
            raise Unprocessable(str(error)) from error
        if origin(author.uri) != origin(obj["id"]):
            raise Unprocessable("The boosted object is not on its author's server.")
        post = post_upsert_remote(obj=obj, author=author)
    if not post.is_public:
        raise Unprocessable("Only public posts can be boosted.")
    boost_store_remote(announce_id=activity["id"], actor=actor, post=post, published=activity.get("published"))
    return InboxState.PROCESSED


def _local_event(activity: dict) -> Post:
    object_id = id_of(activity.get("object")) or ""
    event = Post.objects.filter(uri=object_id, local=True, type=PostType.EVENT).select_related("author").first()
    if event is None:
        raise Unprocessable(f"There is no event {object_id!r} on this server.")
    return event


def handle_join(activity: dict, actor: Actor) -> str:
    """Registration for one of our events. (Mobilizon also joins groups with Join: that is a Follow here.)"""
    target = _local_actor(id_of(activity.get("object")))
    if target is not None and target.type == ActorType.GROUP:
        return handle_follow(activity, actor)
    event = _local_event(activity)
    try:
        participation_arrived(actor=actor, event=event, uri=activity["id"])
    except EventError as error:
        raise Unprocessable(str(error)) from error
    return InboxState.PROCESSED


def handle_leave(activity: dict, actor: Actor) -> str:
    target = _local_actor(id_of(activity.get("object")))
    if target is not None and target.type == ActorType.GROUP:
        Follow.objects.filter(follower=actor, target=target).delete()
        return InboxState.PROCESSED
    return InboxState.PROCESSED if participation_ended(actor=actor, event=_local_event(activity)) else InboxState.IGNORED


def handle_flag(activity: dict, actor: Actor) -> str:
    """A report from another server: one open report per local account it names, with that account's posts.
    The sender is usually the server's instance actor (Mastodon hides the reporter), so only its domain is kept."""
    uris = [u for u in (id_of(o) for o in _as_list(activity.get("object"))) if u][:FLAG_MAX_OBJECTS]
    named = [a for a in (_local_actor(u) for u in uris) if a is not None and not a.deleted]
    posts = list(Post.objects.filter(uri__in=uris, local=True).select_related("author"))
    if not named:
        # Some servers (Lemmy, Pleroma with a post only) name just the posts: their authors are the targets.
        named = list({p.author_id: p.author for p in posts}.values())
    if not named:
        raise Unprocessable("The Flag names no account or post of this server.")
    comment = activity.get("content") if isinstance(activity.get("content"), str) else ""
    for target in named:
        if Report.objects.filter(uri=activity["id"], target=target).exists():
            continue
        report_create(
            target=target, posts=[p for p in posts if p.author_id == target.id], comment=comment[:COMMENT_MAX],
            origin_domain=actor.domain, uri=activity["id"],
        )
    return InboxState.PROCESSED


HANDLERS: dict[str, Callable[[dict, Actor], str]] = {
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


def creates_split(items: list[InboxItem]) -> tuple[list[tuple[InboxItem, dict, Actor]], list[InboxItem]]:
    """(new posts the batch path can store at once, everything else). The batch path takes a Create whose object
    is embedded, on its known, unsuspended actor's server and attributed to it, new here, without attachments and
    naming nothing of ours but plain actors (a group would have to share it); the rest goes one by one through
    HANDLERS, with the same checks."""
    candidates = [item for item in items if item.type == "Create" and isinstance(item.payload.get("object"), dict)]
    actors = {a.uri: a for a in Actor.objects.filter(uri__in={item.actor_uri for item in candidates})}
    object_ids = {id_of(item.payload["object"]) for item in candidates}
    existing = set(Post.objects.filter(uri__in=[i for i in object_ids if i]).values_list("uri", flat=True))
    named = {uri for item in candidates for uri in _named_uris(item.payload["object"]) if _is_ours(uri)}
    groups = set(Actor.objects.filter(uri__in=named, local=True, type=ActorType.GROUP).values_list("uri", flat=True))
    candidate_ids = {item.id for item in candidates}
    batch, rest, taken = [], [], set(existing)
    for item in items:
        obj = item.payload.get("object") if item.id in candidate_ids else None
        actor = actors.get(item.actor_uri)
        if (
            obj is None or actor is None or actor.suspended or _kind(obj) not in POST_TYPES
            or not isinstance(obj.get("id"), str) or len(obj["id"]) > 500 or obj["id"] in taken
            or origin(obj["id"]) != origin(actor.uri) or id_of(obj.get("attributedTo")) != actor.uri
            or obj.get("attachment") or groups & set(_named_uris(obj))
            or _is_ours(id_of(obj.get("inReplyTo")) or "")  # a reply to us may be forwarded: one by one
        ):
            rest.append(item)
            continue
        taken.add(obj["id"])
        batch.append((item, obj, actor))
    return batch, rest


def _named_uris(obj: dict) -> list[str]:
    """Whom an object addresses or mentions."""
    addressed = [id_of(a) for key in ("to", "cc", "audience") for a in _as_list(obj.get(key))]
    mentioned = [t.get("href") for t in _as_list(obj.get("tag")) if isinstance(t, dict) and t.get("type") == "Mention"]
    return [uri for uri in addressed + mentioned if isinstance(uri, str)]


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
    plan = forward_plan(item.payload, actor)
    state = handler(item.payload, actor)
    if state == InboxState.PROCESSED:
        forward_run(item.payload, actor, plan)
    return state
