"""iCalendar (RFC 5545) export of events and of scout groups' weekly meetings, built with PyPI `icalendar`.
Times are written in the node's zone (Europe/Berlin) with its VTIMEZONE, so calendars keep 10:00 at 10:00 across a
daylight-saving change; a weekly meeting is one VEVENT with an RRULE, which every calendar expands itself."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from icalendar import Calendar, Event, vRecur

from fediverse_node.protocol.links import http_url
from posts.models import Post
from posts.text import plain_text

from .models import ScoutGroup

RRULE_DAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]


def _calendar(name: str) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", f"-//{settings.FEDINODE_NAME}//fediverse-node//DE")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", settings.TIME_ZONE)
    return calendar


def _local(moment: datetime) -> datetime:
    return moment.astimezone(ZoneInfo(settings.TIME_ZONE))


def _event_component(post: Post) -> Event:
    event = Event()
    event.add("uid", post.uri)
    event.add("dtstamp", post.edited_at or post.published)
    assert post.starts_at is not None  # calendar_bytes() passes dated events only
    event.add("dtstart", _local(post.starts_at))
    if post.ends_at:
        event.add("dtend", _local(post.ends_at))
    description = plain_text(post.content)
    event.add("summary", post.name or description[:80])
    for item in post.extra.get("material", []):
        description += f"\n{item.get('name') or ''} {http_url(item.get('url'))}".rstrip()
    description = description.strip()
    event.add("description", description)
    location = post.extra.get("location") or {}
    place_url = http_url(location.get("url"))
    if location.get("name") or place_url:
        event.add("location", " ".join(filter(None, [location.get("name"), place_url])))
    event.add("url", http_url(post.url) or post.uri)
    event.add("organizer", post.author.uri, parameters={"cn": post.author.display_name or post.author.username})
    return event


def _meeting_component(group: ScoutGroup, *, room_link: bool) -> Event:
    assert group.meeting_weekday is not None and group.meeting_time is not None  # it meets_weekly
    actor = group.actor
    first = _local(group.created_at).date()
    first += timedelta(days=(group.meeting_weekday - first.weekday()) % 7)  # the first meeting after creation
    start = datetime.combine(first, group.meeting_time, tzinfo=ZoneInfo(settings.TIME_ZONE))
    event = Event()
    event.add("uid", f"{actor.uri}#weekly")
    event.add("dtstamp", group.created_at)
    event.add("dtstart", start)
    event.add("duration", timedelta(minutes=group.meeting_minutes))
    event.add("rrule", vRecur(freq="WEEKLY", byday=RRULE_DAYS[group.meeting_weekday]))
    event.add("summary", actor.display_name or actor.username)
    if room_link and http_url(group.meeting_link):
        event.add("location", group.meeting_link)
    event.add("url", http_url(actor.url) or actor.uri)
    return event


def calendar_bytes(*, name: str, events=(), groups=(), room_links: bool = False) -> bytes:
    """One .ics file with the given events and the weekly meetings of the given groups (with their video-room links
    only when the caller says the reader may see them)."""
    calendar = _calendar(name)
    for post in events:
        if post.starts_at:
            calendar.add_component(_event_component(post))
    for group in groups:
        if group.meets_weekly:
            calendar.add_component(_meeting_component(group, room_link=room_links))
    calendar.add_missing_timezones()
    return calendar.to_ical()
