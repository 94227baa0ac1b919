"""Account and CredentialAccount entities, with the counts of a whole page loaded in two queries."""

import functools
import re
import time
from collections import Counter
from datetime import UTC, datetime
from html import unescape

from django.db.models import Count, Max

from actors.models import Actor, ActorType, Follow, FollowState
from fediverse_node.prepared import PreparedQuery
from fediverse_node.protocol.links import http_url
from posts.models import Post, Visibility

from ..localcache import fragments
from .common import static_url, timestamp
from .facts import page_facts

STATUS_COUNT_SECONDS = 30
# A count older than STATUS_COUNT_SECONDS is still shown for this long by the other requests while one request
# (per process) counts anew: when a count ended for all at once, every timeline request in flight counted again.
STATUS_COUNT_KEPT_SECONDS = 600
RECOUNT_CLAIM_SECONDS = 10  # a request that claimed a recount and failed lets another try after this
COUNTED_VISIBILITIES = (Visibility.PUBLIC, Visibility.UNLISTED, Visibility.PRIVATE)
# Status counts of up to this many authors run as SQL compiled once per number of authors (fediverse_node/prepared.py)
PREPARED_AUTHORS_MAX = 50


def _status_counts(author_ids: list[int]) -> list[tuple[int, int, datetime | None]]:
    """(author_id, posts counted, newest published) of the authors who have posts."""
    if len(author_ids) <= PREPARED_AUTHORS_MAX:
        return _status_counts_query(len(author_ids)).rows(author_ids=author_ids)
    return list(_status_counts_queryset(author_ids))


def _status_counts_queryset(author_ids):
    return (
        Post.objects.filter(author_id__in=author_ids, visibility__in=COUNTED_VISIBILITIES)
        .values("author_id").annotate(n=Count("id"), last=Max("published")).order_by()
        .values_list("author_id", "n", "last")
    )


_follow_requests_query = PreparedQuery(
    lambda target: Follow.objects.filter(target_id=target, state=FollowState.PENDING)
    .values("target_id").annotate(n=Count("id")).order_by().values_list("n"),
    names=["target"],
)


def follow_requests_count(actor: Actor) -> int:
    rows = _follow_requests_query.rows(target=actor.id)
    return rows[0][0] if rows else 0


@functools.lru_cache(maxsize=PREPARED_AUTHORS_MAX)
def _status_counts_query(authors: int) -> PreparedQuery:
    return PreparedQuery(_status_counts_queryset, lists={"author_ids": authors})


class AccountStats:
    """Followers, following and status counts of many actors at once (fixed number of queries).

    With `cached_statuses`, status counts may be up to STATUS_COUNT_SECONDS old: counting every author's posts
    costs more than the rest of a timeline page, and a count on a timeline need not be exact to the second. Once a
    count is older, the first request to see it counts anew and the others of the process show the old count
    until it has (at most STATUS_COUNT_KEPT_SECONDS).
    """

    def __init__(self, actor_ids, *, cached_statuses: bool = False, follow_counts: tuple | None = None):
        ids = list(set(actor_ids))
        self.followers: Counter = Counter()
        self.following: Counter = Counter()
        self.statuses: dict[int, tuple[int, datetime | None]] = {}
        if not ids:
            return
        if follow_counts is not None:
            self.followers, self.following = follow_counts  # read already, with the rest of a page
        else:
            facts = page_facts(post_ids=[], author_ids=ids, viewer_id=None)
            self.followers, self.following = facts["followers"], facts["following"]
        missing = ids
        if cached_statuses:
            found = fragments.get_many([f"api:statuses:{i}" for i in ids])
            now = time.monotonic()
            kept = {int(k.rsplit(":", 1)[1]): v for k, v in found.items()}
            self.statuses = {i: (n, last) for i, (n, last, _) in kept.items()}
            missing = [i for i in ids if i not in kept or (
                kept[i][2] < now and fragments.add(f"api:statuses-recount:{i}", True, RECOUNT_CLAIM_SECONDS))]
        if missing:
            rows = _status_counts(missing)
            fresh = {i: (0, None) for i in missing} | {author: (n, last) for author, n, last in rows}
            self.statuses.update(fresh)
            counted_until = time.monotonic() + STATUS_COUNT_SECONDS
            fragments.set_many({f"api:statuses:{i}": (*v, counted_until) for i, v in fresh.items()},
                               STATUS_COUNT_KEPT_SECONDS)
            fragments.delete_many([f"api:statuses-recount:{i}" for i in missing])


def acct(actor: Actor) -> str:
    return actor.username if actor.local else actor.handle


def _fields(actor: Actor) -> list[dict]:
    return [
        {"name": str(f.get("name", "")), "value": str(f.get("value", "")), "verified_at": f.get("verified_at")}
        for f in actor.fields or []
        if isinstance(f, dict)
    ]


def with_counts(base: dict, actor_id: int, stats: AccountStats) -> dict:
    """An account's cached fields joined with its current counts."""
    count, last = stats.statuses.get(actor_id, (0, None))
    base.update(
        last_status_at=last.astimezone(UTC).date().isoformat() if last else None,
        statuses_count=count,
        followers_count=stats.followers.get(actor_id, 0),
        following_count=stats.following.get(actor_id, 0),
    )
    return base


def account_entity(actor: Actor, stats: AccountStats | None = None) -> dict:
    return with_counts(account_base(actor), actor.id, stats or AccountStats([actor.id]))


def account_base(actor: Actor) -> dict:
    """The fields of an Account that change only when the actor itself does (cacheable on updated_at)."""
    # Only http(s) URLs reach apps: they render them as links and images (tests/security, remote URL schemes).
    avatar = http_url(actor.icon_url) or static_url("avatar.png")
    header = http_url(actor.image_url) or static_url("header.png")
    created = actor.created_at.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    return {
        "id": str(actor.id),
        "username": actor.username,
        "acct": acct(actor),
        "url": http_url(actor.url) or actor.uri,
        "uri": actor.uri,
        "display_name": actor.display_name,
        "note": actor.summary,
        "avatar": avatar,
        "avatar_static": avatar,
        "header": header,
        "header_static": header,
        "locked": actor.manually_approves_followers,
        "fields": _fields(actor),
        "emojis": [],
        "bot": actor.type in (ActorType.SERVICE, ActorType.APPLICATION),
        "group": actor.type == ActorType.GROUP,
        "discoverable": actor.discoverable,
        "indexable": actor.discoverable,
        "noindex": not actor.discoverable,
        "hide_collections": False,  # follower and following lists are always public here
        "created_at": timestamp(created),
        "roles": [],
    }


def credential_account_entity(actor: Actor) -> dict:
    """The caller's own account, with `source` (what they typed) and their default post settings."""
    data = account_entity(actor)
    data["source"] = {
        "note": actor.summary_source if actor.local else plain_text(actor.summary),
        "fields": [{"name": f["name"], "value": f["value"], "verified_at": f["verified_at"]} for f in data["fields"]],
        "privacy": "public",
        "sensitive": False,
        "language": "",
        "discoverable": actor.discoverable,
        "indexable": actor.discoverable,
        "hide_collections": False,
        "follow_requests_count": follow_requests_count(actor),
    }
    data["role"] = {"id": "-99", "name": "", "permissions": "0", "color": "", "highlighted": False}
    return data


def plain_text(html_text: str) -> str:
    """The text of a remote HTML note, for editing fields that expect plain text."""
    text = re.sub(r"<br\s*/?>", "\n", html_text or "")
    text = re.sub(r"</p>\s*<p>", "\n\n", text)
    return unescape(re.sub(r"<[^>]+>", "", text)).strip()
