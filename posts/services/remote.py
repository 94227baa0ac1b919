"""Remote posts: storing, updating and deleting them from the objects peers send us."""

from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from actors.models import Actor, Block
from actors.services.domains import domain_rejects_media
from fediverse_node.protocol.vocab import PUBLIC, PostObject
from fediverse_node.protocol.vocab import Attachment as MediaAttachment
from fediverse_node.sanitize import sanitize_html

from ..ids import next_id
from ..models import (
    Attachment,
    Notification,
    NotificationType,
    Post,
    PostEdit,
    PostType,
    Tag,
    Visibility,
)
from ..selectors import replies_waiting_for
from ..text import tag_name
from .announcing import posts_changed_announce, posts_removing_announce
from .feeds import feed_add_post
from .notifying import notification_add, notifications_add
from .polls import poll_store_remote

POST_TYPES = {PostType.NOTE, PostType.ARTICLE, PostType.EVENT, PostType.QUESTION, PostType.PAGE}


def post_object_parse(obj: dict | PostObject) -> PostObject:
    """The typed object of a remote post (parsed here when it comes as JSON); raises VocabError."""
    return obj if isinstance(obj, PostObject) else PostObject.parse(obj)


def visibility_of(obj: PostObject, author: Actor) -> str:
    """Mastodon's reading of to/cc: Public in to → public, in cc → unlisted, followers → private, else direct."""
    if PUBLIC in obj.to:
        return Visibility.PUBLIC
    if PUBLIC in obj.cc:
        return Visibility.UNLISTED
    if author.followers_url and author.followers_url in obj.to + obj.cc:
        return Visibility.PRIVATE
    return Visibility.DIRECT


def post_fields(obj: PostObject, author: Actor, parents: dict[str, Post] | None = None) -> dict:
    """The Post columns of an object; `parents` (uri -> post), when given, answers inReplyTo without a query."""
    if parents is not None:
        parent = parents.get(obj.in_reply_to)
    else:
        parent = Post.objects.filter(uri=obj.in_reply_to).first() if obj.in_reply_to else None
    return {
        "url": obj.url or obj.id,
        "type": obj.type,
        "visibility": visibility_of(obj, author),
        "name": obj.name,
        # cut by the parser before cleaning (nh3 closes what the cut left open)
        "content": sanitize_html(obj.content),
        "summary": obj.summary,
        "sensitive": obj.sensitive,
        "language": obj.language,
        "in_reply_to_uri": obj.in_reply_to,
        "in_reply_to": parent,
        "published": obj.published or timezone.now(),
        "extra": _event_extra(obj),
        "starts_at": obj.start_time,
        "ends_at": obj.end_time,
    }


def _event_extra(obj: PostObject) -> dict:
    """An Event's place, time zone and group, kept small: a location is a Place (name, url) or a name."""
    extra: dict = {}
    if obj.location is not None:
        place = {"type": obj.location.type, "name": obj.location.name}
        extra["location"] = {k: v for k, v in place.items() if v}
        if obj.location.url:  # the "Link zur Videokonferenz" on the event page
            extra["location"]["url"] = obj.location.url
    if obj.timezone:
        extra["timezone"] = obj.timezone
    if obj.audience:
        extra["audience"] = obj.audience[0]
    return extra


def _attach(post: Post, obj: PostObject, *, created: bool) -> None:
    if not created:
        post.attachments.all().delete()
    rows = attachment_rows(post, obj)
    if rows:
        Attachment.objects.bulk_create(rows)


def attachment_rows(post: Post, obj: PostObject) -> list[Attachment]:
    """The attachments to store of a remote post's media, in their order (none when staff reject the media of its
    server: the post is kept without them)."""
    if not obj.media or domain_rejects_media(post.author.uri):
        return []
    return [
        Attachment(
            owner_id=post.author_id, post=post, remote_url=item.url, position=position,
            media_type=item.media_type, description=item.name, blurhash=item.blurhash,
            width=item.width, height=item.height, focus_x=item.focal_point[0], focus_y=item.focal_point[1],
        )
        for position, item in enumerate(obj.attachments) if isinstance(item, MediaAttachment)
    ]


def tag_names_and_mentions(obj: PostObject) -> tuple[list[str], list[str]]:
    """The object's hashtag names (lower case, once each) and the hrefs of its Mention tags."""
    names = [tag_name(name) for name in obj.hashtags]  # None for names no page can have ("a/b"): dropped
    return list(dict.fromkeys(n for n in names if n)), obj.mentions


