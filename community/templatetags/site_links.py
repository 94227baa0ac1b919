"""`{% page_url route name %}` and `{{ actor|actor_page }}`: links to the site's pages that never raise
(community/addresses.py)."""

from django import template

from ..addresses import actor_page, page_url

register = template.Library()
register.simple_tag(page_url, name="page_url")
register.filter("actor_page", actor_page)
