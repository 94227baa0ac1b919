"""Hashtags: one tag, following and unfollowing it, and the tags the caller follows."""

from django.http import HttpRequest

from posts.models import Tag, TagFollow
from posts.selectors import tags_listed
from posts.services.marks import tag_follow_create, tag_follow_undo
from posts.services.publishing import PostError

from ..entities.relations import tag_entity
from ..http import OPTIONAL, USER, ApiError, endpoint, not_found
from ..paging import paged_answer


def _following(caller, tag: Tag) -> bool | None:
    if caller.actor is None:
        return None
    return TagFollow.objects.filter(actor=caller.actor, tag=tag).exists()


@endpoint(auth=OPTIONAL, scope="read:statuses")
def tag_get(request: HttpRequest, caller, params, name: str) -> dict:
    name = name.lower()
    tag = tags_listed().filter(name=name).first()
    if tag is None and caller.actor is not None:
        # a tag nobody used openly yet is still shown to someone who follows it
        tag = Tag.objects.filter(name=name, followed_by__actor=caller.actor).first()
    if tag is None:
        raise not_found("Hashtag")
    return tag_entity(tag, following=_following(caller, tag))


@endpoint(auth=USER, scope="write:follows")
def tag_follow(request: HttpRequest, caller, params, name: str) -> dict:
    try:
        tag = tag_follow_create(actor=caller.actor, name=name)
    except PostError as error:
        raise ApiError(422, f"Validation failed: {error}") from None
    return tag_entity(tag, following=True)


@endpoint(auth=USER, scope="write:follows")
def tag_unfollow(request: HttpRequest, caller, params, name: str) -> dict:
    tag = tag_follow_undo(actor=caller.actor, name=name)
    if tag is None:
        raise not_found("Hashtag")
    return tag_entity(tag, following=False)


@endpoint(auth=USER, scope="read:follows")
def followed_tags(request: HttpRequest, caller, params):
    follows = TagFollow.objects.filter(actor=caller.actor).select_related("tag")
    return paged_answer(
        request, params, follows, lambda rows: [tag_entity(r.tag, following=True) for r in rows], maximum=200,
        default=100,
    )
