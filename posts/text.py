"""Turning what an author typed into the HTML of a post: paragraphs, links, #hashtags and @mentions."""

import html
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import TYPE_CHECKING
from urllib.parse import quote

from fediverse_node.protocol.links import http_url

if TYPE_CHECKING:
    from actors.models import Actor

URL_RE = re.compile(r"https?://[^\s<>\"]+[^\s<>\".,;:!?)\]]")
HASHTAG_RE = re.compile(r"(?<![\w/#])#(\w{1,100})", re.UNICODE)
# A hashtag name as stored and routed (/tags/<name>): letters, digits and "_" only; a "/" could never be a page.
TAG_NAME_RE = re.compile(r"\w{1,100}", re.UNICODE)
MENTION_RE = re.compile(r"(?<![\w/@])@([A-Za-z0-9_][A-Za-z0-9_.-]*)(?:@([A-Za-z0-9.-]+(?::\d+)?))?")


def tag_name(text: str) -> str | None:
    """The stored name of a hashtag ("#Pflege" -> "pflege"), or None when it is no hashtag name at all."""
    name = text.strip().lstrip("#").lower()
    return name if TAG_NAME_RE.fullmatch(name) else None


@dataclass
class Rendered:
    html: str
    tags: list[str] = field(default_factory=list)
    mentions: list = field(default_factory=list)  # Actor objects


def mention_candidates(text: str, default_domain: str) -> list[str]:
    """The handles (user@domain) a text mentions, in order, without duplicates."""
    seen: list[str] = []
    for match in MENTION_RE.finditer(text):
        handle = f"{match.group(1)}@{match.group(2) or default_domain}"
        if handle.lower() not in (h.lower() for h in seen):
            seen.append(handle)
    return seen


def render_plain_text(
    text: str, *, resolve: Callable[[str], "Actor | None"], default_domain: str, base_url: str = ""
) -> Rendered:
    """HTML paragraphs with links, hashtag links and mention links; resolve(handle) gives an Actor or None.
    Hashtag links are absolute when base_url is given (the HTML travels: feeds, the client API, federation)."""
    result = Rendered(html="")
    actors: dict[str, Actor] = {}
    for handle in mention_candidates(text, default_domain):
        actor = resolve(handle)
        if actor is not None:
            actors[handle.lower()] = actor
            result.mentions.append(actor)

    def token(match: re.Match) -> str:
        whole = match.group(0)
        if match.lastgroup == "url":
            url = html.escape(whole)
            return f'<a href="{url}" rel="nofollow noopener noreferrer" target="_blank">{url}</a>'
        if match.lastgroup == "tag":
            name = match.group("tagname")
            if name.lower() not in result.tags:
                result.tags.append(name.lower())
            href = f"{base_url}/tags/{quote(name.lower())}"
            return f'<a href="{html.escape(href)}" class="mention hashtag" rel="tag">#<span>{html.escape(name)}</span></a>'
        user, host = match.group("user"), match.group("host") or default_domain
        actor = actors.get(f"{user}@{host}".lower())
        if actor is None:
            return html.escape(whole)
        return (
            f'<span class="h-card"><a href="{html.escape(http_url(actor.url) or http_url(actor.uri) or "")}" class="u-url mention">'
            f"@<span>{html.escape(actor.username)}</span></a></span>"
        )

    pattern = re.compile(
        rf"(?P<url>{URL_RE.pattern})|(?P<tag>(?<![\w/#])#(?P<tagname>\w{{1,100}}))|"
        rf"(?P<mention>(?<![\w/@])@(?P<user>[A-Za-z0-9_][A-Za-z0-9_.-]*)(?:@(?P<host>[A-Za-z0-9.-]+(?::\d+)?))?)",
        re.UNICODE,
    )
    paragraphs = []
    for block in re.split(r"\n\s*\n", text.strip()):
        pieces, last = [], 0
        for match in pattern.finditer(block):
            pieces.append(html.escape(block[last : match.start()]))
            pieces.append(token(match))
            last = match.end()
        pieces.append(html.escape(block[last:]))
        paragraphs.append("<p>" + "".join(pieces).replace("\n", "<br>") + "</p>")
    result.html = "".join(paragraphs)
    return result


BLOCKS = {"p", "div", "blockquote", "pre", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "table"}


class _PlainText(HTMLParser):
    """Text of HTML as a person reads it: paragraphs apart by a blank line, <br> a line break, list items "- "."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "br":
            self.parts.append("\n")
        elif tag == "li":
            self.parts.append("\n- ")
        elif tag in BLOCKS:
            self.parts.append("\n\n")

    def handle_endtag(self, tag):
        if tag in BLOCKS:
            self.parts.append("\n\n")

    def handle_data(self, data):
        self.parts.append(data)


def plain_text(content: str) -> str:
    """Plain text of stored HTML (calendars, feed titles): entities decoded, paragraph breaks kept."""
    reader = _PlainText()
    reader.feed(content or "")
    reader.close()
    text = "".join(reader.parts)
    text = re.sub(r"[ \t]*\n[ \t]*", "\n", text)
    return re.sub(r"\n{3,}", "\n\n", text).strip()
