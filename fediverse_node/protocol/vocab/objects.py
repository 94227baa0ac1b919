"""The objects posts are made of: Note, Article, Page, Event and Question, with their attachments, tags and poll
options. Parsed from peers (lenient in shape, strict in ids and links), rendered for our own posts."""

from dataclasses import dataclass
from datetime import datetime

from .actor import Place
from .values import (
    VocabError,
    addresses,
    as_list,
    blurhash,
    count,
    flag,
    id_of,
    iso,
    kind_of,
    link_of,
    require_id,
    text,
    when,
)

POST_TYPES = frozenset({"Note", "Article", "Event", "Question", "Page"})
MEDIA_TYPES = frozenset({"Image", "Document", "Video", "Audio"})
# the longest HTML kept of a post (a long blog article fits; the inbox caps a whole activity anyway)
MAX_CONTENT = 200_000
MAX_ATTACHMENTS = 16
MAX_OPTIONS = 50


@dataclass(frozen=True, slots=True)
class Attachment:
    """A media attachment (Image, Document, Video, Audio) with Mastodon's extensions (blurhash, focalPoint)."""

    url: str
    type: str = "Document"
    media_type: str = ""
    name: str = ""
    blurhash: str = ""
    width: int | None = None
    height: int | None = None
    focal_point: tuple[float, float] = (0.0, 0.0)

    def render(self) -> dict:
        return {
            "type": self.type, "mediaType": self.media_type, "url": self.url, "name": self.name or None,
            "blurhash": self.blurhash or None, "focalPoint": list(self.focal_point), "width": self.width,
            "height": self.height,
        }


@dataclass(frozen=True, slots=True)
class Link:
    """A Link attachment: a web page that belongs to the post (an event's slides or recording)."""

    href: str
    name: str = ""
    media_type: str = "text/html"

    def render(self) -> dict:
        return {"type": "Link", "href": self.href, "name": self.name or self.href, "mediaType": self.media_type}


@dataclass(frozen=True, slots=True)
class Hashtag:
    name: str  # as sent, usually with its "#"
    href: str = ""

    def render(self) -> dict:
        return {"type": "Hashtag", "href": self.href, "name": self.name}


@dataclass(frozen=True, slots=True)
class Mention:
    href: str
    name: str = ""

    def render(self) -> dict:
        return {"type": "Mention", "href": self.href, "name": self.name}


@dataclass(frozen=True, slots=True)
class PollOption:
    """One answer of a Question (a Note with a name, and its votes as replies.totalItems)."""

    name: str
    votes: int = 0

    def render(self) -> dict:
        return {"type": "Note", "name": self.name, "replies": {"type": "Collection", "totalItems": self.votes}}


@dataclass(frozen=True, slots=True)
class PostObject:
    """A Note, Article, Page, Event or Question. `content` is the HTML as sent (cut, not yet cleaned);
    `attributed_to` the author: the first actor of attributedTo (PeerTube names the account, then its channel)."""

    id: str
    type: str
    attributed_to: str
    content: str = ""
    language: str = ""
    name: str = ""
    summary: str = ""
    sensitive: bool = False
    url: str = ""
    in_reply_to: str = ""
    published: datetime | None = None
    updated: datetime | None = None
    to: tuple[str, ...] = ()
    cc: tuple[str, ...] = ()
    audience: tuple[str, ...] = ()
    tags: tuple[Hashtag | Mention, ...] = ()
    attachments: tuple[Attachment | Link, ...] = ()
    # Event
    start_time: datetime | None = None
    end_time: datetime | None = None  # also when a Question closes
    location: Place | None = None
    timezone: str = ""
    # Question
    one_of: tuple[PollOption, ...] = ()
    any_of: tuple[PollOption, ...] = ()
    closed: datetime | None = None
    voters_count: int | None = None
    # rendered only
    replies: str = ""
    source_markdown: str = ""

    @classmethod
    def parse(cls, document) -> "PostObject":
        """A post object from a peer, or VocabError (no http(s) id, not a post type)."""
        identifier = require_id(document, what="post")
        kind = kind_of(document)
        if kind not in POST_TYPES:
            raise VocabError("Not a post object: type %(type)s.", type=repr(document.get("type"))[:80])
        content, language = _content(document)
        return cls(
            id=identifier, type=kind, attributed_to=id_of(document.get("attributedTo")),
            content=content, language=language,
            name=text(document.get("name"), 500),
            summary=text(document.get("summary"), 1000),
            sensitive=flag(document.get("sensitive")),
            url=link_of(document.get("url")),
            in_reply_to=id_of(document.get("inReplyTo")),
            published=when(document.get("published")),
            updated=when(document.get("updated")),
            to=addresses(document.get("to")),
            cc=addresses(document.get("cc")),
            audience=addresses(document.get("audience")),
            tags=_tags(document.get("tag")),
            attachments=_attachments(document.get("attachment")),
            start_time=when(document.get("startTime")),
            end_time=when(document.get("endTime")),
            location=Place.parse(document.get("location")),
            timezone=text(document.get("timezone"), 64),
            one_of=_options(document.get("oneOf")),
            any_of=_options(document.get("anyOf")),
            closed=when(document.get("closed")),
            voters_count=count(document.get("votersCount")),
            source_markdown=_markdown_source(document.get("source")),
        )

    @property
    def hashtags(self) -> list[str]:
        return [tag.name for tag in self.tags if isinstance(tag, Hashtag)]

    @property
    def mentions(self) -> list[str]:
        return [tag.href for tag in self.tags if isinstance(tag, Mention)]

    @property
    def media(self) -> list[Attachment]:
        return [item for item in self.attachments if isinstance(item, Attachment)]

    def named(self) -> list[str]:
        """Whom the object addresses or mentions."""
        return [*self.to, *self.cc, *self.audience, *self.mentions]

    def render(self) -> dict:
        """The object as its id dereferences (without @context)."""
        obj: dict = {
            "id": self.id,
            "type": self.type,
            "attributedTo": self.attributed_to,
            "content": self.content,
            "published": iso(self.published) if self.published else None,
            "url": self.url or self.id,
            "to": list(self.to),
            "cc": list(self.cc),
            "sensitive": self.sensitive,
            "summary": self.summary or None,
            "inReplyTo": self.in_reply_to or None,
            "tag": [tag.render() for tag in self.tags],
            "attachment": [item.render() for item in self.attachments],
            "replies": self.replies or f"{self.id}/replies",
        }
        if self.language:
            obj["contentMap"] = {self.language: self.content}
        if self.updated:
            obj["updated"] = iso(self.updated)
        if self.name:
            obj["name"] = self.name
        if self.source_markdown:
            obj["source"] = {"content": self.source_markdown, "mediaType": "text/markdown"}
        if self.start_time:
            obj["startTime"] = iso(self.start_time)
        if self.end_time:
            obj["endTime"] = iso(self.end_time)
        if self.location is not None:
            obj["location"] = self.location.render()
        if self.timezone:
            obj["timezone"] = self.timezone
        if self.audience:
            obj["audience"] = self.audience[0]
        if self.one_of or self.any_of:
            obj["oneOf" if self.one_of else "anyOf"] = [option.render() for option in self.one_of or self.any_of]
            if self.voters_count is not None:
                obj["votersCount"] = self.voters_count
            if self.closed:
                obj["closed"] = iso(self.closed)
        return obj


