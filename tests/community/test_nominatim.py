"""The optional online geocoder, against a fake Nominatim on 127.0.0.1: used only for what the offline geocoder cannot
place, its answer accepted only inside Germany, any failure a clean "set a pin", each address asked once."""

import json
import socket
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.cache import cache
from django.db import transaction
from django.test import Client

from community.models import MemberProfile
from tests.loopback_http import serve_thread
from tests.mapview.helpers import member

# Real commits (not a test transaction): the request is made in a commit hook, at once outside a transaction
pytestmark = pytest.mark.django_db(transaction=True)

# A village the offline table (GeoNames places of 500 people and more) does not know, in Schleswig-Holstein
VILLAGE = {"postal_code": "24996", "city": "Sterupfeld-Ausbau", "street": "Dorfstraße 3"}
HIT = [{"place_id": 1, "lat": "54.7201", "lon": "9.6502", "display_name": "Dorfstraße 3, 24996 Sterup"}]


class FakeNominatim(BaseHTTPRequestHandler):
    def do_GET(self):
        server = self.server
        server.requests.append((self.path, self.headers.get("User-Agent", "")))
        status, content_type, body = server.answer
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def nominatim():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), FakeNominatim)
    httpd.requests, httpd.answer = [], (200, "application/json; charset=utf-8", json.dumps(HIT).encode())
    serve_thread(httpd).start()
    httpd.url = f"http://127.0.0.1:{httpd.server_address[1]}"
    yield httpd
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def geocoder(settings, nominatim):
    """The setting pointed at the fake server, nothing cached."""
    cache.clear()
    settings.FEDINODE_GEOCODER_URL = nominatim.url
    return nominatim


def test_a_known_answer_places_the_member(geocoder):
    profile = member(name="Dorfladen", **VILLAGE)
    assert (profile.latitude, profile.longitude, profile.state) == (54.7201, 9.6502, "SH")
    stored = MemberProfile.objects.get(pk=profile.pk)
    assert (stored.latitude, stored.longitude, stored.state) == (54.7201, 9.6502, "SH")
    [(path, agent)] = geocoder.requests
    url = urlsplit(path)
    assert url.path == "/search"
    assert parse_qs(url.query) == {
        "format": ["jsonv2"], "countrycodes": ["de"], "postalcode": ["24996"], "city": ["Sterupfeld-Ausbau"],
        "street": ["Dorfstraße 3"], "limit": ["1"],
    }
    assert agent.startswith("fediverse-node/") and "http://testserver" in agent  # names the node, not python-requests


def test_each_address_is_asked_once(geocoder):
    member(name="Dorfladen", **VILLAGE)
    second = member(name="Feuerwehrverein", **VILLAGE)
    assert second.latitude == 54.7201 and len(geocoder.requests) == 1


def test_inside_a_transaction_the_request_waits_for_the_commit(geocoder):
    # approving an application creates actor and profile in one transaction: no lock may wait on the network
    with transaction.atomic():
        profile = member(name="Dorfladen", **VILLAGE)
        assert geocoder.requests == [] and not profile.has_position
    assert len(geocoder.requests) == 1 and MemberProfile.objects.get(pk=profile.pk).latitude == 54.7201


def test_what_the_offline_geocoder_places_is_not_sent(geocoder):
    profile = member(name="Kita", postal_code="24103", city="Kiel", street="Holstenstraße 1")
    assert profile.has_position and geocoder.requests == []


def test_an_answer_outside_germany_is_refused(geocoder):
    geocoder.answer = (200, "application/json", json.dumps([{"lat": "48.8566", "lon": "2.3522"}]).encode())
    profile = member(name="Dorfladen", **VILLAGE)
    assert len(geocoder.requests) == 1
    assert not profile.has_position and not MemberProfile.objects.get(pk=profile.pk).has_position


@pytest.mark.parametrize(
    "answer",
    [
        (200, "application/json", b"[]"),  # not found
        (200, "application/json", b"<html>not json"),
        (200, "text/html", b"<html></html>"),
        (200, "application/json", b'{"error": "no"}'),
        (200, "application/json", b'[{"lat": "north", "lon": null}]'),
        (200, "application/json", b'["54.7, 9.6"]'),
        (500, "application/json", b"[]"),
        (200, "application/json", b"[" + b'{"lat": "54.7", "lon": "9.6"},' * 5000 + b"{}]"),  # over the size cap
    ],
)
def test_a_bad_answer_falls_back_to_a_pin(geocoder, answer):
    geocoder.answer = answer
    profile = member(name="Dorfladen", **VILLAGE)
    assert len(geocoder.requests) == 1 and not profile.has_position


def test_server_down_falls_back_quickly_and_the_profile_form_asks_for_a_pin(settings, geocoder):
    with socket.socket() as closed:  # a port nobody listens on
        closed.bind(("127.0.0.1", 0))
        settings.FEDINODE_GEOCODER_URL = f"http://127.0.0.1:{closed.getsockname()[1]}"
    profile = member(name="Dorfladen", postal_code="24103", city="Kiel")
    client = Client()
    client.force_login(profile.actor.user)
    start = time.monotonic()
    page = client.post(f"/members/{profile.actor.username}/edit/", VILLAGE, follow=True)
    assert page.status_code == 200 and time.monotonic() - start < 5
    assert "Wir finden diese Adresse nicht auf der Karte" in page.content.decode()
    assert not MemberProfile.objects.get(pk=profile.pk).has_position


def test_the_profile_form_places_an_address_the_geocoder_knows(geocoder):
    profile = member(name="Dorfladen", postal_code="24103", city="Kiel")
    client = Client()
    client.force_login(profile.actor.user)
    page = client.post(f"/members/{profile.actor.username}/edit/", VILLAGE, follow=True).content.decode()
    assert "Wir finden diese Adresse nicht" not in page
    assert MemberProfile.objects.get(pk=profile.pk).latitude == 54.7201


def test_without_the_setting_nothing_is_asked(settings, geocoder):
    settings.FEDINODE_GEOCODER_URL = ""
    profile = member(name="Dorfladen", **VILLAGE)
    assert not profile.has_position and geocoder.requests == []
