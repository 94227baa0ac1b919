"""Domain events about posts for whoever listens (the streaming API): sent inside the writing transaction, so a
listener can read what it needs before rows go and defer its own work with `transaction.on_commit`.

Domain events sent by the post services, not model signals: rows written another way are not announced."""

import logging

from django.dispatch import Signal

from ..models import Post

log = logging.getLogger(__name__)

# `feeds`: {post id: ids of the local actors whose home feed got it}, for new posts and boosts.
posts_added = Signal()
# `post_ids`: posts whose content changed (an edit, a remote Update).
posts_changed = Signal()
# `post_ids`: posts about to be deleted (still readable when the signal is sent).
posts_removing = Signal()


def _send(signal: Signal, **kwargs) -> None:
    # A listener that fails must not fail the write it listens to.
    for receiver, outcome in signal.send_robust(sender=Post, **kwargs):
        if isinstance(outcome, Exception):
            log.error("announcing %s to %r failed: %s", kwargs, receiver, outcome)


def posts_added_announce(*, feeds: dict[int, set[int]]) -> None:
    """New posts (and boosts) and the home feeds they went into."""
    if feeds:
        _send(posts_added, feeds=feeds)


def posts_changed_announce(*, post_ids: list[int]) -> None:
    if post_ids:
        _send(posts_changed, post_ids=post_ids)


def posts_removing_announce(*, post_ids: list[int]) -> None:
    if post_ids:
        _send(posts_removing, post_ids=post_ids)
