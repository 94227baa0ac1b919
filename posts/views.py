"""The outbox collection and the dereferenceable ids of local posts and their Create activities."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from actors.activities import with_context
from actors.services.local import local_actor_by_username
from fediverse_node.activitystreams import wants_activity_json
from fediverse_node.collections import ordered_collection
from fediverse_node.http import activity_response, json_error

from . import activities as as2
from .models import Post, Visibility


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


def _public_post(username: str, post_id: int) -> Post | None:
    """A local post that anyone may see (followers-only and direct posts are never served here)."""
    post = (
        Post.objects.filter(id=post_id, local=True, author__username__iexact=username, author__suspended=False)
        .exclude(boost_of__author__suspended=True)
        .select_related("author", "boost_of__author", "in_reply_to")
        .first()
    )
    if post is None or not post.is_public:
        return None
    return post


@require_GET
def post_view(request: HttpRequest, username: str, post_id: int) -> HttpResponse:
    post = _public_post(username, post_id)
    as_json = wants_activity_json(request.headers.get("Accept", ""))
    if post is None:
        if as_json:
            return json_error("No such post here.", status=404)
        raise Http404("No such post here.")
    if as_json:
        return activity_response(as2.announce_activity(post) if post.boost_of_id else with_context(as2.post_object(post)))
    if post.url and post.url != post.uri:
        return redirect(post.url)  # browsers see the post's page in the site's design
    return render(request, "posts/post.html", {"post": post})


@require_GET
def post_activity_view(request: HttpRequest, username: str, post_id: int) -> HttpResponse:
    post = _public_post(username, post_id)
    if post is None or post.boost_of_id:
        return json_error("No such activity here.", status=404)
    return activity_response(as2.create_activity(post))


@require_GET
def post_replies_view(request: HttpRequest, username: str, post_id: int) -> HttpResponse:
    post = _public_post(username, post_id)
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
