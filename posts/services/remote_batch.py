"""Many new remote posts, likes and boosts at once: the bulk twins of `post_upsert_remote`, `handle_like` and
`boost_store_remote` for what a busy inbox mostly receives.

A batch of new posts (not for one of our groups: the callers check) is written in a fixed number of queries, whatever
its size: the same rows the one-by-one path writes (post, attachments, tags, mentions, notifications of mentions and
replies, home-feed entries), at a fraction of the cost per post (bench/processing.py).
"""

from collections import defaultdict
from datetime import datetime

from django.utils import timezone

from actors.models import Actor, Follow, FollowState
from fediverse_node.protocol.vocab import PostObject
from fediverse_node.rows_insert import instances_insert

from ..ids import next_id
from ..models import Like, Notification, NotificationType, Post, PostType, Visibility
from ..selectors import replies_waiting_for
from .announcing import posts_added_announce
from .feeds import feed_rows_add, tag_followers
from .notifying import notifications_add
from .remote import (
    attachment_rows,
    blocking_pairs,
    notification_recipients,
    post_fields,
    post_object_parse,
    tag_names_and_mentions,
    tag_rows,
)


def posts_create_remote(*, entries: list[tuple[dict | PostObject, Actor]]) -> list[Post]:
    """Store new remote posts (each object embedded, on its author's server, not stored yet) and return them."""
    objects = [(post_object_parse(obj), author) for obj, author in entries]
    parsed = [(obj, author, *tag_names_and_mentions(obj)) for obj, author in objects]
    hrefs = {href for *_, mentioned in parsed for href in mentioned}
    mentioned_actors = {a.uri: a for a in Actor.objects.filter(uri__in=hrefs)} if hrefs else {}
    reply_uris = {obj.in_reply_to for obj, *_ in parsed if obj.in_reply_to}
    parents = (
        {p.uri: p for p in Post.objects.filter(uri__in=reply_uris).select_related("author")} if reply_uris else {}
    )
    posts = [
        Post(id=next_id(), uri=obj.id, author=author, local=False, **post_fields(obj, author, parents))
        for obj, author, _, _ in parsed
    ]
    instances_insert(posts)
    instances_insert(
        [row for post, (obj, *_) in zip(posts, parsed, strict=True) for row in attachment_rows(post, obj)],
        ids_read=False,
    )

    tags = {tag.name: tag for tag in tag_rows(sorted({n for _, _, names, _ in parsed for n in names}))}
    instances_insert(
        [Post.tags.through(post_id=post.id, tag_id=tags[name].id)
         for post, (_, _, names, _) in zip(posts, parsed, strict=True) for name in names if name in tags],
        ignore_conflicts=True,
    )
    mentions = {
        post.id: [mentioned_actors[href] for href in dict.fromkeys(hrefs_) if href in mentioned_actors]
        for post, (_, _, _, hrefs_) in zip(posts, parsed, strict=True)
    }
    instances_insert(
        [Post.mentions.through(post_id=post_id, actor_id=actor.id) for post_id, actors in mentions.items()
         for actor in actors],
        ignore_conflicts=True,
    )
    _replies_find_parents(posts)
    _notify(posts, mentions)
    _feeds_add(posts, mentions)
    return posts


def _replies_find_parents(posts: list[Post]) -> None:
    """Replies that arrived before their parent (in this batch or earlier) find it now."""
    by_uri = {post.uri: post for post in posts}
    orphans = replies_waiting_for(list(by_uri))
    for orphan in orphans:
        orphan.in_reply_to = by_uri[orphan.in_reply_to_uri]
    if orphans:
        Post.objects.bulk_update(orphans, ["in_reply_to", "updated_at"])


def _notify(posts: list[Post], mentions: dict[int, list[Actor]]) -> None:
    """The same notifications as the one-by-one path, with one query for the blocks of the whole batch."""
    recipients = {post.id: notification_recipients(post, mentions[post.id]) for post in posts}
    blocked = blocking_pairs({(r.id, post.author_id) for post in posts for r in recipients[post.id]})
    notifications_add(notifications=[
        Notification(recipient=r, type=NotificationType.MENTION, from_actor=post.author, post=post)
        for post in posts for r in recipients[post.id] if (r.id, post.author_id) not in blocked
    ])


def _feeds_add(posts: list[Post], mentions: dict[int, list[Actor]]) -> None:
    """Each post into the home feeds of its author's local followers (a direct post: of the mentioned)."""
    followers: dict[int, list[int]] = defaultdict(list)
    for target_id, follower_id in Follow.objects.filter(
        target_id__in={post.author_id for post in posts}, state=FollowState.ACCEPTED, follower__local=True
    ).values_list("target_id", "follower_id"):
        followers[target_id].append(follower_id)
    by_tag = tag_followers(post_ids=[p.id for p in posts if p.visibility == Visibility.PUBLIC and not p.boost_of_id])
    rows: list[tuple[int, int, int]] = []
    feeds: dict[int, set[int]] = {}
    for post in posts:
        if post.visibility == Visibility.DIRECT:
            owners = {actor.id for actor in mentions[post.id] if actor.local}
        else:
            owners = set(followers[post.author_id]) | by_tag.get(post.id, set())
        rows += [(owner, post.id, post.author_id) for owner in owners]
        feeds[post.id] = owners
    feed_rows_add(rows)
    posts_added_announce(feeds=feeds)


def likes_add_remote(*, likes: list[tuple[str, Actor, Post]]) -> list[Like]:
    """Store remote actors' likes (activity id, actor, local post) as `handle_like` does one by one: a pair liked
    already is left, each new like notifies the post's author. The new likes."""
    liked = set(
        Like.objects.filter(post_id__in={post.id for _, _, post in likes}, actor_id__in={a.id for _, a, _ in likes})
        .values_list("actor_id", "post_id")
    )
    new: dict[tuple[int, int], Like] = {}
    for uri, actor, post in likes:
        pair = (actor.id, post.id)
        if pair not in liked and pair not in new:
            new[pair] = Like(actor=actor, post=post, uri=uri)
    rows = instances_insert(list(new.values()))
    notifications_add(notifications=[
        Notification(recipient_id=like.post.author_id, type=NotificationType.FAVOURITE, from_actor=like.actor,
                     post=like.post)
        for like in rows
    ])
    return rows


def boosts_add_remote(*, boosts: list[tuple[str, Actor, Post, datetime | None]]) -> list[Post]:
    """Store remote actors' boosts (Announce id, actor, public post with its author, published) as
    `boost_store_remote` does one by one: a boost stored already is left, each new one notifies a local author and
    joins the home feeds of its booster's local followers. The new boosts."""
    stored = set(Post.objects.filter(uri__in=[uri for uri, *_ in boosts]).values_list("uri", flat=True))
    new: dict[str, tuple[Post, Post]] = {}  # Announce id: (the boost, the post it boosts)
    for uri, actor, post, published in boosts:
        if uri not in stored and uri not in new:
            boost = Post(
                id=next_id(), uri=uri, url=uri, author=actor, local=False, type=PostType.ANNOUNCE,
                visibility=Visibility.PUBLIC, boost_of=post, published=published or timezone.now(),
            )
            new[uri] = (boost, post)
    rows = instances_insert([boost for boost, _ in new.values()])
    notifications_add(notifications=[
        Notification(recipient_id=post.author_id, type=NotificationType.REBLOG, from_actor=boost.author, post=post)
        for boost, post in new.values() if post.author.local
    ])
    _feeds_add(rows, {boost.id: [] for boost in rows})
    return rows
