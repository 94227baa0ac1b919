"""Inbox forwarding (ActivityPub §7.1.2): a reply to a member's post, and the Delete of a post a member replied to
or boosted, go on to the member's followers, who saw the original but may not follow the author of the reply.

§7.1.2's conditions, as this node reads them: the activity is seen for the first time (the inbox stores each
activity id once and runs it once); it is addressed to a collection of ours or publicly (Mastodon forwards public
replies, whose audience `as:Public` no server owns; a followers-only reply goes on only when addressed to our
member's followers collection, so nothing reaches anyone its author did not address); and it is about an object of
ours (the reply's inReplyTo is our member's post; the deleted post is one our member boosted or answered).
The receivers check it with its author's server (inbox/forwarded.py): our signature only says who forwarded it."""

from dataclasses import dataclass

from actors.models import Actor
from actors.selectors import follower_inboxes
from actors.services.remote import origin
from fediverse_node.protocol.vocab import PUBLIC_ALIASES, id_of, ids_of
from outbox.services import activity_forward
from posts.models import Post


@dataclass
class Forward:
    """Whom to forward an activity to, and which of our actors signs it."""

    signer: Actor
    inboxes: set[str]


def _addressed(activity: dict) -> set[str]:
    obj = activity.get("object")
    scopes = [activity] + ([obj] if isinstance(obj, dict) else [])
    return {uri for scope in scopes for key in ("to", "cc", "audience") for uri in ids_of(scope.get(key))}


def _followers_inboxes(member: Actor, *, audience_ok: bool, author_origin: str) -> set[str]:
    """The member's followers' inboxes, when the activity's audience lets them see it; none on the author's server
    (which delivered it there itself)."""
    if not audience_ok:
        return set()
    return {inbox for inbox in follower_inboxes(actor=member) if origin(inbox) != author_origin}


def _audience_ok(member: Actor, addressed: set[str]) -> bool:
    return bool(addressed & PUBLIC_ALIASES) or bool(member.followers_url and member.followers_url in addressed)


def forward_plan(activity: dict, actor: Actor) -> Forward | None:
    """Before the handler runs (a Delete removes what the plan needs): where to forward a Delete of a post one of
    our members answered or boosted."""
    if activity.get("type") != "Delete":
        return None
    post = Post.objects.filter(uri=id_of(activity.get("object")) or "", author=actor, local=False).select_related(
        "in_reply_to__author").first()
    if post is None:
        return None
    signer, inboxes, author_origin = None, set(), origin(actor.uri)
    if post.in_reply_to is not None and post.in_reply_to.local:
        signer = post.in_reply_to.author
        inboxes |= _followers_inboxes(signer, author_origin=author_origin,
                                      audience_ok=post.is_public or _audience_ok(signer, _addressed(activity)))
    for boost in Post.objects.filter(boost_of=post, local=True).select_related("author"):
        signer = signer or boost.author  # a boost is public: every follower of the booster saw the post
        inboxes |= _followers_inboxes(boost.author, audience_ok=True, author_origin=author_origin)
    return Forward(signer=signer, inboxes=inboxes) if signer is not None and inboxes else None


def _reply_plan(activity: dict, actor: Actor) -> Forward | None:
    """After a Create or Update was stored: where to forward a reply to one of our members' posts."""
    post = Post.objects.filter(uri=id_of(activity.get("object")) or "", author=actor).select_related(
        "in_reply_to__author").first()
    parent = post.in_reply_to if post is not None else None
    if parent is None or not parent.local:
        return None
    inboxes = _followers_inboxes(parent.author, author_origin=origin(actor.uri),
                                 audience_ok=_audience_ok(parent.author, _addressed(activity)))
    return Forward(signer=parent.author, inboxes=inboxes) if inboxes else None


def forward_run(activity: dict, actor: Actor, plan: Forward | None) -> None:
    """After the handler applied the activity: forward it (once per activity id)."""
    if activity.get("type") in ("Create", "Update"):
        plan = _reply_plan(activity, actor)
    if plan is not None:
        activity_forward(actor=plan.signer, activity=activity, inboxes=plan.inboxes)
