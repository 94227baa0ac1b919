"""Events for the streams, rendered once in the process that wrote the data, after its transaction commits.

Who receives what follows the REST API: a post goes to the user streams of the home feeds it went into (the
feed services decide, as for GET /api/v1/timelines/home, less the owners who block or mute its author) and to the
public and hashtag streams only when GET /api/v1/timelines/public would list it; a notification goes to its
recipient as GET /api/v1/notifications would show it."""

import logging

import orjson

from actors.models import Block, Mute
from clientapi.entities.relations import notification_entities
from clientapi.entities.statuses import META_FIELDS, StatusPage
from posts.models import FeedEntry, Notification, Post
from posts.selectors import public_listed_among

from .bus import ANY_HASHTAG, events_publish, keys_listened
from .streams import PUBLIC_STREAMS, public_keys

log = logging.getLogger(__name__)

VIEWER_MARKS = {"favourited": False, "reblogged": False, "muted": False, "bookmarked": False}


def _json(data) -> str:
    return orjson.dumps(data).decode()


def _hiding_pairs(pairs: set[tuple[int, int]]) -> set[tuple[int, int]]:
    """(owner, author) pairs where the owner blocks or mutes the author, or the author blocks the owner."""
    if not pairs:
        return set()
    owners, authors = {o for o, _ in pairs}, {a for _, a in pairs}
    found = set(Block.objects.filter(actor_id__in=owners, target_id__in=authors).values_list("actor_id", "target_id"))
    found |= set(Mute.objects.filter(actor_id__in=owners, target_id__in=authors).values_list("actor_id", "target_id"))
    found |= {(o, a) for a, o in Block.objects.filter(actor_id__in=authors, target_id__in=owners)
              .values_list("actor_id", "target_id")}
    return found & pairs


def _public_targets(post_ids: list[int], *, with_tags: bool = True) -> dict[int, list[str]]:
    """The public and hashtag keys of the posts the public timeline lists (the same selector); with_tags=False
    leaves out the hashtag keys (no hashtag stream is open)."""
    listed = public_listed_among(post_ids)
    tags: dict[int, list[str]] = {post_id: [] for post_id in listed}
    if with_tags and listed:
        for post_id, name in Post.tags.through.objects.filter(post_id__in=listed).values_list("post_id", "tag__name"):
            tags[post_id].append(name)
    return {post_id: public_keys(local=local, tags=tags[post_id]) for post_id, local in listed.items()}


# the keys whose streams make a post's public listing worth reading: the public streams, and any hashtag stream
PUBLIC_WATCHED = set(PUBLIC_STREAMS.values()) | {ANY_HASHTAG}


def _status_events(event: str, feeds: dict[int, set[int]]) -> list[dict]:
    """`update` or `status.update` events for posts: one for the user streams, one for the public ones; only for
    the streams someone listens to, and a post nobody's stream would show is not rendered at all. Which posts the
    public streams list, and their tags, are read only while such a stream is open."""
    user_keys = {post_id: {f"user:{owner}" for owner in owners} for post_id, owners in feeds.items()}
    live = keys_listened(set().union(*user_keys.values()) | PUBLIC_WATCHED)
    public: dict[int, list[str]] = {}
    if live & PUBLIC_WATCHED:
        public = _public_targets(list(feeds), with_tags=ANY_HASHTAG in live)
        live |= keys_listened({key for keys in public.values() for key in keys if key.startswith("hashtag:")})
    candidates = {post_id: user_keys[post_id] | set(public.get(post_id, ())) for post_id in feeds}
    feeds = {post_id: owners for post_id, owners in feeds.items() if candidates[post_id] & live}
    if not feeds:
        return []
    ids = list(feeds)
    rows = list(Post.objects.filter(id__in=ids).values_list(*META_FIELDS))
    # Rendered without a viewer: the feeds' owners may all see the post (the feed services chose them), and a
    # new post has no viewer's marks yet. A boost's original keeps the marks unknown to this rendering (false).
    page = StatusPage(ids, None, meta_rows=rows)
    authors = {row[0]: [row[2]] + ([page.meta[row[4]][2]] if row[4] in page.meta else []) for row in rows}
    hidden = _hiding_pairs({(owner, author) for post_id, owners in feeds.items() if post_id in authors
                            for owner in owners for author in authors[post_id]})
    events = []
    for post_id, owners in feeds.items():
        data = page.render(post_id)
        if data is None:
            continue
        keys = [f"user:{owner}" for owner in sorted(owners) if f"user:{owner}" in live
                if not any((owner, author) in hidden for author in authors[post_id])]
        if keys:
            events.append({"keys": keys, "event": event, "payload": _json(data | VIEWER_MARKS), "authors": []})
        if public_live := [key for key in public.get(post_id, ()) if key in live]:
            events.append({"keys": public_live, "event": event, "payload": _json(data), "authors": authors[post_id]})
    return events


