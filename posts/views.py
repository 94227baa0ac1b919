"""The outbox collection, the dereferenceable ids of local posts and their Create activities; the actor's document
or its profile page (which lists its posts) and NodeInfo (which counts them)."""

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from actors.documents import actor_document, actor_document_suspended
from actors.models import Actor
from actors.services.local import local_actor_by_username
from actors.views import ANY_ORIGIN
from fediverse_node.activitystreams import wants_activity_json
from fediverse_node.collections import ordered_collection
from fediverse_node.http import activity_response, json_error, json_response

from . import activities as as2
from .models import Post, Visibility
from .selectors import local_posts_count, local_public_post

SOFTWARE_NAME = "fediverse-node"


@require_GET
def outbox_view(request: HttpRequest, username: str) -> HttpResponse:
    """The actor's public and unlisted posts and boosts as they are now: rendered from the posts, not from the
    activities once sent, so a deleted post is gone and an edited one shows its current text (as Mastodon)."""
    actor = local_actor_by_username(username)
    if actor is None or actor.suspended:
        return json_error(f"No actor named {username!r} here.", status=404)
    queryset = (
        Post.objects.filter(author=actor, local=True, visibility__in=(Visibility.PUBLIC, Visibility.UNLISTED))
        .exclude(boost_of__author__suspended=True)
        .select_related("author", "in_reply_to", "boost_of__author")
        .prefetch_related("attachments", "mentions", "tags")
        .order_by("-id")
    )
    return activity_response(
        ordered_collection(
            collection_id=actor.outbox_url, queryset=queryset, page=request.GET.get("page"),
            render_item=lambda post: _without_context(
                as2.announce_activity(post) if post.boost_of_id else as2.create_activity(post)
            ),
        )
    )


def _without_context(document: dict) -> dict:
    document.pop("@context", None)
    return document


@require_GET
def post_view(request: HttpRequest, username: str, post_id: int) -> HttpResponse:
    post = local_public_post(username, post_id)
    as_json = wants_activity_json(request.headers.get("Accept", ""))
    if post is None:
        if as_json:
            return json_error("No such post here.", status=404)
        raise Http404("No such post here.")
    if as_json:
        return activity_response(as2.post_document(post))
    if post.url and post.url != post.uri:
        return redirect(post.url)  # browsers see the post's page in the site's design
    return render(request, "posts/post.html", {"post": post})


@require_GET
def post_activity_view(request: HttpRequest, username: str, post_id: int) -> HttpResponse:
    post = local_public_post(username, post_id)
    if post is None or post.boost_of_id:
        return json_error("No such activity here.", status=404)
    return activity_response(as2.create_activity(post))


@require_GET
def post_replies_view(request: HttpRequest, username: str, post_id: int) -> HttpResponse:
    post = local_public_post(username, post_id)
    if post is None:
        return json_error("No such post here.", status=404)
    queryset = Post.objects.filter(
        in_reply_to=post, visibility__in=["public", "unlisted"], author__suspended=False
    ).order_by("id")
    return activity_response(
        ordered_collection(
            collection_id=f"{post.uri}/replies", queryset=queryset, page=request.GET.get("page"),
            render_item=lambda reply: reply.uri,
        )
    )


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


@require_GET
def nodeinfo(request: HttpRequest, version: str) -> HttpResponse:
    if version not in ("2.0", "2.1"):
        return json_error("NodeInfo versions 2.0 and 2.1 are served.", status=404)
    users = Actor.objects.visible().filter(local=True).exclude(type="Application").count()
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
