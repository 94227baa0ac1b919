"""Events (webinars, video conferences, meetings) as ActivityStreams `Event`s, and who takes part: a person
registers with `Join` and withdraws with `Leave`, as Mobilizon and Gancio do."""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_noop

from actors.activities import activity_id, simple_activity
from actors.models import Actor
from fediverse_node.errors import LocalizedError
from fediverse_node.protocol.links import http_url
from outbox.services import activity_publish

from .. import activities as render
from ..models import Participation, Post, PostType
from .publishing import post_create, post_recipients

MAX_EVENT_DAYS = 14
MAX_MATERIAL_LINKS = 10


class EventError(LocalizedError, ValueError):
    """An event or a registration that cannot be made as asked (the message says why)."""


def event_times_check(*, starts_at: datetime, ends_at: datetime) -> None:
    if timezone.is_naive(starts_at) or timezone.is_naive(ends_at):
        raise EventError(gettext_noop("An event's times need a time zone."))
    if ends_at <= starts_at:
        raise EventError(gettext_noop("An event must end after it starts."))
    if ends_at - starts_at > timedelta(days=MAX_EVENT_DAYS):
        raise EventError(gettext_noop("An event lasts at most %(days)d days."), days=MAX_EVENT_DAYS)


def event_create(
    *,
    author: Actor,
    name: str,
    text: str,
    starts_at: datetime,
    ends_at: datetime,
    location: str = "",
    online_url: str = "",
    group: Actor | None = None,
    tags: list[str] | tuple[str, ...] = (),
) -> Post:
    """Publish an event to the organiser's followers and, through the group's Announce, to the group's members."""
    name = name.strip()
    if not name or len(name) > 200:
        raise EventError(gettext_noop("An event needs a title of at most 200 characters."))
    event_times_check(starts_at=starts_at, ends_at=ends_at)
    if online_url and not http_url(online_url, max_length=500):
        raise EventError(gettext_noop("The online link must be an http(s) address."))
    place = {"type": "Place", "name": location.strip()[:300] or ("Online" if online_url else "")}
    if online_url:
        place["url"] = online_url
    extra: dict = {"timezone": settings.TIME_ZONE}
    if place["name"]:
        extra["location"] = place
    if group is not None:
        extra["audience"] = group.uri
    return post_create(
        author=author, text=text or name, type=PostType.EVENT, name=name, extra=extra, tags=tags,
        starts_at=starts_at, ends_at=ends_at,
    )


def event_material_set(*, event: Post, links: list[dict]) -> Post:
    """Links to slides, notes and the recording, added after the event; followers get an Update."""
    if not event.local or event.type != PostType.EVENT:
        raise EventError(gettext_noop("Material can only be added to this node's events."))
    if len(links) > MAX_MATERIAL_LINKS:
        raise EventError(gettext_noop("An event keeps at most %(limit)d links."), limit=MAX_MATERIAL_LINKS)
    for link in links:
        if not http_url(link.get("url"), max_length=500):
            raise EventError(gettext_noop("A material link must be an http(s) address."))
    material = [{"name": link.get("name", "")[:200], "url": link["url"].strip()} for link in links]
    if material == event.extra.get("material", []):
        return event  # nothing changed: no edit, no Update to the followers
    with transaction.atomic():
        event.extra = {**event.extra, "material": material}
        event.edited_at = timezone.now()
        event.save(update_fields=["extra", "edited_at", "updated_at"])
        activity_publish(actor=event.author, activity=render.update_activity(event), inboxes=post_recipients(event))
    return event


def _event_check(event: Post) -> None:
    if event.type != PostType.EVENT or not event.is_public:
        raise EventError(gettext_noop("This is not an event one can register for."))
    if event.ends_at is not None and event.ends_at < timezone.now():
        raise EventError(gettext_noop("This event is over."))


def event_join(*, actor: Actor, event: Post) -> Participation:
    """A local person registers; a remote organiser hears Join."""
    _event_check(event)
    with transaction.atomic():
        existing = Participation.objects.filter(event=event, actor=actor).first()
        if existing is not None:
            return existing
        participation = Participation.objects.create(event=event, actor=actor, uri=activity_id(actor, "joins"))
        if not event.author.local:
            activity = simple_activity(
                id=participation.uri, type="Join", actor=actor, object=event.uri, to=[event.author.uri]
            )
            activity_publish(actor=actor, activity=activity, inboxes=[event.author.inbox_url])
    return participation


def event_leave(*, actor: Actor, event: Post) -> None:
    """A local person withdraws; a remote organiser hears Leave."""
    with transaction.atomic():
        deleted, _ = Participation.objects.filter(event=event, actor=actor).delete()
        if deleted and not event.author.local:
            activity = simple_activity(
                id=activity_id(actor, "leaves"), type="Leave", actor=actor, object=event.uri,
                to=[event.author.uri],
            )
            activity_publish(actor=actor, activity=activity, inboxes=[event.author.inbox_url])


def participation_arrived(*, actor: Actor, event: Post, uri: str) -> Participation:
    """A remote person's Join of one of our events: register them and answer Accept (Mobilizon waits for it)."""
    _event_check(event)
    with transaction.atomic():
        participation, created = Participation.objects.get_or_create(event=event, actor=actor, defaults={"uri": uri})
        join = {"id": participation.uri, "type": "Join", "actor": actor.uri, "object": event.uri}
        activity = simple_activity(
            id=activity_id(event.author, "accepts"), type="Accept", actor=event.author, object=join,
            to=[actor.uri],
        )
        activity_publish(actor=event.author, activity=activity, inboxes=[actor.inbox_url])
    return participation


def participation_ended(*, actor: Actor, event: Post) -> bool:
    return Participation.objects.filter(event=event, actor=actor).delete()[0] > 0
