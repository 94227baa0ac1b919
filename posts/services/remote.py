"""Remote posts: storing, updating and deleting them from the objects peers send us."""

from datetime import UTC, datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from actors.models import Actor, Block
from actors.services.domains import domain_rejects_media
from fediverse_node.activitystreams import PUBLIC_ALIASES, as_list, id_of, ids_of
from fediverse_node.protocol.links import http_url
from fediverse_node.sanitize import sanitize_html

from ..ids import next_id
from ..models import Attachment, Notification, NotificationType, Post, PostEdit, PostType, Tag, Visibility
from ..text import tag_name
from .announcing import posts_changed_announce, posts_removing_announce
from .feeds import feed_add_post
from .notifying import notification_add, notifications_add

# the longest HTML kept of a remote post (a long blog article fits; the inbox caps a whole activity anyway)
MAX_CONTENT_CHARS = 200_000
POST_TYPES = {PostType.NOTE, PostType.ARTICLE, PostType.EVENT, PostType.QUESTION, PostType.PAGE}


def visibility_of(obj: dict, author: Actor) -> str:
    """Mastodon's reading of to/cc: Public in to → public, in cc → unlisted, followers → private, else direct."""
    to, cc = set(ids_of(obj.get("to"))), set(ids_of(obj.get("cc")))
    if to & PUBLIC_ALIASES:
        return Visibility.PUBLIC
    if cc & PUBLIC_ALIASES:
        return Visibility.UNLISTED
    if author.followers_url and author.followers_url in to | cc:
        return Visibility.PRIVATE
    return Visibility.DIRECT


def _when(value, default: datetime | None) -> datetime | None:
    parsed = parse_datetime(value) if isinstance(value, str) else None
    if parsed is None:
        return default
    return parsed if parsed.tzinfo else timezone.make_aware(parsed, UTC)


def _content(obj: dict) -> str:
    content = obj.get("content")
    if not isinstance(content, str):
        content_map = obj.get("contentMap")
        if isinstance(content_map, dict) and content_map:
            content = next(iter(content_map.values()))
    # cut before cleaning (nh3 closes what the cut left open): a page never shows megabytes of one post
    return sanitize_html(content[:MAX_CONTENT_CHARS] if isinstance(content, str) else "")


def _language(obj: dict) -> str:
    content_map = obj.get("contentMap")
    if isinstance(content_map, dict) and content_map:
        return str(next(iter(content_map)))[:16]
    return ""


def _text(value, limit: int) -> str:
    return value[:limit] if isinstance(value, str) else ""


def post_fields(obj: dict, author: Actor, parents: dict[str, Post] | None = None) -> dict:
    """The Post columns of an object; `parents` (uri -> post), when given, answers inReplyTo without a query."""
    now = timezone.now()
    in_reply_to_uri = id_of(obj.get("inReplyTo")) or ""
    if parents is not None:
        parent = parents.get(in_reply_to_uri)
    else:
        parent = Post.objects.filter(uri=in_reply_to_uri).first() if in_reply_to_uri else None
    return {
        "url": _object_url(obj.get("url")) or obj["id"],
        "type": obj["type"],
        "visibility": visibility_of(obj, author),
        "name": _text(obj.get("name"), 500),
        "content": _content(obj),
        "summary": _text(obj.get("summary"), 1000),
        "sensitive": bool(obj.get("sensitive")),
        "language": _language(obj),
        "in_reply_to_uri": in_reply_to_uri[:500],
        "in_reply_to": parent,
        "published": _when(obj.get("published"), now),
        "extra": _event_extra(obj),
        "starts_at": _when(obj.get("startTime"), None) if obj.get("startTime") else None,
        "ends_at": _when(obj.get("endTime"), None) if obj.get("endTime") else None,
    }


def _object_url(value) -> str:
    """The first http(s) URL of an object's `url` (a string, a Link with href, or a list of them); "" if none.
    Only http(s): a `javascript:` url would become the timestamp link under the post on our pages."""
    for item in as_list(value):
        url = http_url(item.get("href") or item.get("id") if isinstance(item, dict) else item, max_length=500)
        if url:
            return url
    return ""


