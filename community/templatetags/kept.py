"""`{% keep "name" value … %}…{% endkeep %}`: a part of a page rendered once per process and kept.

For parts that depend only on the language and on the values named in the tag (the site's navigation and footer, a
filter form): the key is the name, the language, the page's template (a kept part may hold blocks a page overrides)
and the values. Everything the part shows must be among them: the stored HTML is returned whatever else the context
holds. Never around a form with a CSRF token, and the part must not set variables the page reads after it.
"""

from django import template
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from ..fragments import kept_parts

register = template.Library()


class KeepNode(template.Node):
    def __init__(self, name: str, values: list, nodelist: template.NodeList):
        self.name = name
        self.values = values
        self.nodelist = nodelist

    def render(self, context) -> str:
        key = (self.name, get_language(), context.template.name, *(value.resolve(context) for value in self.values))
        html = kept_parts.get(key)
        if html is None:
            html = self.nodelist.render(context)
            kept_parts.set(key, html)
        return mark_safe(html)  # noqa: S308 - rendered by the template, which escaped what it showed


@register.tag
def keep(parser, token):
    bits = token.split_contents()
    if len(bits) < 2 or bits[1][0] not in "\"'" or bits[1][-1] != bits[1][0]:
        raise template.TemplateSyntaxError("{% keep %} takes a quoted name, then the values the part shows")
    values = [parser.compile_filter(bit) for bit in bits[2:]]
    nodelist = parser.parse(("endkeep",))
    parser.delete_first_token()
    return KeepNode(bits[1][1:-1], values, nodelist)
