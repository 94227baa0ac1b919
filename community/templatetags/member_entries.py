"""`{% member_entry member %}`: a member's entry in the directory (community/_member_entry.html), rendered once per
process for what it shows and kept (community/fragments.py). `member` is a MemberProfile read in full, or an Entry
of a page read key first (community/entries.py)."""

from django import template
from django.utils.safestring import mark_safe

from ..entries import Entry, entry_key
from ..fragments import member_entries

register = template.Library()


@register.simple_tag(takes_context=True)
def member_entry(context, member):
    if isinstance(member, Entry):
        if member.html is not None:
            return mark_safe(member.html)  # noqa: S308 - kept as the entry template escaped it
        member = member.profile
    key = entry_key(member)
    html = member_entries.get(key)
    if html is None:
        entry = context.template.engine.get_template("community/_member_entry.html")
        with context.push(member=member):
            html = entry.render(context)
        member_entries.set(key, html)
    return mark_safe(html)  # noqa: S308 - the entry template escapes what it shows
