"""Reading a member's website feed: RSS, Atom (feedparser) and JSON Feed (orjson), into bounded, checked entries.

Every field of a feed is hostile: texts are cut to a bound, links are absolute http(s) URLs or nothing, HTML goes
through nh3, and nothing here raises but `FeedError` (a malformed feed is a clear error on the feed, never a 500)."""

import hashlib
import html
import io
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit
from xml.sax import SAXParseException

import feedparser
import orjson

from fediverse_node.protocol.errors import WordedError
from fediverse_node.protocol.links import http_url
from fediverse_node.sanitize import sanitize_html
from posts.text import plain_text, tag_name

MAX_ENTRIES = 100  # read from the top of a feed (newest first, as feeds are written)
MAX_TITLE = 200
MAX_SUMMARY_HTML = 4000  # a longer summary is shown as plain text, cut at MAX_SUMMARY_TEXT
MAX_SUMMARY_TEXT = 1000
MAX_ALT = 1500
MAX_URL = 500
MAX_TAGS = 10
MAX_ID = 2000
LANGUAGE_RE = re.compile(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8}){0,2}")
JSON_FEED_VERSION = "https://jsonfeed.org/version/"


class FeedError(WordedError):
    """The document is no feed we can read (worded for the member: an English message with its details)."""


@dataclass(frozen=True)
class FeedItem:
    key: str  # SHA-256 of the entry's id (or of its link, or title and date, when it has none)
    title: str
    summary_html: str  # sanitised
    summary_text: str
    link: str
    image: str
    image_alt: str
    tags: tuple[str, ...]
    published: datetime | None

    @property
    def digest(self) -> str:
        """What the post shows of the entry: a changed digest is an edit."""
        parts = (self.title, self.summary_html, self.link, self.image, self.image_alt, *self.tags)
        return hashlib.sha256("\x00".join(parts).encode()).hexdigest()


@dataclass(frozen=True)
class ParsedFeed:
    title: str
    site_url: str
    language: str
    items: list[FeedItem] = field(default_factory=list)


