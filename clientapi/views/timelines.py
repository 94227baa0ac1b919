"""Timelines: home, public (local/remote), hashtag; favourites and bookmarks; an account's statuses."""

import functools

from django.http import HttpRequest

from actors.models import Actor
from fediverse_node.prepared import PreparedQuery
from posts.models import Bookmark, FeedEntry, Like
from posts.selectors import account_posts, timeline_home, timeline_public, timeline_tag

from ..entities.statuses import META_FIELDS, StatusPage, status_entities_by_id
from ..http import OPTIONAL, USER, Answer, endpoint, not_found
from ..paging import id_bound, link_header, page_limit, paged_answer

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


HOME_ROW = tuple(f"post__{field}" for field in META_FIELDS)


@functools.lru_cache(maxsize=256)
def _home_page(*, limit: int, below: bool, above: bool) -> PreparedQuery:
    """The usual home page (nobody hidden, every kind of post, paged back from the newest or from max_id) as SQL
    compiled once per shape: the ORM's compiling was a fifth of the request's Python time."""

    def build(*, viewer: int, max_id: int | None = None, since_id: int | None = None):
        entries = timeline_home(viewer=Actor(id=viewer))
        if below:
            entries = entries.filter(post_id__lt=max_id)
        if above:
            entries = entries.filter(post_id__gt=since_id)
        # The page's entries are chosen first, by the (owner, post) index alone, and only those are joined to their
        # posts. As one join, PostgreSQL's plan made once for every page walked the posts from the newest down
        # to max_id: a page a few hundred posts deep took 18 ms (docs/benchmarks.md, session 20).
        page = entries.order_by("-post_id").values("pk")[:limit]
        return FeedEntry.objects.filter(pk__in=page).order_by("-post_id").values_list(*HOME_ROW)

    return PreparedQuery(build, names=["viewer", *(["max_id"] if below else []), *(["since_id"] if above else [])])


@endpoint(auth=USER, scope=READ)
def home(request: HttpRequest, caller, params):
    # One query reads the page and what rendering needs to find its cached fragments.
    hidden = caller.hidden_actor_ids()
    only_media = params.bool("only_media")

    def render(page: list[tuple]) -> list[dict]:
        page_view = StatusPage([row[0] for row in page], caller.actor, meta_rows=page)
        return [data for data in (page_view.render(row[0]) for row in page) if data is not None]

    if not hidden and not only_media and params.int("min_id") is None:
        bounds = {"max_id": id_bound(params.int("max_id")), "since_id": id_bound(params.int("since_id"))}
        query = _home_page(limit=page_limit(params), below=bounds["max_id"] is not None,
                           above=bounds["since_id"] is not None)
        page = query.rows(viewer=caller.actor.id, **{name: value for name, value in bounds.items() if value is not None})
        return Answer(render(page), headers=link_header(request, [row[0] for row in page]))
    entries = timeline_home(viewer=caller.actor)
    if hidden:  # usually none: then the page needs no join at all
        entries = entries.exclude(author_id__in=hidden).exclude(post__boost_of__author_id__in=hidden)
    if only_media:
        entries = entries.filter(post__attachments__isnull=False).distinct()
    rows = entries.values_list(*HOME_ROW)
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
