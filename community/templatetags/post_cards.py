"""`{% post_card post %}`: the card of one post (community/_post.html), rendered once per version and viewer."""

import orjson
from django import template
from django.core.exceptions import ObjectDoesNotExist
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from ..fragments import post_cards

register = template.Library()


def card_key(post, user, *, single: bool = False) -> tuple | None:
    """What the card shows, as a key; None for staff, whose cards carry a form with their CSRF token."""
    if user is not None and user.is_staff:
        return None
    attachments = tuple((a.id, a.description, str(a.file), a.remote_url) for a in post.attachments.all())
    viewer = user.pk if user is not None and user.is_authenticated else 0
    # a reply arriving changes the card's reply count, not the post's updated_at
    replies = getattr(post, "reply_count", None)
    # votes change a poll's results, and time ends it, without touching the post
    poll = _poll_shown(post)
    return (get_language(), viewer, post.id, post.updated_at, post.author_id, post.author.updated_at, attachments,
            replies, poll, bool(single))


def _poll_shown(post) -> tuple | None:
    if post.type != "Question":
        return None
    try:
        poll = post.poll
    except ObjectDoesNotExist:
        return None
    return (orjson.dumps(poll.options), poll.voters_count, poll.expired, poll.hide_totals, poll.expires_at)


@register.simple_tag(takes_context=True)
def post_card(context, post):
    key = card_key(post, context.get("user"), single=bool(context.get("single")))
    html = post_cards.get(key) if key else None
    if html is None:
        card = context.template.engine.get_template("community/_post.html")
        with context.push(post=post):
            html = card.render(context)
        if key:
            post_cards.set(key, html)
    return mark_safe(html)  # noqa: S308 - the card template escapes what it shows