def _text(value: object, limit: int) -> str:
    """One line of plain text (markup and entities read as a person would), at most `limit` characters."""
    if not isinstance(value, str):
        return ""
    value = value[: limit * 20]
    text = " ".join((plain_text(value) if "<" in value or "&" in value else value).split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _url(value: object, base: str = "") -> str:
    if not isinstance(value, str) or len(value) > MAX_URL * 2:
        return ""
    value = value.strip()
    if base and value and not urlsplit(value).scheme:
        value = urljoin(base, value)
    return http_url(value, max_length=MAX_URL)


def _summary(value: object) -> tuple[str, str]:
    """(sanitised HTML, plain text) of an entry's summary; a long one becomes cut plain text."""
    if not isinstance(value, str) or not value.strip():
        return "", ""
    value = value[:200_000]
    text = plain_text(value)
    cut = text if len(text) <= MAX_SUMMARY_TEXT else text[: MAX_SUMMARY_TEXT - 1].rstrip() + "…"
    cleaned = sanitize_html(value)
    if len(cleaned) > MAX_SUMMARY_HTML or len(text) > MAX_SUMMARY_TEXT:
        cleaned = "".join(f"<p>{html.escape(part)}</p>" for part in re.split(r"\n\s*\n", cut) if part.strip())
    elif cleaned and not cleaned.lstrip().startswith("<"):
        cleaned = f"<p>{cleaned}</p>"
    return cleaned, cut


def _hashtag(term: object) -> str:
    """A category as a hashtag name: "Soziale Arbeit" -> "sozialearbeit"; "" when it cannot be one."""
    if not isinstance(term, str):
        return ""
    joined = "".join(word[:1].upper() + word[1:] for word in re.split(r"[\s\-/.,;:&+]+", term.strip()[:200]) if word)
    return tag_name(joined) or ""


def _tags(terms) -> tuple[str, ...]:
    names = [name for name in (_hashtag(t) for t in list(terms or [])[:50]) if name]
    return tuple(dict.fromkeys(names))[:MAX_TAGS]


class _FirstImage(HTMLParser):
    """The first <img src alt> of an entry's HTML: its picture and the alt text its author wrote."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: tuple[str, str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "img" and self.found is None:
            values = dict(attrs)
            if values.get("src"):
                self.found = (values["src"] or "", values.get("alt") or "")


def _first_image(markup: object, base: str) -> tuple[str, str]:
    if not isinstance(markup, str) or "<img" not in markup:
        return "", ""
    reader = _FirstImage()
    try:
        reader.feed(markup[:200_000])
    except Exception:  # noqa: BLE001  # HTMLParser on hostile markup: no picture rather than an error
        return "", ""
    if reader.found is None:
        return "", ""
    return _url(reader.found[0], base), _text(reader.found[1], MAX_ALT)


def _key(*candidates: object) -> str:
    for candidate in candidates:
        if isinstance(candidate, (str, int)) and not isinstance(candidate, bool) and str(candidate).strip():
            return hashlib.sha256(str(candidate).strip()[:MAX_ID].encode()).hexdigest()
    return ""


def _language(value: object) -> str:
    return value if isinstance(value, str) and LANGUAGE_RE.fullmatch(value) else ""


def _item(
    *, ident: object, title: object, summary: object, content: object, link: object, image: str = "",
    image_alt: object = "", tags=(), published: datetime | None, base: str,
) -> FeedItem | None:
    link_url = _url(link, base)
    title_text = _text(title, MAX_TITLE)
    summary_html, summary_text = _summary(summary if isinstance(summary, str) and summary.strip() else content)
    key = _key(ident, link_url, f"{title_text}\x00{published.isoformat() if published else ''}" if title_text else "")
    if not key or not (title_text or summary_text or link_url):
        return None
    found_image, found_alt = _first_image(content, base) if not image else ("", "")
    if not found_image:
        found_image, found_alt = _first_image(summary, base) if not image else ("", "")
    return FeedItem(
        key=key, title=title_text, summary_html=summary_html, summary_text=summary_text, link=link_url,
        image=image or found_image, image_alt=_text(image_alt, MAX_ALT) or found_alt, tags=_tags(tags),
        published=published,
    )


def _when(parsed) -> datetime | None:
    """feedparser's parsed date (a UTC struct_time) as an aware datetime."""
    try:
        if not parsed:
            return None
        year, month, day, hour, minute, second = tuple(parsed)[:6]
        return datetime(year, month, day, hour, minute, second, tzinfo=UTC)
    except (TypeError, ValueError):
        return None


def link_of(entry) -> str:
    """An entry's link; feedparser puts an RSS guid there when the item has no <link>: taken only when it is an
    absolute http(s) URL (a guid is no address to resolve)."""
    link = entry.get("link")
    if entry.get("guidislink"):
        return http_url(link, max_length=MAX_URL)
    return link if isinstance(link, str) else ""


def _xml_feed(body: bytes, url: str) -> ParsedFeed:
    # a stream, never a string: feedparser would fetch a string that looks like a URL, or open it as a file
    parsed = feedparser.parse(io.BytesIO(body), response_headers={"content-location": url})
    meta = parsed.get("feed") or {}
    problem = parsed.get("bozo_exception")
    if parsed.get("bozo") and (isinstance(problem, SAXParseException) or not (parsed.get("entries") or meta)):
        # not well-formed (a half-sent document, or no XML at all): nothing of it is posted; the member sees why
        raise FeedError("not well-formed XML: %(problem)s", problem=str(problem)[:200])
    if not parsed.get("version") and not parsed.get("entries"):
        raise FeedError("not an RSS, Atom or JSON feed")
    base = _url(meta.get("link"), url) or url
    items = []
    for entry in list(parsed.get("entries") or [])[:MAX_ENTRIES]:
        image = ""
        for media in [*(entry.get("media_content") or []), *(entry.get("media_thumbnail") or [])]:
            if isinstance(media, dict) and (media.get("medium") == "image" or str(media.get("type", "")).startswith(
                    "image/") or not media.get("type")):
                image = _url(media.get("url"), base)
                if image:
                    break
        if not image:
            for link in entry.get("links") or []:
                if link.get("rel") == "enclosure" and str(link.get("type", "")).startswith("image/"):
                    image = _url(link.get("href"), base)
                    if image:
                        break
        content = (entry.get("content") or [{}])[0].get("value", "") if entry.get("content") else ""
        item = _item(
            ident=entry.get("id"), title=entry.get("title"), summary=entry.get("summary"), content=content,
            link=link_of(entry), image=image,
            tags=[t.get("term") or t.get("label") for t in entry.get("tags") or [] if isinstance(t, dict)],
            published=_when(entry.get("published_parsed") or entry.get("updated_parsed")), base=base,
        )
        if item is not None:
            items.append(item)
    return ParsedFeed(
        title=_text(meta.get("title"), MAX_TITLE), site_url=_url(meta.get("link"), url),
        language=_language(meta.get("language")), items=items,
    )


def _iso_date(value: object) -> datetime | None:
    if not isinstance(value, str) or len(value) > 64:
        return None
    try:
        when = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def _json_feed(body: bytes, url: str) -> ParsedFeed:
    """JSON Feed 1.0/1.1 (https://jsonfeed.org/version/1.1), read here: feedparser does not read it."""
    try:
        document = orjson.loads(body)
    except orjson.JSONDecodeError:
        raise FeedError("not a JSON Feed (invalid JSON)") from None
    if not isinstance(document, dict) or not str(document.get("version", "")).startswith(JSON_FEED_VERSION):
        raise FeedError("not a JSON Feed (no jsonfeed.org version)")
    site = _url(document.get("home_page_url"), url)
    base = site or url
    items = []
    raw_items = document.get("items")
    for raw in (raw_items if isinstance(raw_items, list) else [])[:MAX_ENTRIES]:
        if not isinstance(raw, dict):
            continue
        content = raw.get("content_html") if isinstance(raw.get("content_html"), str) else ""
        text = raw.get("content_text") if isinstance(raw.get("content_text"), str) else ""
        summary = raw.get("summary") if isinstance(raw.get("summary"), str) else ""
        if not summary:
            summary = content or html.escape(text or "")
        raw_tags = raw.get("tags")
        item = _item(
            ident=raw.get("id"), title=raw.get("title"), summary=summary, content=content,
            link=raw.get("url") or raw.get("external_url"),
            image=_url(raw.get("image"), base) or _url(raw.get("banner_image"), base),
            tags=raw_tags if isinstance(raw_tags, list) else [],
            published=_iso_date(raw.get("date_published")) or _iso_date(raw.get("date_modified")), base=base,
        )
        if item is not None:
            items.append(item)
    return ParsedFeed(
        title=_text(document.get("title"), MAX_TITLE), site_url=site, language=_language(document.get("language")),
        items=items,
    )


def feed_parse(*, body: bytes, content_type: str = "", url: str = "") -> ParsedFeed:
    """A feed document as bounded entries, newest first as written; FeedError if it is none."""
    if not body or not body.strip():
        raise FeedError("the feed is empty")
    start = body.lstrip()[:1]
    if content_type in ("application/feed+json", "application/json") or start in (b"{", b"["):
        return _json_feed(body, url)
    try:
        return _xml_feed(body, url)
    except FeedError:
        raise
    except Exception as error:  # noqa: BLE001  # feedparser on hostile bytes: one clear error, never a 500
        raise FeedError("not a feed we can read (%(kind)s)", kind=type(error).__name__) from None
