import pytest
from django.core.cache import cache

from community.models import MemberProfile
from tests.mapview.helpers import member

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def members():
    cache.clear()
    member(name="Kita Sonnenschein", postal_code="10115", city="Berlin", fields=["kinder-jugend"])
    member(name="Pflegedienst Nord", postal_code="20095", city="Hamburg", fields=["alter-pflege"])
    member(name="Jugendhaus Süd", postal_code="80331", city="München", fields=["kinder-jugend", "bildung"])
    member(name="Beratung Leipzig", postal_code="04109", city="Leipzig", fields=["migration"])
    member(name="Versteckt e.V.", postal_code="01067", city="Dresden", location_public=False)
    member(name="Ohne Ort", postal_code="", city="")


def names(client, query=""):
    response = client.get(f"/map.geojson{query}")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/geo+json"
    return sorted(f["properties"]["name"] for f in response.json()["features"])


def test_listed_members_with_a_public_position(client):
    assert names(client) == ["Beratung Leipzig", "Jugendhaus Süd", "Kita Sonnenschein", "Pflegedienst Nord"]


def test_feature_shape(client):
    feature = next(
        f for f in client.get("/map.geojson").json()["features"] if f["properties"]["name"] == "Kita Sonnenschein"
    )
    lon, lat = feature["geometry"]["coordinates"]
    assert 52.3 < lat < 52.7 and 13.1 < lon < 13.7
    assert feature["properties"]["url"].startswith("/members/org")
    assert feature["properties"]["fields"] == ["Kinder- und Jugendhilfe"]
    assert feature["properties"]["state"] == "BE"


@pytest.mark.parametrize(
    ("query", "count"),
    [("?field=kinder-jugend", 2), ("?state=SN", 1), ("?city=hamburg", 1), ("?q=jugendhaus", 1), ("?field=sucht", 0),
     ("?field=nonsense", 4)],
)
def test_filters_change_the_feature_count(client, query, count):
    assert len(names(client, query)) == count


def test_state_counts(client):
    counts = client.get("/map.geojson?field=kinder-jugend").json()["stateCounts"]
    assert counts["BE"] == counts["BY"] == 1 and counts["HH"] == 0


def test_etag_and_not_modified(client):
    first = client.get("/map.geojson")
    again = client.get("/map.geojson", headers={"If-None-Match": first["ETag"]})
    assert again.status_code == 304


def test_cache_follows_profile_changes(client, django_assert_max_num_queries):
    client.get("/map.geojson")
    with django_assert_max_num_queries(1):
        client.get("/map.geojson")  # warm: the fingerprint query, then the cached answer
    profile = MemberProfile.objects.get(actor__display_name="Pflegedienst Nord")
    profile.location_public = False
    profile.save()
    assert "Pflegedienst Nord" not in names(client)
    profile.delete()
    assert len(names(client)) == 3


def test_cache_follows_name_and_fields_changes(client):
    client.get("/map.geojson")
    profile = MemberProfile.objects.get(actor__display_name="Beratung Leipzig")
    profile.actor.display_name = "Beratungsstelle Leipzig"
    profile.actor.save()
    assert "Beratungsstelle Leipzig" in names(client)
    profile.fields_of_work.clear()
    assert names(client, "?field=migration") == []
