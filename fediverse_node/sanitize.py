"""Remote HTML is cleaned with nh3 before it is stored or shown."""

import nh3

ALLOWED_TAGS = {
    "p", "br", "a", "span", "strong", "b", "em", "i", "u", "s", "del", "code", "pre", "blockquote",
    "ul", "ol", "li", "h1", "h2", "h3", "h4", "h5", "h6", "hr",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "class", "title"},
    "span": {"class"},
    "ol": {"start", "reversed"},
    "li": {"value"},
}


def sanitize_html(html: str) -> str:
    """Keep the markup Mastodon keeps (paragraphs, links, lists, emphasis); drop scripts, styles and the rest."""
    if not html:
        return ""
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="nofollow noopener noreferrer",
    )
