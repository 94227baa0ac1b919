"""A local actor's own marks on posts and tags: bookmarks (private), pins (shown on its profile), muted
conversations and followed hashtags."""

import re

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_noop

from actors.models import Actor

from ..models import Bookmark, ConversationMute, FeedEntry, Pin, Post, Tag, TagFollow, Visibility
from ..selectors import thread_root
from .publishing import PostError

MAX_PINS = 5


def bookmark_create(*, actor: Actor, post: Post) -> None:
    try:
        with transaction.atomic():
            Bookmark.objects.get_or_create(actor=actor, post=post)
    except IntegrityError:
        pass  # a concurrent request bookmarked it first


def bookmark_undo(*, actor: Actor, post: Post) -> None:
    Bookmark.objects.filter(actor=actor, post=post).delete()


def pin_create(*, actor: Actor, post: Post) -> None:
    """Pin one of the actor's own public posts to its profile."""
    if post.author_id != actor.id or post.boost_of_id:
        raise PostError(gettext_noop("Only your own posts can be pinned."))
    if not post.is_public:
        raise PostError(gettext_noop("Only public and unlisted posts can be pinned."))
    with transaction.atomic():
        if Pin.objects.filter(actor=actor, post=post).exists():
            return
        if Pin.objects.filter(actor=actor).count() >= MAX_PINS:
            raise PostError(gettext_noop("At most %(limit)d posts can be pinned."), limit=MAX_PINS)
        Pin.objects.create(actor=actor, post=post)


def pin_undo(*, actor: Actor, post: Post) -> None:
    Pin.objects.filter(actor=actor, post=post).delete()


def conversation_mute_create(*, actor: Actor, post: Post) -> None:
    """Mute the conversation `post` belongs to: no more notifications from any post of its thread."""
    root = thread_root(post=post)
    try:
        with transaction.atomic():
            ConversationMute.objects.get_or_create(actor=actor, root=root)
    except IntegrityError:
        pass  # a concurrent request muted it first


def conversation_mute_undo(*, actor: Actor, post: Post) -> None:
    ConversationMute.objects.filter(actor=actor, root=thread_root(post=post)).delete()


TAG_NAME = re.compile(r"^\w{1,100}$")
TAG_BACKFILL = 20


def tag_follow_create(*, actor: Actor, name: str) -> Tag:
    """Follow a hashtag (made if nobody used it yet): its recent public posts join the actor's home feed, and new
    ones follow (feeds.feed_owners)."""
    name = name.strip().lstrip("#").lower()
    if not TAG_NAME.match(name):
        raise PostError(gettext_noop("A hashtag is made of letters, digits and underscores."))
    tag, _ = Tag.objects.get_or_create(name=name)
    try:
        with transaction.atomic():
            TagFollow.objects.get_or_create(actor=actor, tag=tag)
    except IntegrityError:
        pass
    recent = Post.objects.filter(tags=tag, visibility=Visibility.PUBLIC, boost_of__isnull=True, author__suspended=False)
    FeedEntry.objects.bulk_create(
        [FeedEntry(owner=actor, post_id=pid, author_id=aid)
         for pid, aid in recent.order_by("-id").values_list("id", "author_id")[:TAG_BACKFILL]],
        ignore_conflicts=True,
    )
    return tag


def tag_follow_undo(*, actor: Actor, name: str) -> Tag | None:
    tag = Tag.objects.filter(name=name.strip().lstrip("#").lower()).first()
    if tag is not None:
        TagFollow.objects.filter(actor=actor, tag=tag).delete()
    return tag
