"""Follower/following collections and discovery endpoints (WebFinger, host-meta, NodeInfo links). The actor's
document and profile page, and NodeInfo with its post count, are in posts/views.py: the profile lists posts."""

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from fediverse_node.collections import ordered_collection
from fediverse_node.http import activity_response, json_error, json_response

from .documents import webfinger_actor, webfinger_document, webfinger_resource_valid
from .models import Actor
from .services.local import local_actor_by_username

# Discovery documents are public: web apps on any origin may read them.
ANY_ORIGIN = {"Access-Control-Allow-Origin": "*"}


def _actor_or_404(username: str) -> Actor:
    actor = local_actor_by_username(username)
    if actor is None or actor.suspended:
        raise Http404(f"No actor named {username!r} here.")
    return actor


def _relation_collection(request: HttpRequest, username: str, *, followers: bool) -> HttpResponse:
    """The paged ids of an actor's accepted followers, or of the actors it follows."""
    actor = _actor_or_404(username)
    if followers:
        queryset = Actor.objects.followers_of(actor)
        queryset, collection_id = queryset.order_by("-following_set__id"), actor.followers_url
    else:
        queryset = Actor.objects.followed_by(actor)
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
