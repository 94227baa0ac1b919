"""Local posts: create, edit, delete, like, boost; each stores the change and publishes its activity."""

from collections.abc import Sequence

from django.conf import settings
from django.db import transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext_noop

from actors.activities import activity_id, simple_activity
from actors.models import Actor, Block
from actors.selectors import follower_inboxes
from actors.services.remote import ResolveError, actor_resolve
from fediverse_node.sanitize import sanitize_html
from outbox.services import activity_publish

from .. import activities as render
from ..ids import next_id, post_uri
from ..markdown import render_markdown
from ..models import (
    Attachment,
    Like,
    Notification,
    NotificationType,
    Post,
    PostEdit,
    PostType,
    Tag,
    Visibility,
)
from ..text import Rendered, render_plain_text, tag_name
from .announcing import posts_changed_announce, posts_removing_announce
from .boosts import boost_undo
from .errors import PostError
from .feeds import feed_add_post
from .groups import group_share
from .notifying import notification_add, notifications_add
from .polls import PollSpec, poll_attach, poll_spec_check

MAX_CHARS = 5000
MAX_ARTICLE_CHARS = 100_000


def _resolve_quietly(handle: str) -> Actor | None:
    try:
        return actor_resolve(handle)
    except ResolveError:
        return None


# The website's page of each kind of post (the site's URLconf names them); every other type has a post page.
PAGE_ROUTES: dict[str, str] = {PostType.ARTICLE: "community:article", PostType.EVENT: "community:event"}


def post_page_url(post_id: int, type: str) -> str:
    """A local post's page on the website: its ActivityStreams `url` (in documents, the API and the feeds)."""
    try:
        return f"{settings.FEDINODE_BASE_URL}{reverse(PAGE_ROUTES.get(type, 'community:post'), args=[post_id])}"
    except NoReverseMatch:
        return ""


def post_recipients(post: Post) -> set[str]:
    """Inboxes a post goes to: followers (unless direct), mentioned actors and the author replied to; never an
    actor the author blocks."""
    inboxes = set() if post.visibility == Visibility.DIRECT else follower_inboxes(actor=post.author)
    remote = [actor for actor in post.mentions.all() if not actor.local]
    blocked = set(
        Block.objects.filter(actor=post.author, target__in=remote).values_list("target_id", flat=True)
    ) if remote else set()
    for actor in remote:
        if actor.id not in blocked:
            inboxes.add(actor.inbox_url if post.visibility == Visibility.DIRECT else actor.delivery_inbox)
    return inboxes


def _notify_mentions(post: Post) -> None:
    notifications_add(
        notifications=[
            Notification(recipient=actor, type=NotificationType.MENTION, from_actor=post.author, post=post)
            for actor in post.mentions.all()
            if actor.local and actor != post.author
        ]
    )


def _nul_refuse(*texts: str) -> None:
    """PostgreSQL keeps no NUL in text: the insert would fail after the checks, with an error and not a message."""
    if any("\x00" in text for text in texts):
        raise PostError(gettext_noop("A post cannot contain a NUL character (\\u0000)."))


def post_create(
    *,
    author: Actor,
    text: str,
    summary: str = "",
    sensitive: bool = False,
    visibility: str = Visibility.PUBLIC,
    in_reply_to: Post | None = None,
    language: str = "",
    attachments: Sequence[Attachment] = (),
    type: str = PostType.NOTE,
    name: str = "",
    extra: dict | None = None,
    tags: Sequence[str] = (),
    starts_at=None,
    ends_at=None,
    poll: PollSpec | None = None,
    html: str | None = None,
) -> Post:
    """Publish a post by a local actor: store it, its tags, mentions and attachments, and a Create to its audience.
    An Article's text is Markdown (a blog story); every other type's is plain text. With a poll it is a Question.
    `html` is content its caller composed and sanitised itself (an entry of a member's website feed): it is stored
    as it is (through nh3 once more), `text` is kept as its source, and nothing in it is read as a mention."""
    text = text or ""
    if poll is not None:
        if attachments:
            raise PostError(gettext_noop("A post with a poll cannot have media attachments."))
        poll_spec_check(spec=poll)
        type = PostType.QUESTION
    if not text.strip() and not attachments:
        raise PostError(gettext_noop("A post needs text or at least one attachment."))
    _nul_refuse(text, summary or "", name or "")
    limit = MAX_ARTICLE_CHARS if type == PostType.ARTICLE else MAX_CHARS
    if len(text) > limit:
        raise PostError(gettext_noop("A post has at most %(limit)d characters."), limit=limit)
    if visibility not in Visibility.values:
        raise PostError(gettext_noop("Unknown visibility %(visibility)s."), visibility=repr(visibility))
    if html is not None:
        rendered = Rendered(html=sanitize_html(html))
    else:
        rendered = render_plain_text(
            text, resolve=_resolve_quietly, default_domain=settings.FEDINODE_DOMAIN,
            base_url=settings.FEDINODE_BASE_URL,
        )
    content = render_markdown(text, base_url=settings.FEDINODE_BASE_URL) if type == PostType.ARTICLE else rendered.html
    given = [t for t in tags if t.strip("# ")]
    if any(tag_name(t) is None for t in given):
        raise PostError(gettext_noop("A hashtag has letters, digits and '_' only (at most 100)."))
    tag_names = list(dict.fromkeys([*rendered.tags, *(tag_name(t) for t in given)]))
    mentions = list(rendered.mentions)
    if in_reply_to is not None and in_reply_to.author not in mentions and in_reply_to.author != author:
        mentions.append(in_reply_to.author)
    with transaction.atomic():
        post_id = next_id()
        uri = post_uri(author, post_id)
        post = Post.objects.create(
            id=post_id,
            uri=uri,
            url=post_page_url(post_id, type) or uri,
            author=author,
            local=True,
            type=type,
            visibility=visibility,
            name=name,
            content=content,
            source=text,
            summary=summary or "",
            sensitive=bool(sensitive or summary),
            language=language or "",
            in_reply_to=in_reply_to,
            in_reply_to_uri=in_reply_to.uri if in_reply_to else "",
            extra=extra or {},
            starts_at=starts_at,
            ends_at=ends_at,
            published=timezone.now(),
        )
        post.mentions.set(mentions)
        post.tags.set([Tag.objects.get_or_create(name=name)[0] for name in tag_names])
        if poll is not None:
            poll_attach(post=post, spec=poll)
        for position, attachment in enumerate(attachments):
            attachment.post, attachment.position = post, position
            attachment.save(update_fields=["post", "position"])
        _notify_mentions(post)
        feed_add_post(post=post)
        activity_publish(
            actor=author, activity=render.create_activity(post), inboxes=post_recipients(post), public=post.is_public
        )
        group_share(post=post, addressed=[post.extra["audience"]] if post.extra.get("audience") else [])
    return post


