"""The Online-Scouts in a real browser (Debian chromium via Playwright) on a node with its demo data: a visitor finds
a scout by topic, opens the scout's group, logs in, registers for the group's webinar and downloads its .ics."""

import re
from datetime import timedelta

from icalendar import Calendar

from tests.browser.test_site import go, shot


def test_find_a_scout_open_a_group_register_and_download_the_ics(start_node, browser_page):
    node = start_node("scouts", demo=True)
    node.cli("createorg", "besucherin", "--email", "b@example.org", "--password", "besucherin-pass-1")
    page = browser_page
    page.goto(f"{node.base}/scouts/")
    page.fill("#topic", "datenschutz")
    go(page, "form[role=search] button[type=submit]")
    found = page.locator(".scouts li.scout h2").all_inner_texts()
    assert sorted(found) == ["Jonas Weber", "Lea Brandt"]
    assert "2 Scouts gefunden" in page.locator("[role=status]").inner_text()
    shot(page, "scouts-by-topic")

    go(page, "text=Lea Brandt")
    assert "#ki" in page.locator("dd.tags").inner_text()
    go(page, "text=Online-Scouts: KI im Alltag")
    assert "Dienstags um 10:00 Uhr" in page.locator("dd.rhythm").inner_text()
    assert page.locator("li.meeting").count() == 4  # the weekly rhythm, expanded into dated meetings
    shot(page, "scout-group")

    go(page, "text=Webinar: KI im Beratungsalltag")
    go(page, "text=Einloggen")
    page.fill("#id_username", "besucherin")
    page.fill("#id_password", "besucherin-pass-1")
    go(page, "button[type=submit]")
    page.wait_for_url(re.compile(r"/events/\d+/$"))
    go(page, "button:text('Anmelden')")
    assert "Sie sind angemeldet." in page.locator(".messages").inner_text()
    assert f"@besucherin@{node.domain}" in page.locator("ul.members").inner_text()
    shot(page, "event-registered")

    with page.expect_download() as download_info:
        page.click("text=In den Kalender (.ics)")
    calendar = Calendar.from_ical(open(download_info.value.path(), "rb").read())
    [event] = calendar.walk("VEVENT")
    start, end = event.decoded("DTSTART"), event.decoded("DTEND")
    assert str(event["SUMMARY"]) == "Webinar: KI im Beratungsalltag"
    assert str(start.tzinfo) == "Europe/Berlin" and (start.hour, start.minute) == (10, 0)
    assert end - start == timedelta(hours=1)
