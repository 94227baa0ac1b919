"""Statuses: post, read, edit, delete, thread, history, and the favourite/boost/bookmark/pin actions."""

from django.db import IntegrityError, transaction
from django.http import HttpRequest

from actors.models import Actor
from posts.models import Attachment, Like, Post, PostEdit, Visibility
from posts.selectors import post_visible, thread_of
from posts.services.boosts import boost_create, boost_undo
from posts.services.marks import (
    bookmark_create,
    bookmark_undo,
    conversation_mute_create,
    conversation_mute_undo,
    pin_create,
    pin_undo,
)
from posts.services.media import MediaError, media_update
from posts.services.publishing import (
    PostError,
    like_create,
    like_undo,
    post_create,
    post_delete,
    post_edit,
)

from ..entities.accounts import AccountStats, account_entity
from ..entities.common import timestamp
from ..entities.instance import MAX_MEDIA
from ..entities.media import attachment_entity
from ..entities.statuses import status_entities_by_id
from ..http import OPTIONAL, USER, ApiError, endpoint, not_found
from ..models import IdempotentPost
from ..paging import paged_answer
from .polls import poll_spec

WRITE, READ = "write:statuses", "read:statuses"


def visible_post(post_id, caller) -> Post:
    post = post_visible(post_id=post_id, viewer=caller.actor)
    if post is None:
        raise not_found()
    return post


def own_post(post_id, caller) -> Post:
    post = visible_post(post_id, caller)
    if post.author_id != caller.actor.id:
        raise ApiError(403, "This action is not allowed: the status belongs to someone else")
    return post


def _render(post_id, caller) -> dict:
    rendered = status_entities_by_id([post_id], caller.actor)
    if not rendered:
        raise not_found()
    return rendered[0]


def _attachments(params, caller) -> list[Attachment] | None:
    """The caller's uploaded media named by media_ids, in the given order (None when not sent)."""
    if params.raw("media_ids") is None and params.raw("media_ids[]") is None:
        return None
    ids = [str(i) for i in params.list("media_ids") if str(i).strip()]
    if len(ids) > MAX_MEDIA:
        raise ApiError(422, f"Validation failed: at most {MAX_MEDIA} media attachments")
    if not all(i.isdigit() for i in ids):
        raise ApiError(422, "Validation failed: media_ids must be ids of uploaded media")
    found = {str(a.id): a for a in Attachment.objects.filter(owner=caller.actor, id__in=ids)}
    missing = [i for i in ids if i not in found]
    if missing:
        raise ApiError(422, f"Validation failed: no uploaded media with id {missing[0]}")
    return [found[i] for i in ids]


def _visibility(params) -> str:
    visibility = params.str("visibility", Visibility.PUBLIC) or Visibility.PUBLIC
    if visibility not in Visibility.values:
        raise ApiError(422, f"Validation failed: visibility must be one of {', '.join(Visibility.values)}")
    return visibility


@endpoint(auth=USER, scope=WRITE)
def status_create(request: HttpRequest, caller, params) -> dict:
    key = request.headers.get("Idempotency-Key", "").strip()[:200]
    if key:
        earlier = IdempotentPost.objects.filter(actor=caller.actor, key=key).first()
        if earlier is not None:
            return _render(earlier.post_id, caller)
    if params.raw("scheduled_at"):
        raise ApiError(422, "Scheduled statuses are not supported on this server")
    poll = poll_spec(params)
    attachments = _attachments(params, caller) or []
    if any(a.post_id for a in attachments):
        raise ApiError(422, "Validation failed: a media attachment is already part of another status")
    in_reply_to = None
    if params.raw("in_reply_to_id"):
        in_reply_to = visible_post(params.str("in_reply_to_id"), caller)
    try:
        with transaction.atomic():
            post = post_create(
                author=caller.actor,
                text=params.str("status"),
                summary=params.str("spoiler_text").strip(),
                sensitive=params.bool("sensitive"),
                visibility=_visibility(params),
                in_reply_to=in_reply_to,
                language=params.str("language")[:16],
                attachments=attachments,
                poll=poll,
            )
            if key:
                IdempotentPost.objects.create(actor=caller.actor, key=key, post=post)
    except PostError as error:
        raise ApiError(422, f"Validation failed: {error}") from None
    except IntegrityError:
        # the same Idempotency-Key raced us; the first request's status is the answer
        earlier = IdempotentPost.objects.get(actor=caller.actor, key=key)
        return _render(earlier.post_id, caller)
    return _render(post.id, caller)


@endpoint(auth=OPTIONAL, scope=READ)
def status_get(request: HttpRequest, caller, params, id: str) -> dict:
    return _render(visible_post(id, caller).id, caller)