def post_edit(
    *, post: Post, text: str, summary: str | None = None, sensitive: bool | None = None,
    language: str | None = None, attachments: Sequence[Attachment] | None = None, html: str | None = None,
    tags: Sequence[str] | None = None,
) -> Post:
    """Edit a local post, keep its former version in the history, and send an Update. `html` and `tags` as in
    post_create: content composed by its caller (a changed entry of a member's website feed)."""
    if not text.strip() and not (attachments or post.attachments.exists()):
        raise PostError(gettext_noop("A post needs text or at least one attachment."))
    _nul_refuse(text, summary or "")
    if html is not None:
        rendered = Rendered(html=sanitize_html(html))
    else:
        rendered = render_plain_text(
            text, resolve=_resolve_quietly, default_domain=settings.FEDINODE_DOMAIN,
            base_url=settings.FEDINODE_BASE_URL,
        )
    if tags is not None:
        given = [t for t in tags if t.strip("# ")]
        if any(tag_name(t) is None for t in given):
            raise PostError(gettext_noop("A hashtag has letters, digits and '_' only (at most 100)."))
        rendered.tags = list(dict.fromkeys([*rendered.tags, *(str(tag_name(t)) for t in given)]))
    with transaction.atomic():
        if not post.edits.exists():
            PostEdit.objects.create(
                post=post, content=post.content, summary=post.summary, sensitive=post.sensitive, created_at=post.published
            )
        post.content, post.source = rendered.html, text
        if summary is not None:
            post.summary = summary
        if sensitive is not None:
            post.sensitive = sensitive or bool(post.summary)
        if language is not None:
            post.language = language
        post.edited_at = timezone.now()
        post.save()
        PostEdit.objects.create(
            post=post, content=post.content, summary=post.summary, sensitive=post.sensitive, created_at=post.edited_at
        )
        post.tags.set([Tag.objects.get_or_create(name=name)[0] for name in rendered.tags])
        post.mentions.add(*rendered.mentions)
        if attachments is not None:
            post.attachments.exclude(id__in=[a.id for a in attachments]).update(post=None)
            for position, attachment in enumerate(attachments):
                attachment.post, attachment.position = post, position
                attachment.save(update_fields=["post", "position"])
        activity_publish(actor=post.author, activity=render.update_activity(post), inboxes=post_recipients(post))
        posts_changed_announce(post_ids=[post.id])
    return post


def post_delete(*, post: Post) -> None:
    """Delete a local post (or undo a boost) and tell everyone who received it."""
    with transaction.atomic():
        if post.boost_of:
            boost_undo(actor=post.author, post=post.boost_of)
            return
        inboxes = post_recipients(post)
        # Servers whose members boosted it hear of the deletion too, and forward it to their followers (§7.1.2).
        inboxes |= {a.delivery_inbox for a in Actor.objects.filter(posts__boost_of=post, local=False).distinct()}
        to, cc = render.post_audience(post)
        activity = render.delete_activity(post, to, cc)
        posts_removing_announce(post_ids=[post.id])
        post.delete()
        activity_publish(actor=post.author, activity=activity, inboxes=inboxes)


def like_create(*, actor: Actor, post: Post) -> Like:
    """Favourite a post; a remote author hears of it by a Like."""
    with transaction.atomic():
        like = Like.objects.filter(actor=actor, post=post).first()
        if like is not None:
            return like
        like = Like.objects.create(actor=actor, post=post, uri=activity_id(actor, "likes"))
        if post.author.local:
            if post.author != actor:
                notification_add(
                    recipient=post.author, type=NotificationType.FAVOURITE, from_actor=actor, post=post
                )
        else:
            activity = simple_activity(id=like.uri, type="Like", actor=actor, object=post.uri)
            activity_publish(actor=actor, activity=activity, inboxes=[post.author.inbox_url])
    return like


def like_undo(*, actor: Actor, post: Post) -> None:
    with transaction.atomic():
        like = Like.objects.filter(actor=actor, post=post).first()
        if like is None:
            return
        like.delete()
        if not post.author.local:
            like_doc = {"id": like.uri, "type": "Like", "actor": actor.uri, "object": post.uri}
            activity = simple_activity(
                id=activity_id(actor, "undo"), type="Undo", actor=actor, object=like_doc
            )
            activity_publish(actor=actor, activity=activity, inboxes=[post.author.inbox_url])
