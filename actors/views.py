"""Actor documents (or their HTML profile), follower/following collections, and discovery endpoints."""

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from fediverse_node.activitystreams import wants_activity_json
from fediverse_node.collections import ordered_collection
from fediverse_node.http import activity_response, json_error, json_response
from posts.models import Post, Visibility
from posts.selectors import local_posts_count

from .documents import (
    actor_document,
    actor_document_suspended,
    webfinger_actor,
    webfinger_document,
    webfinger_resource_valid,
)
from .models import Actor, FollowState
from .services.local import local_actor_by_username

SOFTWARE_NAME = "fediverse-node"
# Discovery documents are public: web apps on any origin may read them.
ANY_ORIGIN = {"Access-Control-Allow-Origin": "*"}


def _actor_or_404(username: str) -> Actor:
    actor = local_actor_by_username(username)
    if actor is None or actor.suspended:
        raise Http404(f"No actor named {username!r} here.")
    return actor


@require_GET
def actor_view(request: HttpRequest, username: str) -> HttpResponse:
    actor = local_actor_by_username(username)
    if wants_activity_json(request.headers.get("Accept", "")):
        if actor is None:
            return json_error(f"No actor named {username!r} here.", status=404)
        return activity_response(actor_document_suspended(actor) if actor.suspended else actor_document(actor))
    if actor is None or actor.suspended:
        raise Http404(f"No actor named {username!r} here.")
    if actor.url and actor.url != actor.uri:
        return redirect(actor.url)  # browsers see the actor's page in the site's design
    posts = (
        Post.objects.filter(author=actor, visibility=Visibility.PUBLIC)
        .select_related("author", "boost_of__author")
        .prefetch_related("attachments")[:20]
    )
    return render(request, "actors/profile.html", {"actor": actor, "posts": posts})


def _relation_collection(request: HttpRequest, username: str, *, followers: bool) -> HttpResponse:
    """The paged ids of an actor's accepted followers, or of the actors it follows."""
    actor = _actor_or_404(username)
    if followers:
        queryset = Actor.objects.filter(following_set__target=actor, following_set__state=FollowState.ACCEPTED)
        queryset, collection_id = queryset.order_by("-following_set__id"), actor.followers_url
    else:
        queryset = Actor.objects.filter(follower_set__follower=actor, follower_set__state=FollowState.ACCEPTED)
        queryset, collection_id = queryset.order_by("-follower_set__id"), actor.following_url
    return activity_response(
        ordered_collection(
            collection_id=collection_id, queryset=queryset, page=request.GET.get("page"), render_item=lambda a: a.uri
        )
    )


@require_GET
def followers_view(request: HttpRequest, username: str) -> HttpResponse:
    return _relation_collection(request, username, followers=True)


@require_GET
def following_view(request: HttpRequest, username: str) -> HttpResponse:
    return _relation_collection(request, username, followers=False)


@require_GET
def webfinger(request: HttpRequest) -> HttpResponse:
    """RFC 7033: acct:user@domain or an actor URL → the actor's links."""
    resource = request.GET.get("resource", "")
    if not resource:
        return json_error("Ask for ?resource=acct:user@domain or an actor URL.", status=400)
    if not webfinger_resource_valid(resource):
        return json_error(f"{resource!r} is not a URI: ask for acct:user@domain or an actor URL.", status=400)
    actor = webfinger_actor(resource)
    if actor is None or actor.suspended:
        return json_error(f"No account {resource!r} here.", status=404)
    document = webfinger_document(actor)
    return json_response(document, content_type="application/jrd+json", headers={"Access-Control-Allow-Origin": "*"})


@require_GET
def host_meta(request: HttpRequest) -> HttpResponse:
    template = f"{settings.FEDINODE_BASE_URL}/.well-known/webfinger?resource={{uri}}"
    body = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<XRD xmlns="http://docs.oasis-open.org/ns/xri/xrd-1.0">\n'
        f'  <Link rel="lrdd" template="{template}"/>\n'
        "</XRD>\n"
    )
    return HttpResponse(body, content_type="application/xrd+xml; charset=utf-8", headers=ANY_ORIGIN)


@require_GET
def nodeinfo_links(request: HttpRequest) -> HttpResponse:
    base = settings.FEDINODE_BASE_URL
    return json_response(
        {
            "links": [
                {"rel": "http://nodeinfo.diaspora.software/ns/schema/2.0", "href": f"{base}/nodeinfo/2.0"},
                {"rel": "http://nodeinfo.diaspora.software/ns/schema/2.1", "href": f"{base}/nodeinfo/2.1"},
            ]
        },
        headers=ANY_ORIGIN,
    )


@require_GET
def nodeinfo(request: HttpRequest, version: str) -> HttpResponse:
    if version not in ("2.0", "2.1"):
        return json_error("NodeInfo versions 2.0 and 2.1 are served.", status=404)
    users = Actor.objects.filter(local=True, deleted=False, suspended=False).exclude(type="Application").count()
    software = {"name": _software_name(request), "version": settings.FEDINODE_VERSION}
    if version == "2.1":
        software["repository"] = "https://github.com/fediverse-node/fediverse-node"
    document = {
        "version": version,
        "software": software,
        "protocols": ["activitypub"],
        "services": {"inbound": [], "outbound": []},
        "openRegistrations": False,
        "usage": {
            "users": {"total": users, "activeMonth": users, "activeHalfyear": users},
            "localPosts": local_posts_count(),
        },
        # megalodon's detector() reads "upstream" to treat us as Mastodon-compatible.
        "metadata": {
            "nodeName": settings.FEDINODE_NAME,
            "upstream": {"name": "mastodon", "version": "4.2.0"},
            "software": {"name": SOFTWARE_NAME, "version": settings.FEDINODE_VERSION},
        },
    }
    profile = f"http://nodeinfo.diaspora.software/ns/schema/{version}#"
    return json_response(
        document, content_type=f'application/json; profile="{profile}"', headers={**ANY_ORIGIN, "Vary": "Origin"}
    )


def _software_name(request: HttpRequest) -> str:
    """Our name, except for a web app reading NodeInfo from another origin (a browser's CORS request).

    Phanpy decides by NodeInfo `software.name` alone whether a server is Mastodon (`supports('@mastodon')`), and
    for any other name it makes alt text read-only when a post is edited and leaves out `media_attributes`; Elk
    only singles out "gotosocial". We implement Mastodon's client API, so the apps are told "mastodon" (the
    instance `version` already says "compatible; fediverse-node"), while servers and crawlers, which send no
    Origin, see our own name; `metadata.software` names us to everyone.
    """
    origin = request.headers.get("Origin", "")
    own = origin in ("", settings.FEDINODE_BASE_URL, "null")
    return SOFTWARE_NAME if own else "mastodon"
