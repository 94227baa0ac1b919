"""A member sets its pin by hand: asked to when its address is not found, refused outside Germany, and in a real
browser by clicking on the map."""

import re

import pytest
from django.test import Client

from actors.services.local import organization_create
from community.services.profiles import profile_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def member():
    actor = organization_create(username="verein", email="v@example.org", password="verein-pass-1")
    profile_create(actor=actor, city="Kiel", state="SH", postal_code="24103")
    return actor


def test_unknown_address_asks_for_a_pin_and_the_pin_is_kept(member):
    client = Client()
    client.force_login(member.user)
    page = client.post("/members/verein/edit/", {"postal_code": "24103", "city": "Nirgendwo-am-See", "state": "SH"},
                       follow=True).content.decode()
    assert "Wir finden diese Adresse nicht auf der Karte" in page and 'href="/members/verein/pin/"' in page
    refused = client.post("/members/verein/pin/", {"latitude": "48.85", "longitude": "2.35"})  # Paris
    assert refused.status_code == 400 and "nicht in Deutschland" in refused.content.decode()
    assert 'value="48.85"' in refused.content.decode()  # what was typed stays
    assert client.post("/members/verein/pin/", {"latitude": "54,3233", "longitude": "10.1228"}).status_code == 302
    member.member_profile.refresh_from_db()
    profile = member.member_profile
    assert profile.position_manual and (round(profile.latitude, 4), round(profile.longitude, 4)) == (54.3233, 10.1228)
    client.post("/members/verein/edit/", {"postal_code": "80331", "city": "München", "state": "BY"})
    profile.refresh_from_db()
    assert round(profile.latitude, 4) == 54.3233  # a hand-set pin survives an address change


def test_only_the_member_or_staff_set_the_pin(member):
    other = organization_create(username="andere", email="a@example.org", password="andere-pass-1")
    stranger = Client()
    stranger.force_login(other.user)
    assert stranger.post("/members/verein/pin/", {"latitude": "52.5", "longitude": "13.4"}).status_code == 403
    assert Client().get("/members/verein/pin/").status_code == 302


def test_pin_by_clicking_on_the_map(start_node, browser_page):
    node = start_node("pin")
    # createorg makes the member profile: a town the offline geocoder cannot place, so the pin is set by hand
    node.cli("createorg", "verein", "--email", "v@example.org", "--password", "verein-pass-1",
             "--city", "Nirgendwo", "--state", "BE")
    page = browser_page
    page.goto(f"{node.base}/auth/login/?next=/members/verein/pin/")
    page.fill("#id_username", "verein")
    page.fill("#id_password", "verein-pass-1")
    with page.expect_navigation():
        page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"/members/verein/pin/$"))
    page.wait_for_selector(".member-map path")  # the offline outlines are drawn
    box = page.locator(".member-map").bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    latitude, longitude = float(page.input_value("#id_latitude")), float(page.input_value("#id_longitude"))
    assert 47 < latitude < 56 and 5 < longitude < 16
    with page.expect_navigation():
        page.click("text=Stecknadel speichern")
    stored = node.query("from community.models import MemberProfile\n"
                        "p = MemberProfile.objects.get(actor__username='verein')\n"
                        "print(json.dumps([p.position_manual, p.latitude, p.longitude]))")
    assert stored[0] is True and abs(stored[1] - latitude) < 1e-4 and abs(stored[2] - longitude) < 1e-4
