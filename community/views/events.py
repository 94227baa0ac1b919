"""Events: the calendar of webinars and meetings, one event with its registration button, creating events, adding
material afterwards, and the .ics exports (one event, all events)."""

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from actors.models import Actor
from fediverse_node.errors import localized
from posts.models import Participation, Post
from posts.services.events import EventError, event_create, event_join, event_leave, event_material_set

from ..cache import anonymous_page_cache
from ..forms import EventForm, MaterialForm
from ..ics import calendar_bytes
from ..pool import events_past, events_public, events_upcoming, groups_of_member


def _event_or_404(event_id: int) -> Post:
    event = events_public().filter(id=event_id).first()
    if event is None:
        raise Http404(_("Diese Veranstaltung gibt es hier nicht."))
    return event


def ics_response(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@anonymous_page_cache
def events(request):
    return render(request, "community/events.html", {
        "nav": "events", "upcoming": events_upcoming()[:100], "past": events_past()[:20],
    })


def _own_actor(request) -> Actor | None:
    return getattr(request.user, "actor", None) if request.user.is_authenticated else None


def event(request, event_id: int):
    return _event_page(request, _event_or_404(event_id))


def _event_page(request, item: Post, material_form: MaterialForm | None = None, status: int = 200):
    actor = _own_actor(request)
    participants = Participation.objects.filter(event=item).select_related("actor")
    return render(request, "community/event.html", {
        "nav": "events", "event": item, "participants": participants,
        "registered": actor is not None and participants.filter(actor=actor).exists(),
        "over": item.ends_at is not None and item.ends_at < timezone.now(),
        "is_organiser": actor is not None and actor.id == item.author_id and item.local,
        "material_form": material_form or MaterialForm(initial={"links": "\n".join(
            f"{m.get('name', '')} {m['url']}".strip() for m in item.extra.get("material", []))}),
    }, status=status)


def event_ics(request, event_id: int):
    item = _event_or_404(event_id)
    return ics_response(calendar_bytes(name=item.name, events=[item]), f"event-{item.id}.ics")


def events_ics(request):
    recent = events_public().filter(ends_at__gte=timezone.now() - timedelta(days=90))
    return ics_response(calendar_bytes(name=_("Veranstaltungen"), events=recent[:1000]), "events.ics")


@login_required
@require_POST
def event_register(request, event_id: int):
    item = _event_or_404(event_id)
    actor = _own_actor(request)
    if actor is None:
        return render(request, "community/not_allowed.html", {"nav": "events"}, status=403)
    try:
        if request.POST.get("action") == "leave":
            event_leave(actor=actor, event=item)
            messages.success(request, _("Sie sind abgemeldet."))
        else:
            event_join(actor=actor, event=item)
            messages.success(request, _("Sie sind angemeldet."))
    except EventError as error:
        messages.error(request, localized(error))
        return redirect("community:event", item.id)
    return redirect("community:event", item.id)


@login_required
def event_new(request):
    actor = _own_actor(request)
    if actor is None:
        return render(request, "community/not_allowed.html", {"nav": "events"}, status=403)
    groups = list(groups_of_member(actor))
    form = EventForm(request.POST or None, groups=groups)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        group = next((g for g in groups if g.username == data["group"]), None)
        try:
            item = event_create(
                author=actor, name=data["title"], text=data["description"], starts_at=data["starts_at"],
                ends_at=data["ends_at"], location=data["location"], online_url=data["online_url"], group=group,
                tags=data["tags"],
            )
        except EventError as error:
            form.add_error(None, localized(error))
        else:
            messages.success(request, _("Die Veranstaltung ist veröffentlicht."))
            return redirect("community:event", item.id)
    return render(request, "community/event_form.html", {"nav": "events", "form": form},
                  status=400 if request.method == "POST" else 200)


@login_required
@require_POST
def event_material(request, event_id: int):
    item = _event_or_404(event_id)
    if _own_actor(request) != item.author and not request.user.is_staff:
        return render(request, "community/not_allowed.html", {"nav": "events"}, status=403)
    form = MaterialForm(request.POST)
    if not form.is_valid():  # the error at its field, the links as typed
        return _event_page(request, item, material_form=form, status=400)
    try:
        event_material_set(event=item, links=form.cleaned_data["links"])
    except EventError as error:
        messages.error(request, localized(error))
    else:
        messages.success(request, _("Material gespeichert."))
    return redirect("community:event", item.id)
