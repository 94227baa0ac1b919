"""Scout groups: a Group actor (FEP-1b12, see posts/services/groups.py) with a topic, a weekly meeting rhythm and
moderators who remove posts and members and, in closed groups, approve who joins."""

import re
from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.html import escape
from django.utils.translation import gettext as _

from actors.models import Actor, ActorType, Follow, FollowState
from actors.services.follow import follow_accept, follow_reject, follow_request
from actors.services.local import actor_create_local, username_check
from fediverse_node.errors import localized
from posts.models import Post
from posts.services.boosts import boost_undo

from ..models import ScoutGroup

WEEKDAY_NAMES = {  # German and English, full and short: what people type for "--meets"
    "montag": 0, "mo": 0, "monday": 0, "mon": 0, "dienstag": 1, "di": 1, "tuesday": 1, "tue": 1,
    "mittwoch": 2, "mi": 2, "wednesday": 2, "wed": 2, "donnerstag": 3, "do": 3, "thursday": 3, "thu": 3,
    "freitag": 4, "fr": 4, "friday": 4, "fri": 4, "samstag": 5, "sa": 5, "saturday": 5, "sat": 5,
    "sonntag": 6, "so": 6, "sunday": 6, "sun": 6,
}
RHYTHM_RE = re.compile(r"^\s*(?:(?:jeden|every)\s+)?([A-Za-zäöü]+?)s?\s*,?\s+(\d{1,2})[:.](\d{2})\s*(?:uhr)?\s*$", re.I)


class GroupError(ValueError):
    """A group setting that makes no sense, or a moderation step that is not allowed (the message says why)."""


def rhythm_parse(text: str) -> tuple[int, time]:
    """'Dienstag 10:00', 'jeden Di 10.00 Uhr', 'tuesdays 10:00' -> (1, 10:00)."""
    match = RHYTHM_RE.match(text or "")
    if not match or match.group(1).lower() not in WEEKDAY_NAMES:
        raise GroupError(_("Den Rhythmus „%(text)s“ verstehe ich nicht: bitte z. B. „Dienstag 10:00“.") % {"text": text})
    hour, minute = int(match.group(2)), int(match.group(3))
    if hour > 23 or minute > 59:
        raise GroupError(_("%(hh)02d:%(mm)02d ist keine Uhrzeit.") % {"hh": hour, "mm": minute})
    return WEEKDAY_NAMES[match.group(1).lower()], time(hour, minute)


def rhythm_check(*, weekday: int | None, at: time | None, minutes: int) -> None:
    if (weekday is None) != (at is None):
        raise GroupError(_("Für ein wöchentliches Treffen braucht es Wochentag und Uhrzeit."))
    if weekday is not None and not 0 <= weekday <= 6:
        raise GroupError(_("Einen Wochentag %(day)s gibt es nicht.") % {"day": weekday})
    if not 15 <= minutes <= 8 * 60:
        raise GroupError(_("Ein Treffen dauert zwischen 15 Minuten und 8 Stunden."))


def group_create(
    *,
    username: str,
    display_name: str = "",
    summary: str = "",
    topic: str = "",
    weekday: int | None = None,
    at: time | None = None,
    minutes: int = 60,
    meeting_link: str = "",
    closed: bool = False,
    moderators: Sequence[Actor] = (),
) -> ScoutGroup:
    """A new scout group; its moderators become its first members."""
    try:
        username_check(username)
    except ValueError as error:
        raise GroupError(localized(error)) from None
    rhythm_check(weekday=weekday, at=at, minutes=minutes)
    if meeting_link and not meeting_link.startswith(("https://", "http://")):
        raise GroupError(_("Der Link zum Treffen muss eine http(s)-Adresse sein."))
    with transaction.atomic():
        actor = actor_create_local(
            username=username, type=ActorType.GROUP, display_name=display_name,
            summary=f"<p>{escape(summary)}</p>" if summary else "", manually_approves_followers=closed,
        )
        group = ScoutGroup.objects.create(
            actor=actor, topic=topic.lstrip("#").lower()[:100], meeting_weekday=weekday, meeting_time=at,
            meeting_minutes=minutes, meeting_link=meeting_link,
        )
        for moderator in moderators:
            group_moderator_add(group=group, moderator=moderator)
    return group


def group_of(actor: Actor) -> ScoutGroup:
    """The scout-group record of a Group actor (made on demand for groups created before they had one)."""
    return ScoutGroup.objects.get_or_create(actor=actor)[0]


def group_moderator_add(*, group: ScoutGroup, moderator: Actor) -> None:
    if not moderator.local or moderator.type == ActorType.GROUP:
        raise GroupError(_("Moderieren können Scouts und Organisationen dieses Servers."))
    group.moderators.add(moderator)
    follow = follow_request(follower=moderator, target=group.actor)
    if follow.state != FollowState.ACCEPTED:
        follow_accept(follow=follow)


def group_may_moderate(*, user, group: ScoutGroup) -> bool:
    actor = getattr(user, "actor", None) if user.is_authenticated else None
    return user.is_authenticated and (user.is_staff or actor is not None and group.moderators.filter(id=actor.id).exists())


def group_room_visible(*, user, group: ScoutGroup) -> bool:
    """Whether this visitor may see the group's video-room link: anyone for an open group; for a closed one only
    its members (accepted followers), its moderators and staff."""
    if not group.actor.manually_approves_followers:
        return True
    if not user.is_authenticated:
        return False
    actor = getattr(user, "actor", None)
    return group_may_moderate(user=user, group=group) or actor is not None and Follow.objects.filter(
        follower=actor, target=group.actor, state=FollowState.ACCEPTED
    ).exists()


def group_post_remove(*, group: ScoutGroup, post: Post) -> None:
    """Withdraw the group's share of a post: members' servers hear Undo(Announce)."""
    boost_undo(actor=group.actor, post=post)


def group_member_remove(*, group: ScoutGroup, member: Actor) -> None:
    """Remove a member (or refuse a request to join); a remote member's server hears Reject(Follow)."""
    follows = Follow.objects.live().filter(follower=member, target=group.actor)
    follow = follows.select_related("follower", "target").first()
    if follow is None:
        raise GroupError(_("Dieses Konto ist kein Mitglied der Gruppe."))
    group.moderators.remove(member)
    follow_reject(follow=follow)


def group_member_approve(*, group: ScoutGroup, member: Actor) -> None:
    follow = Follow.objects.filter(follower=member, target=group.actor, state=FollowState.PENDING).first()
    if follow is None:
        raise GroupError(_("Dieses Konto hat nicht um Aufnahme gebeten."))
    follow_accept(follow=follow)


def group_occurrences(*, group: ScoutGroup, after: datetime | None = None, count: int = 4) -> list[tuple[datetime, datetime]]:
    """The next weekly meetings as (start, end) in the node's time zone: 10:00 stays 10:00 across a change of
    daylight-saving time, so each date is combined with the wall-clock time, never by adding 7 × 24 hours."""
    if group.meeting_weekday is None or group.meeting_time is None:  # group.meets_weekly, spelt out for mypy
        return []
    zone = ZoneInfo(settings.TIME_ZONE)
    now = (after or timezone.now()).astimezone(zone)
    day: date = now.date() + timedelta(days=(group.meeting_weekday - now.weekday()) % 7)
    occurrences: list[tuple[datetime, datetime]] = []
    while len(occurrences) < count:
        start = datetime.combine(day, group.meeting_time, tzinfo=zone)
        end = start + timedelta(minutes=group.meeting_minutes)
        if end > now:
            occurrences.append((start, end))
        day += timedelta(days=7)
    return occurrences
