"""Events and scout groups: times and rhythms that make no sense are refused, weekly meetings keep their wall-clock
time across daylight-saving changes, the .ics export says so to a standard parser, Join/Leave from other servers
register people, and moderators moderate."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from dateutil.rrule import rrulestr
from django.test import Client
from django.utils import timezone
from icalendar import Calendar

from actors.models import Follow, FollowState
from actors.services.local import organization_create
from community.services.scout_groups import GroupError, group_create, group_occurrences, rhythm_parse
from fediverse_node.protocol.vocab import Activity
from inbox.handlers import Unprocessable, handle_join, handle_leave, handle_undo
from outbox.models import Delivery
from posts.models import Participation, Post, PostType
from posts.services.events import EventError, event_create
from posts.services.publishing import post_create
from tests.factories import accepted_follow, remote_actor

pytestmark = pytest.mark.django_db
BERLIN = ZoneInfo("Europe/Berlin")


@pytest.fixture
def org():
    return organization_create(username="awo_y", email="y@example.org", password="org-pass-123", display_name="AWO Y")


def _event(author, start: datetime, minutes: int = 60, **kwargs) -> Post:
    return event_create(author=author, name=kwargs.pop("name", "Webinar"), text="Worum es geht",
                        starts_at=start, ends_at=start + timedelta(minutes=minutes), **kwargs)


@pytest.mark.parametrize("text, expected", [
    ("Dienstag 10:00", (1, time(10, 0))), ("jeden Di 10.00 Uhr", (1, time(10, 0))),
    ("tuesdays 9:30", (1, time(9, 30))), ("Freitag, 14:15", (4, time(14, 15))),
])
def test_meeting_rhythms_people_type(text, expected):
    assert rhythm_parse(text) == expected


@pytest.mark.parametrize("text", ["Dienstag 25:00", "Blursday 10:00", "jeden Tag", "10:00", "Montag 10:61", ""])
def test_a_rhythm_that_makes_no_sense_is_refused_and_no_group_is_made(text):
    with pytest.raises(GroupError):
        rhythm_parse(text)


def test_group_settings_that_make_no_sense_store_nothing():
    from actors.models import Actor

    for kwargs in ({"weekday": 7, "at": time(10)}, {"weekday": 1, "at": None}, {"weekday": 1, "at": time(10), "minutes": 0},
                   {"weekday": 1, "at": time(10), "meeting_link": "javascript:alert(1)"}):
        with pytest.raises(GroupError):
            group_create(username="scouts_x", **kwargs)
    assert not Actor.objects.filter(username="scouts_x").exists()


def test_weekly_meetings_keep_their_wall_clock_time_across_the_change_to_winter_time():
    group = group_create(username="scouts_dst", weekday=1, at=time(10, 0), minutes=90)
    after = datetime(2026, 10, 19, 12, 0, tzinfo=BERLIN)  # summer time ends on Sunday 25 October 2026
    meetings = group_occurrences(group=group, after=after, count=3)
    assert [m[0].date().isoformat() for m in meetings] == ["2026-10-20", "2026-10-27", "2026-11-03"]
    assert all(m[0].astimezone(BERLIN).time() == time(10, 0) for m in meetings)
    assert [m[0].astimezone(ZoneInfo("UTC")).hour for m in meetings] == [8, 9, 9]
    assert meetings[0][1] - meetings[0][0] == timedelta(minutes=90)


def test_event_ics_and_group_ics_open_in_icalendar_with_berlin_times_across_dst(org):
    event = _event(org, datetime(2026, 10, 24, 18, 0, tzinfo=BERLIN), minutes=30, name="Vor der Umstellung")
    after = _event(org, datetime(2026, 10, 26, 18, 0, tzinfo=BERLIN), minutes=30, name="Nach der Umstellung")
    client = Client()
    response = client.get(f"/events/{event.id}.ics")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/calendar")
    calendar = Calendar.from_ical(response.content)
    [vevent] = calendar.walk("VEVENT")
    assert str(vevent["SUMMARY"]) == "Vor der Umstellung" and str(vevent["UID"]) == event.uri
    start = vevent.decoded("DTSTART")
    assert str(start.tzinfo) == "Europe/Berlin" and start.hour == 18 and start.utcoffset() == timedelta(hours=2)
    assert calendar.walk("VTIMEZONE")  # the zone travels with the file
    all_events = {str(e["SUMMARY"]): e.decoded("DTSTART") for e in Calendar.from_ical(client.get("/events.ics").content).walk("VEVENT")}
    assert all_events["Nach der Umstellung"].hour == 18 and all_events["Nach der Umstellung"].utcoffset() == timedelta(hours=1)
    assert after.starts_at == datetime(2026, 10, 26, 17, 0, tzinfo=ZoneInfo("UTC"))

    group = group_create(username="scouts_ics", display_name="Scouts ICS", weekday=1, at=time(10, 0))
    group.created_at = datetime(2026, 10, 12, 9, 0, tzinfo=BERLIN)
    group.save()
    weekly = next(e for e in Calendar.from_ical(client.get("/groups/scouts_ics/calendar.ics").content).walk("VEVENT")
                  if str(e["UID"]).endswith("#weekly"))
    first = weekly.decoded("DTSTART")
    rule = rrulestr(weekly["RRULE"].to_ical().decode(), dtstart=first)
    tuesdays = rule.between(datetime(2026, 10, 19, tzinfo=BERLIN), datetime(2026, 11, 1, tzinfo=BERLIN))
    assert [(d.date().isoformat(), d.hour, d.utcoffset()) for d in tuesdays] == [
        ("2026-10-20", 10, timedelta(hours=2)), ("2026-10-27", 10, timedelta(hours=1))]


def test_an_event_that_ends_before_it_starts_is_refused_and_nothing_is_stored(org):
    start = timezone.now() + timedelta(days=3)
    with pytest.raises(EventError):
        event_create(author=org, name="Falsch", text="x", starts_at=start, ends_at=start - timedelta(hours=1))
    client = Client()
    client.login(username="awo_y", password="org-pass-123")
    response = client.post("/events/new/", {
        "title": "Falsch herum", "description": "x", "starts_at": "2030-05-01T10:00", "ends_at": "2030-05-01T09:00",
    })
    assert response.status_code == 400 and "Das Ende muss nach dem Beginn liegen." in response.content.decode()
    assert not Post.objects.filter(type=PostType.EVENT).exists()


def test_an_event_made_on_the_website_is_an_activitystreams_event_for_the_group(org):
    group = group_create(username="scouts_web", topic="ki", moderators=[org])
    follower = remote_actor(host="peer.example")
    accepted_follow(follower=follower, target=org)
    client = Client()
    client.login(username="awo_y", password="org-pass-123")
    response = client.post("/events/new/", {
        "title": "KI im Alltag", "description": "Ein Webinar", "starts_at": "2030-03-26T10:00",
        "ends_at": "2030-03-26T11:30", "online_url": "https://meet.example/ki", "tags": "KI", "group": "scouts_web",
    })
    assert response.status_code == 302
    event = Post.objects.get(type=PostType.EVENT)
    document = Client().get(event.uri.split("localhost:8000", 1)[-1], HTTP_ACCEPT="application/activity+json").json()
    assert document["type"] == "Event" and document["name"] == "KI im Alltag"
    assert document["startTime"] == "2030-03-26T09:00:00Z" and document["endTime"] == "2030-03-26T10:30:00Z"
    assert document["timezone"] == "Europe/Berlin" and document["location"]["url"] == "https://meet.example/ki"
    assert document["audience"] == group.actor.uri and group.actor.uri in document["cc"]
    assert Post.objects.filter(author=group.actor, boost_of=event).exists()  # the group shares it with its members
    assert Delivery.objects.filter(inbox_url=follower.delivery_inbox).exists()


def test_join_and_leave_from_another_server_register_and_withdraw(org):
    event = _event(org, timezone.now() + timedelta(days=1))
    person = remote_actor(host="mobilizon.example")
    join = {"id": "https://mobilizon.example/join/1", "type": "Join", "actor": person.uri, "object": event.uri}
    assert handle_join(Activity.parse(join), person) == "processed"
    assert Participation.objects.filter(event=event, actor=person).exists()
    accept = Delivery.objects.filter(inbox_url=person.inbox_url).select_related("activity").get()
    assert accept.activity.type == "Accept"
    assert handle_join(Activity.parse(join), person) == "processed" and Participation.objects.count() == 1  # a repeat is harmless
    assert handle_leave(Activity.parse({"id": "https://mobilizon.example/leave/1", "type": "Leave",
                                        "actor": person.uri, "object": event.uri}), person) == "processed"
    assert not Participation.objects.exists()
    handle_join(Activity.parse(join), person)
    assert handle_undo(Activity.parse({"id": "https://mobilizon.example/undo/1", "type": "Undo", "actor": person.uri,
                                       "object": join}), person) == "processed"
    assert not Participation.objects.exists()


def test_a_join_for_an_unknown_or_past_event_is_refused_and_nothing_is_stored(org):
    person = remote_actor(host="mobilizon.example")
    note = post_create(author=org, text="Kein Termin")
    past = _event(org, timezone.now() - timedelta(days=2))
    for target, reason in ((f"{org.uri}/posts/999", "no event"), (note.uri, "no event"), (past.uri, "over")):
        with pytest.raises(Unprocessable) as refused:
            handle_join(Activity.parse({"id": f"https://mobilizon.example/join/{reason.replace(' ', '-')}", "type": "Join",
                                        "actor": person.uri, "object": target}), person)
        assert "event" in str(refused.value)
    assert not Participation.objects.exists()
    assert Client().post("/events/424242/register").status_code in (302, 404)  # anonymous: to the log-in first
    client = Client()
    client.login(username="awo_y", password="org-pass-123")
    assert client.post("/events/424242/register").status_code == 404
    assert client.post(f"/events/{past.id}/register").status_code == 302 and not Participation.objects.exists()


def test_a_local_person_registers_on_the_website_and_a_remote_event_hears_join(org):
    organiser = remote_actor(host="events.example")
    remote_event = Post.objects.create(
        uri=f"{organiser.uri}/events/1", author=organiser, type=PostType.EVENT, name="Fremdes Webinar",
        published=timezone.now(), starts_at=timezone.now() + timedelta(days=1),
        ends_at=timezone.now() + timedelta(days=1, hours=1),
    )
    client = Client()
    client.login(username="awo_y", password="org-pass-123")
    assert client.post(f"/events/{remote_event.id}/register").status_code == 302
    assert Participation.objects.filter(event=remote_event, actor=org).exists()
    join = Delivery.objects.filter(inbox_url=organiser.inbox_url).select_related("activity").get()
    assert join.activity.type == "Join"
    page = client.get(f"/events/{remote_event.id}/").content.decode()
    assert "Sie sind angemeldet." in page and "@awo_y@" in page
    client.post(f"/events/{remote_event.id}/register", {"action": "leave"})
    assert not Participation.objects.exists()
    assert Delivery.objects.filter(inbox_url=organiser.inbox_url, activity__type="Leave").exists()


def test_moderators_remove_posts_and_members_and_approve_requests(org):
    from community.models import ScoutGroup

    group = group_create(username="scouts_mod", closed=True, moderators=[org])
    member = remote_actor(host="peer.example")
    accepted_follow(follower=member, target=group.actor)
    asking = remote_actor(host="peer.example")
    Follow.objects.create(follower=asking, target=group.actor, uri=f"{asking.uri}#f", state=FollowState.PENDING)
    shared = post_create(author=org, text=f"Für alle @scouts_mod@{org.domain}")
    assert Post.objects.filter(author=group.actor, boost_of=shared).exists()

    outsider = organization_create(username="fremd", email="f@e.org", password="fremd-pass-1")
    stranger = Client()
    stranger.login(username="fremd", password="fremd-pass-1")
    assert stranger.post("/groups/scouts_mod/moderate", {"action": "remove_post", "post": shared.id}).status_code == 403
    assert outsider and Post.objects.filter(author=group.actor, boost_of=shared).exists()

    client = Client()
    client.login(username="awo_y", password="org-pass-123")
    page = client.get("/groups/scouts_mod/").content.decode()
    assert f"@{asking.handle}" in page and "Aufnehmen" in page
    client.post("/groups/scouts_mod/moderate", {"action": "approve", "member": asking.id})
    assert Follow.objects.get(follower=asking).state == FollowState.ACCEPTED
    client.post("/groups/scouts_mod/moderate", {"action": "remove_member", "member": member.id})
    assert not Follow.objects.filter(follower=member).exists()
    assert Delivery.objects.filter(inbox_url=member.inbox_url, activity__type="Reject").exists()
    client.post("/groups/scouts_mod/moderate", {"action": "remove_post", "post": shared.id})
    assert not Post.objects.filter(author=group.actor, boost_of=shared).exists()
    assert Delivery.objects.filter(activity__type="Undo", activity__actor=group.actor).exists()
    response = client.post("/groups/scouts_mod/moderate", {"action": "remove_post", "post": "x"}, follow=True)
    assert "nicht geteilt" in response.content.decode()
    assert ScoutGroup.objects.get().moderators.get() == org


def test_an_event_calendar_description_is_readable_text_with_its_paragraphs(org):
    event = _event(org, datetime(2026, 11, 5, 10, 0, tzinfo=BERLIN), name="Kaffee & Kuchen")
    event.content = "<p>Kaffee &amp; Kuchen für alle</p><p>Zweiter Absatz<br>mit Zeile</p>"
    event.save()
    [vevent] = Calendar.from_ical(Client().get(f"/events/{event.id}.ics").content).walk("VEVENT")
    assert str(vevent["DESCRIPTION"]) == "Kaffee & Kuchen für alle\n\nZweiter Absatz\nmit Zeile"
    assert str(vevent["SUMMARY"]) == "Kaffee & Kuchen"


def test_upcoming_and_past_events_are_read_by_start_not_from_every_public_post():
    """The home page's three upcoming events: on SQLite the planner took the visibility index and sorted every public
    post (its cost grew with each post received); the events' own index also gives the order."""
    from django.db import connection

    from community.pool import events_past, events_upcoming

    index = "posts_post_type_starts"
    with connection.cursor() as cursor:
        assert index in connection.introspection.get_constraints(cursor, Post._meta.db_table)
        for events in (events_upcoming()[:3], events_past()[:3]):
            sql, params = events.query.sql_with_params()
            if connection.vendor == "sqlite":  # PostgreSQL plans by its statistics, which an empty table lacks
                cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
                plan = " | ".join(row[3] for row in cursor.fetchall())
                assert f"posts_post USING INDEX {index}" in plan and "TEMP B-TREE" not in plan, plan
