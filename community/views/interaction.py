"""Remote interaction: the page another server's "interact" button (and our own website's remote follow) sends a
member of this node to, `/authorize_interaction?uri=…`, the subscribe template WebFinger advertises. The URI names
an account (follow it) or a post (reply to, like or boost it), as on Mastodon."""

from django.contrib.auth.views import redirect_to_login
from django.shortcuts import render
from django.utils.translation import gettext as _

from actors.models import Actor, Follow
from actors.services.follow import FollowBlocked, follow_request
from actors.services.remote import ResolveError, actor_resolve
from fediverse_node.errors import localized
from posts.models import Like, Post
from posts.selectors import visible_to
from posts.services.boosts import boost_create
from posts.services.lookup import post_resolve
from posts.services.publishing import PostError, like_create, post_create

TEMPLATE = "community/authorize_interaction.html"
MAX_URI = 2000
POST_ACTIONS = ("reply", "like", "boost")


def _page(request, *, status: int = 200, **context):
    return render(request, TEMPLATE, {"nav": "", **context}, status=status)


def _resolve(uri: str) -> Actor | Post:
    """The account or the post a URI names: a handle or an actor's address first, then a post's address."""
    try:
        return actor_resolve(uri)
    except ResolveError as error:
        if not uri.startswith(("https://", "http://")):
            raise
        try:
            return post_resolve(url=uri)
        except ResolveError:
            raise error from None


def authorize_interaction(request):
    """GET: whom or what `uri` names, with a button to follow (an account) or to reply, like and boost (a post);
    POST: do it. Only a logged-in member of this node."""
    uri = (request.POST.get("uri") if request.method == "POST" else request.GET.get("uri", "")) or ""
    uri = uri.strip()[:MAX_URI]
    if not uri:
        return _page(request, status=400, error=_("Es fehlt, mit wem Sie interagieren möchten (uri=…)."))
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    me = Actor.objects.filter(user=request.user, local=True, suspended=False).first()
    if me is None:
        return _page(request, status=403, error=_("Dieses Konto kann hier niemandem folgen."))
    try:
        found = _resolve(uri)
    except ResolveError as error:
        return _page(request, status=422, error=_("Dieses Konto ist nicht zu finden: %(why)s") % {
            "why": localized(error)})
    if isinstance(found, Post):
        return _post_interaction(request, me=me, post=found, uri=uri)
    if found == me:
        return _page(request, status=422, error=_("Sich selbst kann man nicht folgen."))
    if request.method == "POST":
        try:
            follow_request(follower=me, target=found)
        except (FollowBlocked, ValueError) as error:
            return _page(request, status=422, error=localized(error))
    following = Follow.objects.filter(follower=me, target=found).exists()
    return _page(request, target=found, uri=uri, following=following)


def _post_interaction(request, *, me: Actor, post: Post, uri: str):
    """A post: shown with reply, like and boost; a POST with `action` does one of them."""
    if not visible_to(Post.objects.filter(id=post.id), me).exists():
        return _page(request, status=404, error=_("Diesen Beitrag gibt es nicht (mehr)."))
    done, reply, reply_error, status = "", "", "", 200
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action not in POST_ACTIONS:
            return _page(request, status=400, error=_("Unbekannte Aktion."))
        try:
            if action == "like":
                like_create(actor=me, post=post)  # the page then says so where the button was
            elif action == "boost":
                boost_create(actor=me, post=post)
            else:  # post_create refuses a NUL too (PostgreSQL stores none), in the page's language
                reply = request.POST.get("text", "")
                post_create(author=me, text=reply, in_reply_to=post)
                done, reply = _("Ihre Antwort ist veröffentlicht."), ""
        except PostError as error:
            if action != "reply":
                return _page(request, status=422, error=localized(error))
            # the post again, with the reply as typed under its refusal: nothing the member wrote is lost
            reply_error, reply, status = localized(error), reply.replace("\x00", ""), 422
    return _page(
        request, status=status, post=post, uri=uri, done=done, reply=reply, reply_error=reply_error,
        liked=Like.objects.filter(actor=me, post=post).exists(),
        boosted=Post.objects.filter(author=me, boost_of=post).exists(),
        boostable=post.is_public,
    )
