"""The Online-Scouts: who knows what (with filters), a scout's page, inviting and editing scouts, and the
knowledge pool: one page per topic joining scouts, groups, events and group posts."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from actors.models import Actor, ActorType

from ..cache import anonymous_page_cache
from ..forms import ScoutForm
from ..models import LANGUAGES, Offer, ScoutProfile
from ..pool import (
    events_past,
    events_upcoming,
    group_posts_by_topic,
    groups_by_topic,
    groups_of_member,
    scout_by_username,
    scouts_search,
    topics_all,
)
from ..services.scouts import ScoutError, scout_invite, scout_may_edit, scout_update


@anonymous_page_cache
def scouts(request):
    offer = request.GET.get("offer", "")
    language = request.GET.get("language", "")
    filters = {
        "topic": request.GET.get("topic", "").strip().lstrip("#").lower()[:50],
        "offer": offer if offer in Offer.values else "",
        "language": language if language in dict(LANGUAGES) else "",
        "text": request.GET.get("q", "").strip()[:100],
    }
    found = scouts_search(**filters)[:500]
    return render(request, "community/scouts.html", {
        "nav": "scouts", "scouts": found, **filters, "offers": Offer.choices, "languages": LANGUAGES,
        "topics": topics_all()[:40], "filtered": any(filters.values()),
    })


@anonymous_page_cache
def scout(request, username: str):
    item = scout_by_username(username)
    if item is None:
        raise Http404(_("Diesen Scout gibt es hier nicht."))
    groups = groups_of_member(item.actor)
    organised = events_upcoming().filter(author=item.actor)
    return render(request, "community/scout.html", {
        "nav": "scouts", "scout": item, "actor": item.actor, "groups": groups, "events": organised,
        "may_edit": scout_may_edit(user=request.user, scout=item),
    })


def _organisations_for(user) -> list[Actor]:
    """Whom the user may invite scouts for: staff any member organisation, an organisation itself."""
    if user.is_staff:
        return list(Actor.objects.visible().filter(local=True, type=ActorType.ORGANIZATION,
                                         user__isnull=False).order_by("display_name"))
    own = getattr(user, "actor", None)
    return [own] if own is not None and own.type == ActorType.ORGANIZATION else []


@login_required
def scout_invite_view(request):
    organisations = _organisations_for(request.user)
    if not organisations:
        return render(request, "community/not_allowed.html", {"nav": "scouts"}, status=403)
    form = ScoutForm(request.POST or None, inviting=True, organisations=organisations if request.user.is_staff else ())
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        organisation = next((o for o in organisations if o.username == data.get("organisation")), organisations[0])
        try:
            actor = scout_invite(
                organisation=organisation, username=data["username"], email=data["email"],
                display_name=data["display_name"], topics=data["topics"], offers=data["offers"],
                languages=data["languages"] or ["de"], availability=data["availability"],
            )
        except ScoutError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Einladung an %(email)s verschickt.") % {"email": data["email"]})
            return redirect("community:scout", actor.username)
    return render(request, "community/scout_form.html", {"nav": "scouts", "form": form, "inviting": True},
                  status=400 if request.method == "POST" else 200)


@login_required
def scout_edit(request, username: str):
    item = ScoutProfile.objects.filter(actor__local=True, actor__username__iexact=username).select_related("actor").first()
    if item is None:
        raise Http404(_("Diesen Scout gibt es hier nicht."))
    if not scout_may_edit(user=request.user, scout=item):
        return render(request, "community/not_allowed.html", {"nav": "scouts"}, status=403)
    initial = {
        "display_name": item.actor.display_name, "note": item.actor.summary_source, "topics": " ".join(item.topics),
        "offers": item.offers, "languages": item.languages, "availability": item.availability,
    }
    form = ScoutForm(request.POST or None, initial=initial, inviting=False)
    if request.method == "POST" and form.is_valid() and not form.has_changed():
        # nothing to store: no new updated_at, no Update(actor) to the followers' servers
        messages.success(request, _("Keine Änderungen: das Profil bleibt, wie es war."))
        return redirect("community:scout", item.actor.username)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            scout_update(scout=item, display_name=data["display_name"], note=data["note"], topics=data["topics"],
                         offers=data["offers"], languages=data["languages"], availability=data["availability"])
        except (ScoutError, ValueError) as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Profil gespeichert."))
            return redirect("community:scout", item.actor.username)
    return render(request, "community/scout_form.html", {"nav": "scouts", "form": form, "scout": item},
                  status=400 if request.method == "POST" else 200)


@anonymous_page_cache
def topics(request):
    return render(request, "community/topics.html", {"nav": "scouts", "topics": topics_all()})


@anonymous_page_cache
def topic(request, name: str):
    name = name.lstrip("#").lower()[:50]
    context = {
        "nav": "scouts", "topic": name, "scouts": scouts_search(topic=name)[:100],
        "groups": groups_by_topic(name), "upcoming": events_upcoming(topic=name)[:20],
        "past": events_past(topic=name)[:20], "posts": group_posts_by_topic(name)[:20],
    }
    if not any(context[k] for k in ("scouts", "groups", "upcoming", "past", "posts")):
        raise Http404(_("Zu diesem Thema gibt es noch nichts."))
    return render(request, "community/topic.html", context)