def _event_extra(obj: dict) -> dict:
    """An Event's place, time zone and group, kept small: a location is a Place (name, address, url) or a name."""
    extra = {}
    location = obj.get("location")
    if isinstance(location, dict):
        extra["location"] = {k: _text(location.get(k), 500) for k in ("type", "name") if location.get(k)}
        if place_url := _object_url(location.get("url")):  # the "Link zur Videokonferenz" on the event page
            extra["location"]["url"] = place_url
    elif isinstance(location, str):
        extra["location"] = {"type": "Place", "name": location[:500]}
    if isinstance(obj.get("timezone"), str):
        extra["timezone"] = obj["timezone"][:64]
    audience = id_of(obj.get("audience"))
    if audience:
        extra["audience"] = audience[:500]
    return extra


def _attach(post: Post, obj: dict, *, created: bool) -> None:
    if not created:
        post.attachments.all().delete()
    if not obj.get("attachment"):
        return
    if domain_rejects_media(post.author.uri):
        return  # staff reject this server's media: the post is kept without them
    for position, item in enumerate(as_list(obj.get("attachment"))[:16]):
        if not isinstance(item, dict) or str(item.get("type")) not in {"Image", "Document", "Video", "Audio"}:
            continue
        url = _object_url(item.get("url"))
        if not url:
            continue
        focus = item.get("focalPoint") if isinstance(item.get("focalPoint"), list) else [0, 0]
        Attachment.objects.create(
            owner=post.author, post=post, remote_url=url, position=position,
            media_type=_text(item.get("mediaType"), 100), description=_text(item.get("name"), 1500),
            blurhash=_text(item.get("blurhash"), 100),
            width=item.get("width") if isinstance(item.get("width"), int) else None,
            height=item.get("height") if isinstance(item.get("height"), int) else None,
            focus_x=float(focus[0]) if len(focus) == 2 and isinstance(focus[0], int | float) else 0.0,
            focus_y=float(focus[1]) if len(focus) == 2 and isinstance(focus[1], int | float) else 0.0,
        )


def tag_names_and_mentions(obj: dict) -> tuple[list[str], list[str]]:
    """The object's hashtag names (lower case, once each) and the hrefs of its Mention tags."""
    names, mentioned = [], []
    for tag in as_list(obj.get("tag")):
        if not isinstance(tag, dict):
            continue
        if tag.get("type") == "Hashtag" and isinstance(tag.get("name"), str):
            names.append(tag_name(tag["name"]))  # None for names no page can have ("a/b"): dropped
        elif tag.get("type") == "Mention" and isinstance(tag.get("href"), str):
            mentioned.append(tag["href"])
    return list(dict.fromkeys(n for n in names if n)), mentioned


def tag_rows(names: list[str]) -> list[Tag]:
    """Tags by name, made when missing: one query when they all exist."""
    existing = {tag.name: tag for tag in Tag.objects.filter(name__in=names)}
    missing = [name for name in names if name not in existing]
    if missing:
        Tag.objects.bulk_create([Tag(name=name) for name in missing], ignore_conflicts=True)
        existing.update({tag.name: tag for tag in Tag.objects.filter(name__in=missing)})
    return [existing[name] for name in names if name in existing]


def _tags_and_mentions(post: Post, obj: dict, *, created: bool) -> list[Actor]:
    """Store the post's hashtags and mentions; the mentioned actors known here. A new post has none yet, so it
    only adds (each set() first reads what is there: two queries per new post saved)."""
    names, mentioned = tag_names_and_mentions(obj)
    tags = tag_rows(names) if names else []
    actors = list(Actor.objects.filter(uri__in=mentioned)) if mentioned else []
    if created:
        if tags:
            post.tags.add(*tags)
        if actors:
            post.mentions.add(*actors)
    else:
        post.tags.set(tags)
        post.mentions.set(actors)
    return actors


