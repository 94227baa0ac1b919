"""A member's website feeds: added, verified as its own, polled (conditional GETs, back-off), each new entry posted
by the organisation's actor and federated like any post; a changed entry is sent as an Update.

A feed is polled only when it is verified (its website links back to the profile with rel="me", or staff confirmed
it) and switched on. Entries are keyed by their id: no restart posts one twice; an entry that leaves the feed is left
alone; one the organisation hides is deleted (a Delete goes out) and never posted again. At most
FEDINODE_MEMBER_FEED_DAILY_LIMIT posts per feed in 24 hours; what the cap holds back comes on a later poll."""

import html
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import quote, urlsplit

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_noop

from fediverse_node.errors import LocalizedError, error_record
from fediverse_node.outgoing import thread_fetcher
from fediverse_node.protocol.fetcher import FetchError, SafeFetcher
from fediverse_node.protocol.links import http_url
from posts.models import Attachment, Post
from posts.services.errors import PostError
from posts.services.publishing import post_create, post_delete, post_edit

from ..feed_reading import FeedError, FeedItem, ParsedFeed, feed_parse
from ..models import FeedEntry, FeedVerification, MemberFeed, MemberProfile
from .links import profile_addresses, rel_me_links

MAX_FEEDS_PER_PROFILE = 5
MAX_BACK_OFF = timedelta(days=7)
IMAGE_TYPES = {"jpg": "image/jpeg", "jpeg": "image/jpeg", "png": "image/png", "gif": "image/gif", "webp": "image/webp"}


class MemberFeedError(LocalizedError):
    """A feed that cannot be added or changed as asked (the message says why, for the form and the command line;
    its German msgid is said in the page's language by `localized()`)."""


@dataclass
class PollResult:
    status: str  # "posted", "not-modified", "failed", "gone", "skipped"
    posted: int = 0
    updated: int = 0
    held_back: int = 0
    error: str = ""  # error_record of an entry that could not be posted


def _host(url: str) -> str:
    host = (urlsplit(url).hostname or "").lower()
    return host.removeprefix("www.")


def _same_site(feed_url: str, site_url: str) -> bool:
    """The feed lives on the website it names (or a sub-domain of it, or the other way round)."""
    feed, site = _host(feed_url), _host(site_url)
    return bool(feed and site) and (feed == site or feed.endswith(f".{site}") or site.endswith(f".{feed}"))


def feed_add(*, profile: MemberProfile, url: str, confirmed: bool = False) -> MemberFeed:
    """Add a feed of the member's website; `confirmed` (staff, the command line) counts it verified at once."""
    if not profile.actor.local:
        raise MemberFeedError(gettext_noop("Nur Organisationen mit einem Konto auf diesem Server können Feeds eintragen."))
    url = http_url(url.strip(), max_length=500)
    if not url:
        raise MemberFeedError(gettext_noop("Ein Feed braucht eine vollständige http(s)-Adresse."))
    if MemberFeed.objects.filter(profile=profile).count() >= MAX_FEEDS_PER_PROFILE:
        raise MemberFeedError(gettext_noop("Höchstens %(count)d Feeds je Organisation."), count=MAX_FEEDS_PER_PROFILE)
    try:
        with transaction.atomic():
            feed = MemberFeed.objects.create(
                profile=profile, url=url, verified=FeedVerification.STAFF if confirmed else FeedVerification.NONE,
                next_poll_at=timezone.now(),
            )
    except IntegrityError:
        raise MemberFeedError(gettext_noop("Dieser Feed ist schon eingetragen.")) from None
    return feed


def feed_confirm(*, feed: MemberFeed) -> MemberFeed:
    """Staff confirm that the feed is the organisation's own."""
    MemberFeed.objects.filter(pk=feed.pk).update(verified=FeedVerification.STAFF, next_poll_at=timezone.now())
    feed.refresh_from_db()
    return feed


