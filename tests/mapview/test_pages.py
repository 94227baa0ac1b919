import pytest
from django.core.cache import cache
from django.test import override_settings

from tests.mapview.helpers import member

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def members():
    cache.clear()
    return [
        member(name="Kita Sonnenschein", postal_code="10115", city="Berlin", fields=["kinder-jugend"]),
        member(name="Pflegedienst Nord", postal_code="20095", city="Hamburg", fields=["alter-pflege"]),
    ]


def test_map_page_lists_members_by_state_without_javascript(client):
    html = client.get("/map/").content.decode()
    assert "/static/leaflet/leaflet.js" in html and "unpkg" not in html and "cdn" not in html.lower()
    assert "<h3>Berlin (1)</h3>" in html and "<h3>Hamburg (1)</h3>" in html
    assert "Kita Sonnenschein" in html and 'data-tiles=""' in html


def test_map_page_filters_server_side(client):
    html = client.get("/map/?field=alter-pflege").content.decode()
    assert "Pflegedienst Nord" in html and "Kita Sonnenschein" not in html


@override_settings(FEDINODE_MAP_TILES="https://tiles.example/{z}/{x}/{y}.png", FEDINODE_MAP_ATTRIBUTION="© Tiles")
def test_tile_setting_reaches_the_page(client):
    html = client.get("/map/").content.decode()
    assert 'data-tiles="https://tiles.example/{z}/{x}/{y}.png"' in html and "© Tiles" in html


def test_nav_link_and_small_maps(client, members):
    directory = client.get("/members/?state=BE").content.decode()
    assert 'href="/map/"' in directory and "member-map--directory" in directory
    profile = client.get(f"/members/{members[0].actor.username}/").content.decode()
    assert "member-map--profile" in profile and 'data-lat="52.' in profile


def test_static_files_are_served(client):
    for path in ("/static/leaflet/leaflet.js", "/static/leaflet-markercluster/leaflet.markercluster.js",
                 "/static/mapview/bundeslaender.geojson", "/static/mapview/map.js"):
        response = client.get(path)
        assert response.status_code == 200, path
