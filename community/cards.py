"""Post cards (community/_post.html): their keys, and pages of cards read key first.

A card is rendered once per process and kept (community/fragments.py) under a key of everything it shows: the
language, the viewer (staff cards carry a CSRF form and are never kept), the post's and its author's `updated_at`,
its attachments, its public reply count and its poll's results and state. A changed post or author is a new key,
whichever process changed it; nothing is invalidated.

The feed and a member's profile read a page's keys in one lean query of a kept shape (selectors.feed_card_rows,
member_card_rows: no model is made, no SQL compiled) and the attachments in a second; only the posts whose cards
this process does not hold yet are read in full and rendered.
"""

from dataclasses import dataclass
from datetime import datetime

import orjson
from django.core.exceptions import ObjectDoesNotExist
from django.utils import timezone
from django.utils.translation import get_language

from posts.models import Post

from .fragments import post_cards
from .selectors import card_attachments, posts_for_cards


def _key(*, viewer: int, post_id: int, updated_at, author_id: int, author_updated_at, attachments: tuple,
         replies, poll: tuple | None, single: bool) -> tuple:
    return (get_language(), viewer, post_id, updated_at, author_id, author_updated_at, attachments, replies, poll,
            single)


def _poll(options, voters_count, expires_at: datetime | None, hide_totals) -> tuple:
    # votes change a poll's results, and time ends it, without touching the post
    expired = expires_at is not None and expires_at <= timezone.now()
    return (orjson.dumps(options), voters_count, expired, hide_totals, expires_at)


def _viewer(user) -> int | None:
    """The viewer part of a key; None for staff, whose cards are never kept."""
    if user is not None and user.is_staff:
        return None
    return user.pk if user is not None and user.is_authenticated else 0


def card_key(post: Post, user, *, single: bool = False) -> tuple | None:
    """What the card of a post read in full shows, as a key; None for staff."""
    viewer = _viewer(user)
    if viewer is None:
        return None
    attachments = tuple((a.id, a.description, str(a.file), a.remote_url) for a in post.attachments.all())
    poll = None
    if post.type == "Question":
        try:
            shown = post.poll
        except ObjectDoesNotExist:
            shown = None
        if shown is not None:
            poll = _poll(shown.options, shown.voters_count, shown.expires_at, shown.hide_totals)
    return _key(viewer=viewer, post_id=post.id, updated_at=post.updated_at, author_id=post.author_id,
                author_updated_at=post.author.updated_at, attachments=attachments,
                # a reply arriving changes the card's reply count, not the post's updated_at
                replies=getattr(post, "reply_count", None), poll=poll, single=bool(single))


@dataclass
class Card:
    """A post on a page of cards: its id, its key, and either its kept HTML or the post to render it from."""

    id: int
    key: tuple | None
    html: str | None = None
    post: Post | None = None


def cards_from_rows(rows: list[tuple], user) -> list[Card]:
    """Cards for rows of selectors.CARD_COLUMNS: kept HTML where this process has it, else the post read in full."""
    viewer = _viewer(user)
    ids = [row[0] for row in rows]
    attachments = card_attachments(ids) if viewer is not None and ids else {}
    cards = []
    for post_id, updated_at, author_id, author_updated_at, kind, replies, poll_id, *poll in rows:
        key = None
        if viewer is not None:
            key = _key(viewer=viewer, post_id=post_id, updated_at=updated_at, author_id=author_id,
                       author_updated_at=author_updated_at, attachments=attachments.get(post_id, ()),
                       replies=replies, poll=_poll(*poll) if kind == "Question" and poll_id is not None else None,
                       single=False)
        cards.append(Card(id=post_id, key=key, html=post_cards.get(key) if key else None))
    missing = [card.id for card in cards if card.html is None]
    if missing:
        posts = posts_for_cards(missing)
        for card in cards:
            if card.html is None:
                card.post = posts.get(card.id)
        # a post gone between the two reads is left out
        cards = [card for card in cards if card.html is not None or card.post is not None]
    return cards