def notification_recipients(post: Post, mentioned: list[Actor]) -> set[Actor]:
    """Local actors who may hear of a new remote post: those it mentions, and the author of the post it answers when
    it is public or unlisted (a followers-only or direct reply is not theirs to read unless it mentions them)."""
    recipients = {a for a in mentioned if a.local}
    parent = post.in_reply_to
    if parent is not None and parent.author.local and post.visibility in (Visibility.PUBLIC, Visibility.UNLISTED):
        recipients.add(parent.author)
    return recipients


def blocking_pairs(pairs: set[tuple[int, int]]) -> set[tuple[int, int]]:
    """Of (local actor id, author id) pairs, those where the local actor blocks the author (one query)."""
    if not pairs:
        return set()
    rows = Block.objects.filter(
        actor_id__in={r for r, _ in pairs}, target_id__in={a for _, a in pairs}
    ).values_list("actor_id", "target_id")
    return set(rows) & pairs


def _notify(post: Post, created: bool, mentioned: list[Actor]) -> None:
    """Local actors hear of mentions and of public replies to their posts (once, when the post arrives); never
    from an actor they block."""
    if not created:
        return
    recipients = notification_recipients(post, mentioned)
    blocked = blocking_pairs({(r.id, post.author_id) for r in recipients})
    notifications_add(notifications=[
        Notification(recipient=r, type=NotificationType.MENTION, from_actor=post.author, post=post)
        for r in recipients if (r.id, post.author_id) not in blocked
    ])


def post_upsert_remote(*, obj: dict, author: Actor) -> Post:
    """Store a remote Note/Article/Event/Question/Page (the caller checked that author owns it)."""
    with transaction.atomic(savepoint=False):  # inside a batch, the item's own savepoint covers it
        post = Post.objects.filter(uri=obj["id"]).first()
        created = post is None
        fields = post_fields(obj, author)
        if created:
            post = Post.objects.create(id=next_id(), uri=obj["id"], author=author, local=False, **fields)
        else:
            if post.author_id != author.id:
                raise PermissionError("Only the author can change a post.")
            PostEdit.objects.create(
                post=post, content=post.content, summary=post.summary, sensitive=post.sensitive,
                created_at=post.edited_at or post.published,
            )
            fields["published"] = post.published
            for name, value in fields.items():
                setattr(post, name, value)
            post.edited_at = _when(obj.get("updated"), timezone.now())
            post.save()
        _attach(post, obj, created=created)
        mentioned = _tags_and_mentions(post, obj, created=created)
        # Replies that arrived before their parent find it now.
        Post.objects.filter(in_reply_to_uri=post.uri, in_reply_to__isnull=True).update(in_reply_to=post, updated_at=timezone.now())
        _notify(post, created, mentioned)
        if created:
            feed_add_post(post=post)
        else:
            posts_changed_announce(post_ids=[post.id])
    return post


def post_delete_remote(*, uri: str, author: Actor) -> bool:
    """Delete a remote post by its author; False if there was none."""
    with transaction.atomic(savepoint=False):
        doomed = Post.objects.filter(uri=uri, author=author, local=False)
        posts_removing_announce(post_ids=list(doomed.values_list("id", flat=True)))
        deleted, _ = doomed.delete()
    return bool(deleted)


def boost_store_remote(*, announce_id: str, actor: Actor, post: Post, published) -> Post:
    """A remote actor boosted a post: keep the boost as a post of theirs wrapping it."""
    with transaction.atomic():
        boost = Post.objects.filter(uri=announce_id).first()
        if boost is not None:
            return boost
        boost = Post.objects.create(
            id=next_id(), uri=announce_id, url=announce_id, author=actor, local=False, type=PostType.ANNOUNCE,
            visibility=Visibility.PUBLIC, boost_of=post, published=_when(published, timezone.now()),
        )
        if post.author.local:
            notification_add(recipient=post.author, type=NotificationType.REBLOG, from_actor=actor, post=post)
        feed_add_post(post=boost)
    return boost


def is_local_uri(uri: str) -> bool:
    return uri.startswith(settings.FEDINODE_BASE_URL + "/")