def feed_switch(*, feed: MemberFeed, enabled: bool) -> MemberFeed:
    """Switch a feed off (not polled, nothing posted) or on again (polled soon; a gone feed is tried afresh)."""
    changes: dict = {"enabled": enabled}
    if enabled:
        changes.update(gone=False, failures=0, next_poll_at=timezone.now())
    MemberFeed.objects.filter(pk=feed.pk).update(**changes)
    feed.refresh_from_db()
    return feed


def feed_remove(*, feed: MemberFeed) -> None:
    """Remove a feed; the posts it brought stay (they are the organisation's posts now)."""
    feed.delete()


def feed_entry_hide(*, entry: FeedEntry) -> FeedEntry:
    """Take one entry off: its post is deleted (the followers' servers get a Delete) and it is never posted again."""
    with transaction.atomic():
        post = Post.objects.filter(feed_entry=entry).first()
        FeedEntry.objects.filter(pk=entry.pk).update(hidden=True, post=None)
        if post is not None:
            post_delete(post=post)
    entry.refresh_from_db()
    return entry


def _fetch(fetcher: SafeFetcher, feed: MemberFeed, *, conditional: bool):
    return fetcher.get_feed(
        feed.url, etag=feed.etag if conditional else "", last_modified=feed.last_modified if conditional else ""
    )


def feed_verify(*, feed: MemberFeed, fetcher: SafeFetcher | None = None) -> MemberFeed:
    """Verify a feed as the member's own: the website the feed names (on the feed's own host) links back to the
    member's profile here with rel="me". Staff-confirmed feeds stay confirmed. Raises MemberFeedError with the
    reason when it is not verified."""
    fetcher = fetcher or thread_fetcher()
    try:
        answer = _fetch(fetcher, feed, conditional=False)
        parsed = feed_parse(body=answer.body or b"", content_type=answer.content_type, url=answer.url)
    except (FetchError, FeedError) as error:
        _failed(feed, error)
        raise MemberFeedError(gettext_noop("Der Feed ist nicht lesbar: %(error)s"), error=error) from None
    site = parsed.site_url or f"{urlsplit(feed.url).scheme}://{urlsplit(feed.url).netloc}/"
    MemberFeed.objects.filter(pk=feed.pk).update(title=parsed.title[:200], site_url=site[:500])
    feed.title, feed.site_url = parsed.title[:200], site[:500]
    if feed.verified:
        return feed
    try:
        _site_links_back(feed, site, fetcher)
    except MemberFeedError as error:  # kept on the feed: its page says why it is not verified yet
        MemberFeed.objects.filter(pk=feed.pk).update(last_error=error_record(error))
        feed.last_error = error_record(error)
        raise
    MemberFeed.objects.filter(pk=feed.pk).update(
        verified=FeedVerification.REL_ME, next_poll_at=timezone.now(), last_error=""
    )
    feed.verified, feed.last_error = FeedVerification.REL_ME, ""
    return feed


def _site_links_back(feed: MemberFeed, site: str, fetcher: SafeFetcher) -> None:
    if not _same_site(feed.url, site):
        raise MemberFeedError(gettext_noop("Die Website des Feeds liegt nicht auf dem Server des Feeds."))
    try:
        links = rel_me_links(fetcher.get_html(site))
    except FetchError as error:
        raise MemberFeedError(
            gettext_noop("Die Website des Feeds ist nicht erreichbar: %(error)s"), error=error
        ) from None
    if not links & profile_addresses(feed.profile):
        raise MemberFeedError(gettext_noop(
            'Die Website verlinkt nicht mit rel="me" auf Ihr Profil hier; bitte ergänzen Sie den Link.'
        ))


def _poll_interval() -> timedelta:
    return timedelta(seconds=settings.FEDINODE_MEMBER_FEED_POLL_SECONDS)