def _content(document: dict) -> tuple[str, str]:
    """(HTML, language): `content`, or the first entry of `contentMap` when only that came (Pleroma, some
    Misskey forks); the language is contentMap's first key."""
    content_map = document.get("contentMap")
    content_map = content_map if isinstance(content_map, dict) and content_map else {}
    language = text(next(iter(content_map), ""), 16)
    content = document.get("content")
    if not isinstance(content, str):
        content = next((v for v in content_map.values() if isinstance(v, str)), "")
    return content[:MAX_CONTENT], language


def _markdown_source(value) -> str:
    """The Markdown an Article was written in (`source`, as we render it); "" for any other source."""
    if isinstance(value, dict) and value.get("mediaType") == "text/markdown":
        return text(value.get("content"), MAX_CONTENT)
    return ""


def _tags(value) -> tuple[Hashtag | Mention, ...]:
    tags: list[Hashtag | Mention] = []
    for tag in as_list(value):
        kind = kind_of(tag)
        if kind == "Hashtag" and isinstance(tag.get("name"), str):
            tags.append(Hashtag(name=tag["name"][:200], href=link_of(tag.get("href"))))
        elif kind == "Mention" and (href := id_of(tag.get("href"))):
            tags.append(Mention(href=href, name=text(tag.get("name"), 500)))
    return tuple(tags)


def _attachments(value) -> tuple[Attachment | Link, ...]:
    items: list[Attachment | Link] = []
    for item in as_list(value)[:MAX_ATTACHMENTS]:
        kind = kind_of(item)
        if kind == "Link" and (href := link_of(item.get("href"))):
            items.append(Link(href=href, name=text(item.get("name"), 500), media_type=text(item.get("mediaType"), 100)))
        elif kind in MEDIA_TYPES and (url := link_of(item.get("url"))):
            items.append(Attachment(
                url=url, type=kind, media_type=text(item.get("mediaType"), 100), name=text(item.get("name"), 1500),
                blurhash=blurhash(item.get("blurhash")), width=count(item.get("width")),
                height=count(item.get("height")), focal_point=_focus(item.get("focalPoint")),
            ))
    return tuple(items)


def _focus(value) -> tuple[float, float]:
    """Mastodon's focalPoint: two numbers in [-1, 1]; (0, 0), the centre, for anything else."""
    if isinstance(value, list) and len(value) == 2 and all(
        isinstance(v, int | float) and not isinstance(v, bool) and -1 <= v <= 1 for v in value
    ):
        return float(value[0]), float(value[1])
    return 0.0, 0.0


def _options(value) -> tuple[PollOption, ...]:
    options = []
    for item in as_list(value)[:MAX_OPTIONS]:
        if isinstance(item, dict) and isinstance(item.get("name"), str):
            replies = item["replies"] if isinstance(item.get("replies"), dict) else {}
            options.append(PollOption(name=item["name"][:500], votes=count(replies.get("totalItems")) or 0))
    return tuple(options)
