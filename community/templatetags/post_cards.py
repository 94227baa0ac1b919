"""`{% post_card post %}`: the card of one post (community/_post.html), rendered once per version and viewer
(community/cards.py). `post` is a Post read in full, or a Card of a page read key first."""

from django import template
from django.utils.safestring import mark_safe

from ..cards import Card, card_key
from ..fragments import post_cards

register = template.Library()


@register.simple_tag(takes_context=True)
def post_card(context, post):
    if isinstance(post, Card):
        html, post = post.html, post.post
        if html is not None:
            return mark_safe(html)  # noqa: S308 - kept as the card template escaped it
        key = card_key(post, context.get("user"))  # what was read in full, which may be newer than the key read
    else:
        key = card_key(post, context.get("user"), single=bool(context.get("single")))
        html = post_cards.get(key) if key else None
    if html is None:
        card = context.template.engine.get_template("community/_post.html")
        with context.push(post=post):
            html = card.render(context)
        if key:
            post_cards.set(key, html)
    return mark_safe(html)  # noqa: S308 - the card template escapes what it shows