def _failed(feed: MemberFeed, error: BaseException, *, gone: bool = False) -> None:
    """A failed poll: polled again after a back-off that doubles with each failure in a row (at most a week); a
    feed that answered 410 Gone is not polled again until it is switched on anew."""
    now = timezone.now()
    failures = feed.failures + 1
    back_off = min(_poll_interval() * (2 ** min(failures, 16)), MAX_BACK_OFF)
    MemberFeed.objects.filter(pk=feed.pk).update(
        failures=failures, last_error=error_record(error), last_polled_at=now, gone=gone,
        next_poll_at=None if gone else now + back_off,
    )
    feed.failures, feed.last_error, feed.gone = failures, error_record(error), gone


def _hashtag_links(tags: tuple[str, ...]) -> str:
    return " ".join(
        f'<a href="{html.escape(settings.FEDINODE_BASE_URL)}/tags/{quote(t)}" class="mention hashtag" rel="tag">'
        f"#<span>{html.escape(t)}</span></a>"
        for t in tags
    )


def entry_content(item: FeedItem) -> tuple[str, str]:
    """(HTML, plain text) of an entry's post: its title, summary and the link to the original, its hashtags."""
    parts, text = [], []
    if item.title:
        parts.append(f"<p><strong>{html.escape(item.title)}</strong></p>")
        text.append(item.title)
    if item.summary_html:
        parts.append(item.summary_html)
        text.append(item.summary_text)
    if item.link:
        link = html.escape(item.link)
        parts.append(f'<p><a href="{link}" rel="nofollow noopener noreferrer" target="_blank">{link}</a></p>')
        text.append(item.link)
    if item.tags:
        parts.append(f"<p>{_hashtag_links(item.tags)}</p>")
        text.append(" ".join(f"#{t}" for t in item.tags))
    return "".join(parts), "\n\n".join(text)


def _image(actor, item: FeedItem) -> list[Attachment]:
    if not item.image:
        return []
    extension = urlsplit(item.image).path.rsplit(".", 1)[-1].lower()
    return [Attachment.objects.create(
        owner=actor, remote_url=item.image, media_type=IMAGE_TYPES.get(extension, "image/jpeg"),
        description=item.image_alt,
    )]


def _post_entry(feed: MemberFeed, item: FeedItem, language: str) -> None:
    """A new entry becomes a post of the organisation, in one transaction with its entry row (a restart in between
    leaves neither)."""
    actor = feed.profile.actor
    content, text = entry_content(item)
    with transaction.atomic():
        entry, created = FeedEntry.objects.get_or_create(
            feed=feed, key=item.key, defaults={"link": item.link, "title": item.title, "digest": item.digest},
        )
        if not created:
            return
        post = post_create(
            author=actor, text=text, html=content, tags=item.tags, language=language,
            attachments=_image(actor, item),
        )
        FeedEntry.objects.filter(pk=entry.pk).update(post=post)


def _update_entry(entry: FeedEntry, item: FeedItem) -> bool:
    """A changed entry: its post is edited (an Update goes out). Whether it was."""
    post = Post.objects.filter(feed_entry=entry).select_related("author").first()
    content, text = entry_content(item)
    with transaction.atomic():
        FeedEntry.objects.filter(pk=entry.pk).update(digest=item.digest, link=item.link, title=item.title)
        if post is None:
            return False
        post_edit(post=post, text=text, html=content, tags=item.tags)
    return True


def feed_daily_limit(feed: MemberFeed) -> int:
    """Posts this feed may bring in 24 hours: staff set it per feed (in the admin), else the node's default."""
    return settings.FEDINODE_MEMBER_FEED_DAILY_LIMIT if feed.daily_limit is None else feed.daily_limit


