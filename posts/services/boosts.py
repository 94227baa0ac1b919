"""Boosts: a post of ours wrapping someone's public post, published as an Announce; and taking it back."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_noop

from actors.activities import activity_id, simple_activity
from actors.models import Actor
from actors.selectors import follower_inboxes
from outbox.services import activity_publish

from .. import activities as render
from ..ids import next_id, post_uri
from ..models import NotificationType, Post, PostType, Visibility
from .announcing import posts_removing_announce
from .errors import PostError
from .feeds import feed_add_post
from .notifying import notification_add


def boost_create(*, actor: Actor, post: Post) -> Post:
    """Boost a public post: a post of ours wrapping it, published as an Announce."""
    if not post.is_public:
        raise PostError(gettext_noop("Only public and unlisted posts can be boosted."))
    with transaction.atomic():
        existing = Post.objects.filter(author=actor, boost_of=post).first()
        if existing is not None:
            return existing
        boost_id = next_id()
        uri = post_uri(actor, boost_id)
        boost = Post.objects.create(
            id=boost_id, uri=uri, url=uri, author=actor, local=True, type=PostType.ANNOUNCE,
            visibility=Visibility.PUBLIC, boost_of=post, published=timezone.now(),
        )
        if post.author.local and post.author != actor:
            notification_add(recipient=post.author, type=NotificationType.REBLOG, from_actor=actor, post=post)
        feed_add_post(post=boost)
        inboxes = follower_inboxes(actor=actor)
        if not post.author.local:
            inboxes.add(post.author.delivery_inbox)
        activity_publish(actor=actor, activity=render.announce_activity(boost), inboxes=inboxes, public=True)
    return boost


def boost_undo(*, actor: Actor, post: Post) -> None:
    with transaction.atomic():
        boost = Post.objects.filter(author=actor, boost_of=post).select_related("boost_of__author").first()
        if boost is None:
            return
        announce = render.announce_activity(boost)
        announce.pop("@context", None)
        inboxes = follower_inboxes(actor=actor)
        if not post.author.local:
            inboxes.add(post.author.delivery_inbox)
        posts_removing_announce(post_ids=[boost.id])
        boost.delete()
        activity = simple_activity(
            id=activity_id(actor, "undo"), type="Undo", actor=actor, object=announce
        )
        activity_publish(actor=actor, activity=activity, inboxes=inboxes)


def boosts_withdraw_remote(*, actor: Actor, uri: str) -> int:
    """A remote actor takes back its boost (Undo(Announce)): the boost goes, and the streams that showed it get a
    `delete`, as for one of ours. Returns how many boosts went."""
    with transaction.atomic():
        ids = list(Post.objects.filter(uri=uri, author=actor, boost_of__isnull=False).values_list("id", flat=True))
        if ids:
            posts_removing_announce(post_ids=ids)  # read while the rows are still there
            Post.objects.filter(id__in=ids).delete()
    return len(ids)
