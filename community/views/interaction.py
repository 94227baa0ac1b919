"""Remote interaction: the page another server's "interact" button (and our own website's remote follow) sends a
member of this node to, `/authorize_interaction?uri=…`, the subscribe template WebFinger advertises."""

from django.contrib.auth.views import redirect_to_login
from django.shortcuts import render
from django.utils.translation import gettext as _

from actors.models import Actor, Follow
from actors.services.follow import FollowBlocked, follow_request
from actors.services.remote import ResolveError, actor_resolve

TEMPLATE = "community/authorize_interaction.html"
MAX_URI = 2000


def _page(request, *, status: int = 200, **context):
    return render(request, TEMPLATE, {"nav": "", **context}, status=status)


def authorize_interaction(request):
    """GET: whom `uri` names, with a button to follow; POST: follow. Only a logged-in member of this node."""
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
        target = actor_resolve(uri)
    except ResolveError as error:
        return _page(request, status=422, error=_("Dieses Konto ist nicht zu finden: %(why)s") % {"why": error})
    if target == me:
        return _page(request, status=422, error=_("Sich selbst kann man nicht folgen."))
    if request.method == "POST":
        try:
            follow_request(follower=me, target=target)
        except (FollowBlocked, ValueError) as error:
            return _page(request, status=422, error=str(error))
    following = Follow.objects.filter(follower=me, target=target).exists()
    return _page(request, target=target, uri=uri, following=following)
