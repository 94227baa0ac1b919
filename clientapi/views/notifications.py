"""Notifications (with type filters, dismiss, clear, unread count) and read markers."""

from django.http import HttpRequest

from actors.models import Block, Mute
from posts.models import Notification
from posts.selectors import conversation_muted_ids

from ..entities.common import timestamp
from ..entities.relations import notification_entities
from ..http import USER, ApiError, endpoint, not_found
from ..models import Marker
from ..paging import paged_answer

READ, WRITE = "read:notifications", "write:notifications"
TIMELINES = ("home", "notifications")


def _notifications(caller, params):
    queryset = Notification.objects.filter(recipient=caller.actor, dismissed=False, from_actor__suspended=False)
    types = [str(t) for t in params.list("types")]
    if types:
        queryset = queryset.filter(type__in=types)
    excluded = [str(t) for t in params.list("exclude_types")]
    if excluded:
        queryset = queryset.exclude(type__in=excluded)
    if params.str("account_id").isdigit():
        queryset = queryset.filter(from_actor_id=params.str("account_id"))
    muted = Mute.objects.filter(actor=caller.actor, notifications=True).values("target_id")
    blocked = Block.objects.filter(actor=caller.actor).values("target_id")  # also those from before the block
    queryset = queryset.exclude(from_actor_id__in=muted).exclude(from_actor_id__in=blocked)
    threads = conversation_muted_ids(actor=caller.actor)
    return queryset.exclude(post_id__in=threads) if threads else queryset


def _with_relations(queryset):
    return queryset.select_related("from_actor")


@endpoint(auth=USER, scope=READ)
def notifications(request: HttpRequest, caller, params):
    queryset = _with_relations(_notifications(caller, params))
    return paged_answer(
        request, params, queryset, lambda rows: notification_entities(rows, caller.actor), maximum=80
    )


@endpoint(auth=USER, scope=READ)
def notification_get(request: HttpRequest, caller, params, id: str) -> dict:
    rows = list(_with_relations(Notification.objects.filter(recipient=caller.actor, id=id if id.isdigit() else 0)))
    entities = notification_entities(rows, caller.actor)
    if not entities:
        raise not_found()
    return entities[0]


@endpoint(auth=USER, scope=WRITE)
def notification_dismiss(request: HttpRequest, caller, params, id: str) -> dict:
    if not id.isdigit() or not Notification.objects.filter(recipient=caller.actor, id=id).update(dismissed=True):
        raise not_found()
    return {}


@endpoint(auth=USER, scope=WRITE)
def notifications_clear(request: HttpRequest, caller, params) -> dict:
    Notification.objects.filter(recipient=caller.actor).update(dismissed=True)
    return {}


@endpoint(auth=USER, scope=READ)
def unread_count(request: HttpRequest, caller, params) -> dict:
    queryset = _notifications(caller, params)
    marker = Marker.objects.filter(actor=caller.actor, timeline="notifications").first()
    if marker is not None and marker.last_read_id.isdigit():
        queryset = queryset.filter(id__gt=int(marker.last_read_id))
    limit = max(1, min(params.int("limit", 100) or 100, 1000))
    return {"count": queryset[:limit].count()}


def _marker_entity(marker: Marker) -> dict:
    return {"last_read_id": marker.last_read_id, "version": marker.version, "updated_at": timestamp(marker.updated_at)}


@endpoint(auth=USER, scope="read:statuses")
def markers_get(request: HttpRequest, caller, params) -> dict:
    wanted = [str(t) for t in params.list("timeline")] or list(TIMELINES)
    return {m.timeline: _marker_entity(m) for m in Marker.objects.filter(actor=caller.actor, timeline__in=wanted)}


@endpoint(auth=USER, scope="write:statuses")
def markers_save(request: HttpRequest, caller, params) -> dict:
    result = {}
    for timeline in TIMELINES:
        value = params.raw(timeline)
        last_read_id = value.get("last_read_id") if isinstance(value, dict) else params.raw(f"{timeline}[last_read_id]")
        if last_read_id is None:
            continue
        if not str(last_read_id).isdigit():
            raise ApiError(422, f"Validation failed: {timeline}[last_read_id] must be a status or notification id")
        marker, created = Marker.objects.get_or_create(
            actor=caller.actor, timeline=timeline, defaults={"last_read_id": str(last_read_id)}
        )
        if not created:
            marker.last_read_id, marker.version = str(last_read_id), marker.version + 1
            marker.save()
        result[timeline] = _marker_entity(marker)
    return result
