"""Account and CredentialAccount entities, with the counts of a whole page loaded in three queries."""

import re
from collections import Counter
from datetime import UTC
from html import unescape

from django.db.models import Count, Max

from actors.models import Actor, ActorType, Follow, FollowState
from posts.models import Post, Visibility

from .common import static_url, timestamp

COUNTED_VISIBILITIES = (Visibility.PUBLIC, Visibility.UNLISTED, Visibility.PRIVATE)


class AccountStats:
    """Followers, following and status counts of many actors at once (fixed number of queries)."""

    def __init__(self, actor_ids):
        ids = list(set(actor_ids))
        self.followers: Counter = Counter()
        self.following: Counter = Counter()
        self.statuses: dict[int, tuple[int, object]] = {}
        if not ids:
            return
        accepted = Follow.objects.filter(state=FollowState.ACCEPTED)
        for row in accepted.filter(target_id__in=ids).values("target_id").annotate(n=Count("id")):
            self.followers[row["target_id"]] = row["n"]
        for row in accepted.filter(follower_id__in=ids).values("follower_id").annotate(n=Count("id")):
            self.following[row["follower_id"]] = row["n"]
        rows = (
            Post.objects.filter(author_id__in=ids, visibility__in=COUNTED_VISIBILITIES)
            .values("author_id")
            .annotate(n=Count("id"), last=Max("published"))
        )
        for row in rows:
            self.statuses[row["author_id"]] = (row["n"], row["last"])


def acct(actor: Actor) -> str:
    return actor.username if actor.local else actor.handle


def _fields(actor: Actor) -> list[dict]:
    return [
        {"name": str(f.get("name", "")), "value": str(f.get("value", "")), "verified_at": f.get("verified_at")}
        for f in actor.fields or []
        if isinstance(f, dict)
    ]


def account_entity(actor: Actor, stats: AccountStats | None = None) -> dict:
    stats = stats or AccountStats([actor.id])
    count, last = stats.statuses.get(actor.id, (0, None))
    avatar = actor.icon_url or static_url("avatar.png")
    header = actor.image_url or static_url("header.png")
    created = actor.created_at.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    return {
        "id": str(actor.id),
        "username": actor.username,
        "acct": acct(actor),
        "url": actor.url or actor.uri,
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
        "created_at": timestamp(created),
        "last_status_at": last.astimezone(UTC).date().isoformat() if last else None,
        "statuses_count": count,
        "followers_count": stats.followers.get(actor.id, 0),
        "following_count": stats.following.get(actor.id, 0),
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
        "follow_requests_count": Follow.objects.filter(target=actor, state=FollowState.PENDING).count(),
    }
    data["role"] = {"id": "-99", "name": "", "permissions": "0", "color": "", "highlighted": False}
    return data


def plain_text(html_text: str) -> str:
    """The text of a remote HTML note, for editing fields that expect plain text."""
    text = re.sub(r"<br\s*/?>", "\n", html_text or "")
    text = re.sub(r"</p>\s*<p>", "\n\n", text)
    return unescape(re.sub(r"<[^>]+>", "", text)).strip()
