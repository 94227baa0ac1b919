"""Long-form text (blog articles) is written in Markdown; it is rendered once and cleaned like remote HTML."""

import markdown as markdown_lib

from fediverse_node.sanitize import sanitize_html


def render_markdown(text: str) -> str:
    """Markdown to HTML (headings, lists, emphasis, links, quotes, code), then through nh3."""
    html = markdown_lib.markdown(text, extensions=["sane_lists"], output_format="html")
    return sanitize_html(html)
