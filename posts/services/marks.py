"""A local actor's own marks on posts: bookmarks (private) and pins (shown on its profile)."""

from django.db import IntegrityError, transaction

from actors.models import Actor

from ..models import Bookmark, Pin, Post
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
        raise PostError("Only your own posts can be pinned.")
    if not post.is_public:
        raise PostError("Only public and unlisted posts can be pinned.")
    with transaction.atomic():
        if Pin.objects.filter(actor=actor, post=post).exists():
            return
        if Pin.objects.filter(actor=actor).count() >= MAX_PINS:
            raise PostError(f"At most {MAX_PINS} posts can be pinned.")
        Pin.objects.create(actor=actor, post=post)


def pin_undo(*, actor: Actor, post: Post) -> None:
    Pin.objects.filter(actor=actor, post=post).delete()