def tag_rows(names: list[str]) -> list[Tag]:
    """Tags by name, made when missing: one query when they all exist."""
    existing = {tag.name: tag for tag in Tag.objects.filter(name__in=names)}
    missing = [name for name in names if name not in existing]
    if missing:
        Tag.objects.bulk_create([Tag(name=name) for name in missing], ignore_conflicts=True)
        existing.update({tag.name: tag for tag in Tag.objects.filter(name__in=missing)})
    return [existing[name] for name in names if name in existing]


def _tags_and_mentions(post: Post, obj: PostObject, *, created: bool) -> list[Actor]:
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


def post_upsert_remote(*, obj: dict | PostObject, author: Actor) -> Post:
    """Store a remote Note/Article/Event/Question/Page (the caller checked that author owns it); raises
    VocabError for a document that is no such object."""
    obj = post_object_parse(obj)
    with transaction.atomic(savepoint=False):  # inside a batch, the item's own savepoint covers it
        post = Post.objects.filter(uri=obj.id).first()
        created = post is None
        fields = post_fields(obj, author)
        if post is None:
            post = Post.objects.create(id=next_id(), uri=obj.id, author=author, local=False, **fields)
        else:
            if post.author_id != author.id:
                raise PermissionError("Only the author can change a post.")
            # Only a change of what readers see is an edit (a history entry, the "edited" mark): neither a Question's
            # Update that only moves its counts, nor the same Create or Update delivered again (peers send at least once)
            edited = _text_changed(post, fields) or _media_changed(post, obj)
            if edited:
                PostEdit.objects.create(
                    post=post, content=post.content, summary=post.summary, sensitive=post.sensitive,
                    created_at=post.edited_at or post.published,
                )
            fields["published"] = post.published
            for name, value in fields.items():
                setattr(post, name, value)
            if edited:
                post.edited_at = obj.updated or timezone.now()
            post.save()
        if obj.type == PostType.QUESTION:
            poll_store_remote(post=post, obj=obj)
        _attach(post, obj, created=created)
        mentioned = _tags_and_mentions(post, obj, created=created)
        # Replies that arrived before their parent find it now.
        if waiting := replies_waiting_for([post.uri]):
            Post.objects.filter(id__in=[reply.id for reply in waiting]).update(in_reply_to=post,
                                                                              updated_at=timezone.now())
        _notify(post, created, mentioned)
        if created:
            feed_add_post(post=post)
        else:
            posts_changed_announce(post_ids=[post.id])
    return post


def _text_changed(post: Post, fields: dict) -> bool:
    return any(getattr(post, name) != fields[name] for name in ("content", "summary", "sensitive", "name"))


def _media_changed(post: Post, obj: PostObject) -> bool:
    """Whether the object's media differ from those stored (none are stored from a server whose media staff reject)."""
    sent = [item.url for item in obj.attachments if isinstance(item, MediaAttachment)] if obj.media else []
    if sent and domain_rejects_media(post.author.uri):
        sent = []
    return list(post.attachments.order_by("position").values_list("remote_url", flat=True)) != sent


def post_delete_remote(*, uri: str, author: Actor) -> bool:
    """Delete a remote post by its author; False if there was none."""
    with transaction.atomic(savepoint=False):
        doomed = Post.objects.filter(uri=uri, author=author, local=False)
        posts_removing_announce(post_ids=list(doomed.values_list("id", flat=True)))
        deleted, _ = doomed.delete()
    return bool(deleted)


def boost_store_remote(*, announce_id: str, actor: Actor, post: Post, published: datetime | None) -> Post:
    """A remote actor boosted a post: keep the boost as a post of theirs wrapping it."""
    with transaction.atomic():
        boost = Post.objects.filter(uri=announce_id).first()
        if boost is not None:
            return boost
        boost = Post.objects.create(
            id=next_id(), uri=announce_id, url=announce_id, author=actor, local=False, type=PostType.ANNOUNCE,
            visibility=Visibility.PUBLIC, boost_of=post, published=published or timezone.now(),
        )
        if post.author.local:
            notification_add(recipient=post.author, type=NotificationType.REBLOG, from_actor=actor, post=post)
        feed_add_post(post=boost)
    return boost


def is_local_uri(uri: str) -> bool:
    return uri.startswith(settings.FEDINODE_BASE_URL + "/")
