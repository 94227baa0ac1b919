"""`{% member_entry member %}`: a member's entry in the directory (community/_member_entry.html), rendered once per
process for what it shows and kept (community/fragments.py)."""

from django import template
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from ..fragments import member_entries

register = template.Library()


def entry_key(member) -> tuple:
    """Everything the entry shows, read with the page (the profile, its actor and its fields of work): a changed
    member is a new key, whichever process changed it."""
    actor = member.actor
    return (
        get_language(), member.id, member.listed, member.postal_code, member.city, member.state, member.description,
        tuple(field.slug for field in member.fields_of_work.all()),
        actor.id, actor.local, actor.type, actor.username, actor.domain, actor.display_name, actor.icon_url,
        actor.url, actor.uri,
    )


@register.simple_tag(takes_context=True)
def member_entry(context, member):
    key = entry_key(member)
    html = member_entries.get(key)
    if html is None:
        entry = context.template.engine.get_template("community/_member_entry.html")
        with context.push(member=member):
            html = entry.render(context)
        member_entries.set(key, html)
    return mark_safe(html)  # noqa: S308 - the entry template escapes what it shows