@endpoint(auth=USER, scope=WRITE)
def status_edit(request: HttpRequest, caller, params, id: str) -> dict:
    post = own_post(id, caller)
    if post.boost_of_id:
        raise ApiError(422, "Validation failed: a boost cannot be edited")
    attachments = _attachments(params, caller)
    if attachments is not None and any(a.post_id not in (None, post.id) for a in attachments):
        raise ApiError(422, "Validation failed: a media attachment is already part of another status")
    text = params.optional_str("status")
    try:
        with transaction.atomic():  # alt texts and the edit land together or not at all
            for item in params.dict_items("media_attributes"):
                media = Attachment.objects.filter(owner=caller.actor, id=str(item.get("id", ""))).first()
                if media is None:
                    raise ApiError(422, f"Validation failed: no uploaded media with id {item.get('id')}")
                media_update(attachment=media, description=item.get("description"), focus=item.get("focus") or None)
            post = post_edit(
                post=post,
                text=post.source if text is None else text,
                summary=params.optional_str("spoiler_text"),
                sensitive=params.optional_bool("sensitive"),
                language=params.optional_str("language"),
                attachments=attachments,
            )
    except (PostError, MediaError) as error:
        raise ApiError(422, f"Validation failed: {error}") from None
    return _render(post.id, caller)


@endpoint(auth=USER, scope=WRITE)
def status_delete(request: HttpRequest, caller, params, id: str) -> dict:
    post = own_post(id, caller)
    data = _render(post.id, caller)
    data["text"] = post.source  # for "delete and redraft"
    post_delete(post=post)
    return data


@endpoint(auth=USER, scope=READ)
def status_source(request: HttpRequest, caller, params, id: str) -> dict:
    post = own_post(id, caller)
    return {"id": str(post.id), "text": post.source, "spoiler_text": post.summary}


@endpoint(auth=OPTIONAL, scope=READ)
def status_context(request: HttpRequest, caller, params, id: str) -> dict:
    post = visible_post(id, caller)
    ancestors, descendants = thread_of(post=post, viewer=caller.actor)
    rendered = {
        int(s["id"]): s for s in status_entities_by_id([p.id for p in ancestors + descendants], caller.actor)
    }
    return {
        "ancestors": [rendered[p.id] for p in ancestors if p.id in rendered],
        "descendants": [rendered[p.id] for p in descendants if p.id in rendered],
    }


@endpoint(auth=OPTIONAL, scope=READ)
def status_history(request: HttpRequest, caller, params, id: str) -> list:
    post = visible_post(id, caller)
    account = account_entity(post.author, AccountStats([post.author_id]))
    media = [attachment_entity(a) for a in post.attachments.all()]

    def version(content: str, summary: str, sensitive: bool, at) -> dict:
        return {
            "content": content, "spoiler_text": summary, "sensitive": sensitive, "created_at": timestamp(at),
            "account": account, "poll": None, "media_attachments": media, "emojis": [],
        }

    edits = list(PostEdit.objects.filter(post=post))
    if not edits:
        return [version(post.content, post.summary, post.sensitive, post.published)]
    return [version(e.content, e.summary, e.sensitive, e.created_at) for e in edits]


def _action(service, *, write_scope: str):
    @endpoint(auth=USER, scope=write_scope)
    def view(request: HttpRequest, caller, params, id: str) -> dict:
        post = visible_post(id, caller)
        if post.boost_of:
            post = post.boost_of  # acting on a boost acts on the boosted post, as Mastodon does
        try:
            result = service(actor=caller.actor, post=post)
        except PostError as error:
            raise ApiError(422, f"Validation failed: {error}") from None
        if isinstance(result, Post) and result.boost_of_id:
            return _render(result.id, caller)  # reblog answers with the wrapper status
        return _render(post.id, caller)

    return view


status_favourite = _action(like_create, write_scope="write:favourites")
status_unfavourite = _action(like_undo, write_scope="write:favourites")
status_reblog = _action(boost_create, write_scope=WRITE)
status_unreblog = _action(boost_undo, write_scope=WRITE)
status_bookmark = _action(bookmark_create, write_scope="write:bookmarks")
status_unbookmark = _action(bookmark_undo, write_scope="write:bookmarks")
status_pin = _action(pin_create, write_scope="write:accounts")
status_unpin = _action(pin_undo, write_scope="write:accounts")
status_mute = _action(conversation_mute_create, write_scope="write:mutes")
status_unmute = _action(conversation_mute_undo, write_scope="write:mutes")


def _accounts_of(rows, attribute: str) -> list:
    actors: list[Actor] = [getattr(row, attribute) for row in rows]
    stats = AccountStats(a.id for a in actors)
    return [account_entity(a, stats) for a in actors]


@endpoint(auth=OPTIONAL, scope=READ)
def status_favourited_by(request: HttpRequest, caller, params, id: str):
    post = visible_post(id, caller)
    likes = Like.objects.filter(post=post).select_related("actor")
    return paged_answer(request, params, likes, lambda rows: _accounts_of(rows, "actor"), maximum=80)


@endpoint(auth=OPTIONAL, scope=READ)
def status_reblogged_by(request: HttpRequest, caller, params, id: str):
    post = visible_post(id, caller)
    boosts = Post.objects.filter(boost_of=post).select_related("author")
    return paged_answer(request, params, boosts, lambda rows: _accounts_of(rows, "author"), maximum=80)
