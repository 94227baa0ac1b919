"""Timelines: home, public (local/remote), hashtag; favourites and bookmarks; an account's statuses."""

from django.http import HttpRequest

from actors.models import Actor
from posts.models import Bookmark, Like
from posts.selectors import account_posts, timeline_home, timeline_public, timeline_tag

from ..entities.statuses import META_FIELDS, StatusPage, status_entities_by_id
from ..http import OPTIONAL, USER, endpoint, not_found
from ..paging import paged_answer

READ = "read:statuses"


def _statuses(request, caller, params, queryset):
    if caller.actor is not None:
        hidden = caller.hidden_actor_ids()
        if hidden:
            queryset = queryset.exclude(author_id__in=hidden).exclude(boost_of__author_id__in=hidden)
    if params.bool("only_media"):
        queryset = queryset.filter(attachments__isnull=False).distinct()
    return paged_answer(
        request, params, queryset.only("id"), lambda rows: status_entities_by_id([r.id for r in rows], caller.actor)
    )


@endpoint(auth=USER, scope=READ)
def home(request: HttpRequest, caller, params):
    # One query reads the page and what rendering needs to find its cached fragments.
    entries = timeline_home(viewer=caller.actor)
    hidden = caller.hidden_actor_ids()
    if hidden:  # usually none: then the page needs no join at all
        entries = entries.exclude(author_id__in=hidden).exclude(post__boost_of__author_id__in=hidden)
    if params.bool("only_media"):
        entries = entries.filter(post__attachments__isnull=False).distinct()
    rows = entries.values_list(*(f"post__{field}" for field in META_FIELDS))

    def render(page: list[tuple]) -> list[dict]:
        page_view = StatusPage([row[0] for row in page], caller.actor, meta_rows=page)
        return [data for data in (page_view.render(row[0]) for row in page) if data is not None]

    return paged_answer(request, params, rows, key="post_id", key_of=lambda row: row[0], render=render)


@endpoint(auth=OPTIONAL, scope=READ)
def public(request: HttpRequest, caller, params):
    queryset = timeline_public(local=params.bool("local"), remote=params.bool("remote"))
    return _statuses(request, caller, params, queryset)


@endpoint(auth=OPTIONAL, scope=READ)
def tag(request: HttpRequest, caller, params, hashtag: str):
    names = [hashtag, *params.list("any")]
    queryset = timeline_tag(names=names, local=params.bool("local"))
    for name in params.list("all"):
        queryset = queryset.filter(tags__name=str(name).lower())
    none = [str(n).lower() for n in params.list("none")]
    if none:
        queryset = queryset.exclude(tags__name__in=none)
    return _statuses(request, caller, params, queryset)


@endpoint(auth=OPTIONAL, scope=READ)
def account_statuses(request: HttpRequest, caller, params, id: str):
    author = Actor.objects.filter(id=id, suspended=False).first() if id.isdigit() else None
    if author is None:
        raise not_found()
    queryset = account_posts(author=author, viewer=caller.actor)
    if params.bool("pinned"):
        queryset = queryset.filter(pinned_by__actor=author)
    if params.bool("exclude_replies"):
        queryset = queryset.filter(in_reply_to__isnull=True, in_reply_to_uri="")
    if params.bool("exclude_reblogs"):
        queryset = queryset.filter(boost_of__isnull=True)
    tagged = params.str("tagged").lstrip("#").lower()
    if tagged:
        queryset = queryset.filter(tags__name=tagged)
    return _statuses(request, caller, params, queryset)


def _marked(model, scope: str):
    @endpoint(auth=USER, scope=scope)
    def view(request: HttpRequest, caller, params):
        # paged by the mark's id (when it was made), as Mastodon does
        marks = model.objects.filter(actor=caller.actor)

        return paged_answer(
            request, params, marks.only("id", "post_id"),
            lambda rows: status_entities_by_id([r.post_id for r in rows], caller.actor),
        )

    return view


favourites = _marked(Like, "read:favourites")
bookmarks = _marked(Bookmark, "read:bookmarks")
