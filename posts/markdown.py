"""Long-form text (blog articles) is written in Markdown; it is rendered once and cleaned like remote HTML."""

import re
import xml.etree.ElementTree as etree
from urllib.parse import quote

import markdown as markdown_lib
from markdown.extensions import Extension
from markdown.inlinepatterns import InlineProcessor
from markdown.preprocessors import Preprocessor

from fediverse_node.sanitize import sanitize_html

# A marker (a Unicode non-character) put before a hashtag that opens a line, so that Markdown does not read
# "#Pflege" as a heading ("# Pflege", with the space, still is one).
LINE_START_TAG = "\ufdd0"
LINE_START_TAG_RE = re.compile(r"^( {0,3})#(?=\w)", re.MULTILINE | re.UNICODE)
# after links, code, raw HTML and entities (priority 85): "#x" in "page#x", "/#x", "&#35;" or a code span stays text
HASHTAG_RE = rf"(?<![\w/#&]){LINE_START_TAG}?#(\w{{1,100}})"


class _LineStartHashtags(Preprocessor):
    def run(self, lines: list[str]) -> list[str]:
        return [LINE_START_TAG_RE.sub(rf"\1{LINE_START_TAG}#", line) for line in lines]


class _HashtagLink(InlineProcessor):
    def __init__(self, pattern: str, base_url: str):
        super().__init__(pattern)
        self.base_url = base_url

    def handleMatch(self, m, data):  # type: ignore[override]  # InlineProcessor narrows Pattern's (so do its stubs)
        name = m.group(1)
        link = etree.Element("a", {"href": f"{self.base_url}/tags/{quote(name.lower())}", "class": "mention hashtag"})
        link.text = "#"
        span = etree.SubElement(link, "span")
        span.text = name
        return link, m.start(0), m.end(0)


class _Hashtags(Extension):
    def __init__(self, base_url: str):
        super().__init__()
        self.base_url = base_url

    def extendMarkdown(self, md):
        md.preprocessors.register(_LineStartHashtags(md), "line_start_hashtags", 35)
        md.inlinePatterns.register(_HashtagLink(HASHTAG_RE, self.base_url), "hashtag", 85)


def render_markdown(text: str, *, base_url: str = "") -> str:
    """Markdown to HTML (headings, lists, emphasis, links, quotes, code) with #hashtags as links to their pages
    (absolute when base_url is given), then through nh3."""
    html = markdown_lib.markdown(text, extensions=["sane_lists", _Hashtags(base_url)], output_format="html")
    return sanitize_html(html.replace(LINE_START_TAG, ""))
