"""Instance information, search, preferences, hashtags, and the empty lists of features not offered yet."""

from django.http import HttpRequest
from django.views.decorators.csrf import csrf_exempt

from actors.models import Actor
from actors.services.remote import ResolveError
from posts.models import Post
from posts.selectors import tags_listed, visible_to
from posts.services.lookup import post_resolve

from ..entities.accounts import AccountStats, account_entity
from ..entities.instance import instance_v1, instance_v2
from ..entities.relations import tag_entity
from ..entities.statuses import status_entities_by_id
from ..http import OPTIONAL, PUBLIC, USER, ApiError, endpoint, json_answer, not_found
from .accounts import search_accounts


@endpoint(auth=PUBLIC)
def instance(request: HttpRequest, caller, params) -> dict:
    return instance_v1()


@endpoint(auth=PUBLIC)
def instance_v2_view(request: HttpRequest, caller, params) -> dict:
    return instance_v2()


def empty_list(auth: str = OPTIONAL):
    @endpoint(auth=auth)
    def view(request: HttpRequest, caller, params, **kwargs) -> list:
        return []

    return view


def empty_object(auth: str = PUBLIC):
    @endpoint(auth=auth)
    def view(request: HttpRequest, caller, params, **kwargs) -> dict:
        return {}

    return view


@endpoint(auth=PUBLIC)
def record_not_found(request: HttpRequest, caller, params, **kwargs):
    # Clients tolerate a 404 for features the server lacks (push subscriptions, polls).
    raise not_found()


@endpoint(auth=USER, scope="read:accounts")
def preferences(request: HttpRequest, caller, params) -> dict:
    return {
        "posting:default:visibility": "public",
        "posting:default:sensitive": False,
        "posting:default:language": None,
        "reading:expand:media": "default",
        "reading:expand:spoilers": False,
    }


def _statuses_matching(query: str, viewer: Actor | None, limit: int, offset: int, resolve: bool) -> list[int]:
    query = query.strip()
    if query.startswith(("https://", "http://")):
        posts = Post.objects.filter(uri=query) | Post.objects.filter(url=query)
        if resolve and viewer is not None and offset == 0 and not posts.exists():
            # Mastodon fetches a pasted post link for a logged-in user: from its own server, then stored here.
            try:
                posts = Post.objects.filter(id=post_resolve(url=query).id)
            except ResolveError:
                return []
    elif viewer is not None and len(query) >= 3:
        posts = Post.objects.filter(content__icontains=query, boost_of__isnull=True)
    else:
        return []
    posts = visible_to(posts, viewer).order_by("-id")
    return list(posts.values_list("id", flat=True)[offset : offset + limit])


@endpoint(auth=OPTIONAL, scope="read:search")
def search(request: HttpRequest, caller, params) -> dict:
    query = params.str("q")
    if not query.strip():
        raise ApiError(422, "Validation failed: q is missing")
    kind = params.str("type")
    if kind and kind not in ("accounts", "statuses", "hashtags"):
        raise ApiError(422, "Validation failed: type must be accounts, statuses or hashtags")
    limit = max(1, min(params.int("limit", 20) or 20, 40))
    offset = params.offset()
    result: dict[str, list] = {"accounts": [], "statuses": [], "hashtags": []}
    if offset is None:
        return result
    if kind in ("", "accounts"):
        found = search_accounts(
            query=query, resolve=params.bool("resolve"), viewer=caller.actor, limit=limit, offset=offset,
            following=params.bool("following"),
        )
        stats = AccountStats(a.id for a in found)
        result["accounts"] = [account_entity(a, stats) for a in found]
    if kind in ("", "statuses"):
        result["statuses"] = status_entities_by_id(_statuses_matching(query, caller.actor, limit, offset, params.bool("resolve")), caller.actor)
    if kind in ("", "hashtags"):
        name = query.strip().lstrip("#").lower()
        tags = tags_listed().filter(name__startswith=name).order_by("name")[offset : offset + limit] if name else []
        result["hashtags"] = [tag_entity(t) for t in tags]
    return result


@csrf_exempt
def unknown_api_route(request: HttpRequest, path: str = ""):
    """Any other /api/ path: a JSON 404 with CORS headers, and a clean answer to a browser's preflight, so a web app
    sees "not found" and not a network error."""
    if request.method == "OPTIONS":
        return json_answer({})
    return json_answer({"error": "Record not found"}, status=404)