def _entries(feed: MemberFeed, parsed: ParsedFeed, *, now) -> PollResult:
    result = PollResult(status="posted")
    items = list(dict((item.key, item) for item in reversed(parsed.items)).values())  # oldest first, one per key
    known = {e.key: e for e in FeedEntry.objects.filter(feed=feed, key__in=[i.key for i in items])}
    first_poll = not FeedEntry.objects.filter(feed=feed).exists()
    posted_today = FeedEntry.objects.filter(feed=feed, post__isnull=False, created_at__gte=now - timedelta(days=1))
    allowance = max(feed_daily_limit(feed) - posted_today.count(), 0)
    language = parsed.language[:16]
    new = [item for item in items if item.key not in known]
    if first_poll and len(new) > 1:
        # A new feed's backlog is recorded, not posted (it would flood the followers): only its newest entry is.
        FeedEntry.objects.bulk_create(
            [FeedEntry(feed=feed, key=i.key, link=i.link, title=i.title, digest=i.digest) for i in new[:-1]],
            ignore_conflicts=True,
        )
        new = new[-1:]
    for item in new:
        if allowance <= 0:
            result.held_back += 1
            continue
        try:
            _post_entry(feed, item, language)
        except PostError as error:  # e.g. nothing left to show once cleaned: the entry is skipped, and kept so
            FeedEntry.objects.get_or_create(feed=feed, key=item.key, defaults={"digest": item.digest})
            result.error = error_record(error)
            continue
        allowance -= 1
        result.posted += 1
    for item in items:
        entry = known.get(item.key)
        if entry is not None and not entry.hidden and entry.digest != item.digest:
            result.updated += int(_update_entry(entry, item))
    return result


def feed_poll(*, feed: MemberFeed, fetcher: SafeFetcher | None = None) -> PollResult:
    """Poll one feed (a conditional GET through the safe fetcher) and post its new entries."""
    if not feed.enabled or not feed.verified or feed.gone:
        return PollResult(status="skipped")
    fetcher = fetcher or thread_fetcher()
    now = timezone.now()
    try:
        answer = _fetch(fetcher, feed, conditional=True)
    except FetchError as error:
        gone = error.status == 410
        _failed(feed, error, gone=gone)
        return PollResult(status="gone" if gone else "failed", error=error_record(error))
    if answer.status == 304:
        MemberFeed.objects.filter(pk=feed.pk).update(
            failures=0, last_error="", last_polled_at=now, next_poll_at=now + _poll_interval()
        )
        return PollResult(status="not-modified")
    try:
        parsed = feed_parse(body=answer.body or b"", content_type=answer.content_type, url=answer.url)
    except FeedError as error:
        _failed(feed, error)
        return PollResult(status="failed", error=error_record(error))
    result = _entries(feed, parsed, now=now)
    # entries the daily cap held back come on the next poll: the validators are kept only when nothing is waiting
    MemberFeed.objects.filter(pk=feed.pk).update(
        failures=0, last_error=result.error, last_polled_at=now, next_poll_at=now + _poll_interval(),
        etag="" if result.held_back else answer.etag, last_modified="" if result.held_back else answer.last_modified,
        title=feed.title or parsed.title[:200],
    )
    return result


def feeds_due(*, limit: int = 50) -> list[int]:
    """Claim the feeds due for a poll (a guarded UPDATE each: two sweeps never take the same), their ids."""
    now = timezone.now()
    lease = now + timedelta(minutes=10)  # a poll that dies is taken again after this
    candidates = list(
        MemberFeed.objects.filter(enabled=True, gone=False, next_poll_at__lte=now)
        .exclude(verified="")
        .filter(Q(profile__actor__local=True), profile__actor__deleted=False, profile__actor__suspended=False)
        .order_by("next_poll_at").values_list("id", "next_poll_at")[:limit]
    )
    claimed = []
    for feed_id, due in candidates:
        if MemberFeed.objects.filter(pk=feed_id, next_poll_at=due).update(next_poll_at=lease):
            claimed.append(feed_id)
    return claimed


def feed_find(*, username: str, url: str) -> MemberFeed | None:
    return MemberFeed.objects.filter(
        profile__actor__local=True, profile__actor__username__iexact=username, url=url.strip()
    ).select_related("profile__actor").first()