def updates_publish(*, feeds: dict[int, set[int]]) -> None:
    """`update` events for new posts and boosts, with the home feeds they went into."""
    events_publish(events=_status_events("update", feeds))


def edits_publish(*, post_ids: list[int]) -> None:
    """`status.update` events for edited posts, to the feeds that hold them and the public streams."""
    feeds: dict[int, set[int]] = {post_id: set() for post_id in post_ids}
    for post_id, owner in FeedEntry.objects.filter(post_id__in=post_ids).values_list("post_id", "owner_id"):
        feeds[post_id].add(owner)
    events_publish(events=_status_events("status.update", feeds))


def deletes_prepare(*, post_ids: list[int]) -> list[dict]:
    """`delete` events for posts about to go, read while they are still there."""
    feeds: dict[int, list[str]] = {post_id: [] for post_id in post_ids}
    for post_id, owner in FeedEntry.objects.filter(post_id__in=post_ids).values_list("post_id", "owner_id"):
        feeds[post_id].append(f"user:{owner}")
    public = _public_targets(post_ids)
    return [
        {"keys": keys + public.get(post_id, []), "event": "delete", "payload": str(post_id), "authors": []}
        for post_id, keys in feeds.items() if keys or post_id in public
    ]


def _visible_notifications(ids: list[int], recipients: set[int]) -> list[Notification]:
    """The notifications of these recipients that GET /api/v1/notifications would show: not dismissed, not from a
    suspended actor, nor from one the recipient blocks or mutes with notifications."""
    notifications = list(
        Notification.objects.filter(id__in=ids, recipient_id__in=recipients, dismissed=False,
                                    from_actor__suspended=False)
        .select_related("from_actor", "recipient").order_by("id")  # a stream gets them in the order they came
    )
    pairs = {(n.recipient_id, n.from_actor_id) for n in notifications}
    recipients, senders = {r for r, _ in pairs}, {s for _, s in pairs}
    hidden = set(Block.objects.filter(actor_id__in=recipients, target_id__in=senders)
                 .values_list("actor_id", "target_id"))
    hidden |= set(Mute.objects.filter(actor_id__in=recipients, target_id__in=senders, notifications=True)
                  .values_list("actor_id", "target_id"))
    return [n for n in notifications if (n.recipient_id, n.from_actor_id) not in hidden]


def notifications_publish(*, ids: list[int], recipients: list[int]) -> None:
    """`notification` events, each rendered for its recipient: a recipient's notifications of one batch in one
    rendering, which reads their posts and accounts together (one at a time, a batch of mentions cost ten queries
    each). Nothing is read when none of the recipients has a stream open."""
    streams = {recipient: [f"user:{recipient}", f"notification:{recipient}"] for recipient in recipients}
    live = keys_listened({key for keys in streams.values() for key in keys})
    streams = {recipient: [key for key in keys if key in live] for recipient, keys in streams.items()}
    listened = {recipient for recipient, keys in streams.items() if keys}
    if not listened:
        return  # nobody's stream is open: nothing to render
    by_recipient: dict[int, list[Notification]] = {}
    for notification in _visible_notifications(ids, listened):
        by_recipient.setdefault(notification.recipient_id, []).append(notification)
    events = []
    for recipient, notifications in by_recipient.items():
        for data in notification_entities(notifications, notifications[0].recipient):
            events.append({"keys": streams[recipient], "event": "notification", "payload": _json(data),
                           "authors": []})
    events_publish(events=events)
