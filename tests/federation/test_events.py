"""An event made on one node's website reaches a follower on a second node as an ActivityStreams `Event`; the
follower registers on its own node's website, which sends `Join`; the organiser's node shows them registered."""

import requests
from icalendar import Calendar

from tests.nodes import wait_until
from tests.website_session import website_login


def test_an_event_federates_and_a_join_from_the_other_node_registers(start_node):
    node_a, node_b = start_node("a"), start_node("b")
    node_a.cli("createorg", "traeger", "--email", "t@example.org", "--password", "traeger-pass-1")
    node_a.cli("createscout", "scout_lea", "--org", "traeger", "--email", "l@example.org",
               "--password", "scout-lea-pass", "--topics", "ki webinare")
    node_b.cli("createorg", "besucher", "--email", "b@example.org", "--password", "besucher-pass-1")
    node_b.cli("follow", "besucher", node_a.actor_url("scout_lea"))
    wait_until(lambda: node_b.actor_url("besucher") in node_a.get_json(
        f"{node_a.actor_url('scout_lea')}/followers?page=1")["orderedItems"], message="the follow")

    scout = website_login(node_a.base, username="scout_lea", password="scout-lea-pass")
    response = scout.submit("/events/new/", {
        "title": "Webinar: KI im Beratungsalltag", "description": "Wie wir KI sicher nutzen.",
        "starts_at": "2030-03-26T10:00", "ends_at": "2030-03-26T11:30", "online_url": "https://meet.example/ki",
        "tags": "ki",
    })
    assert response.status_code == 302, response.text[:500]
    event_id = int(response.headers["Location"].strip("/").rsplit("/", 1)[-1])
    event_uri = node_a.query(f"from posts.models import Post\nprint(json.dumps(Post.objects.get(id={event_id}).uri))")

    remote = wait_until(lambda: node_b.query(
        "from posts.models import Post\n"
        f"p = Post.objects.filter(uri={event_uri!r}).first()\n"
        "print(json.dumps(p and [p.id, p.type, p.name, p.starts_at.isoformat(), p.extra.get('location', {}).get('url')]))"
    ), message="the Event at B")
    remote_id, kind, name, starts, link = remote
    assert (kind, name, link) == ("Event", "Webinar: KI im Beratungsalltag", "https://meet.example/ki")
    assert starts == "2030-03-26T09:00:00+00:00"

    visitor = website_login(node_b.base, username="besucher", password="besucher-pass-1")
    page = visitor.get(f"/events/{remote_id}/").text
    assert "Webinar: KI im Beratungsalltag" in page and "Anmelden" in page
    assert visitor.submit(f"/events/{remote_id}/register", {}, form_page=f"/events/{remote_id}/").status_code == 302
    handle = f"@besucher@{node_b.domain}"
    tries = iter(range(1000))
    wait_until(lambda: handle in requests.get(f"{node_a.base}/events/{event_id}/?t={next(tries)}", timeout=10).text,
               message="the remote person registered on A's event page")
    ics = Calendar.from_ical(requests.get(f"{node_a.base}/events/{event_id}.ics", timeout=10).content)
    [vevent] = ics.walk("VEVENT")
    assert vevent.decoded("DTSTART").hour == 10 and str(vevent["UID"]) == event_uri

    # withdrawing sends Leave
    visitor.submit(f"/events/{remote_id}/register", {"action": "leave"}, form_page=f"/events/{remote_id}/")
    wait_until(lambda: handle not in requests.get(f"{node_a.base}/events/{event_id}/?t={next(tries)}", timeout=10).text,
               message="the registration withdrawn at A")
