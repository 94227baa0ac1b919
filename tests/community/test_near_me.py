"""A visitor finds members near them: by postal code, by the start of a town's name, and within a radius."""

import pytest
from django.test import Client

from tests.community.site import member

pytestmark = pytest.mark.django_db


@pytest.fixture
def members():
    member("mitte", "Kita Mitte", city="Berlin", postal_code="10117", state="BE")
    member("schoenefeld", "Tafel Schönefeld", city="Schönefeld", postal_code="12529", state="BB")
    member("potsdam", "Familienzentrum Potsdam", city="Potsdam", postal_code="14467", state="BB")
    member("oder", "Beratung an der Oder", city="Frankfurt (Oder)", postal_code="15230", state="BB")
    member("main", "Tafel am Main", city="Frankfurt am Main", postal_code="60311", state="HE")
    member("halle", "Selbsthilfe Halle", city="Halle (Saale)", postal_code="06108", state="ST")


def found(path: str) -> list[str]:
    response = Client().get(path)
    assert response.status_code == 200, path
    return [m.actor.display_name for m in response.context["page"]]


def test_postal_code_and_town_prefix_find_members(members):
    assert found("/members/?q=10117") == ["Kita Mitte"]
    assert found("/members/?city=10117") == ["Kita Mitte"]
    assert found("/members/?city=101") == ["Kita Mitte"]  # the first digits of a postal code
    assert found("/members/?city=Frankfurt") == ["Beratung an der Oder", "Tafel am Main"]
    assert found("/members/?city=halle") == ["Selbsthilfe Halle"]
    assert found("/members/?city=Frankfurt+am") == ["Tafel am Main"]


def test_members_within_a_radius_of_a_postal_code_nearest_first(members):
    # 10115 (Berlin-Mitte) has no member itself: Kita Mitte (10117) is 2 km away, Schönefeld 20 km, Potsdam 26 km
    assert found("/members/?city=10115&km=5") == ["Kita Mitte"]
    assert found("/members/?city=10115&km=25") == ["Kita Mitte", "Tafel Schönefeld"]
    assert found("/members/?city=10115&km=50") == ["Kita Mitte", "Tafel Schönefeld", "Familienzentrum Potsdam"]
    assert found("/members/?city=10115&km=100&field=migration") == [
        "Kita Mitte", "Tafel Schönefeld", "Familienzentrum Potsdam", "Beratung an der Oder"]
    assert found("/members/?city=Potsdam&km=25") == ["Familienzentrum Potsdam"]  # a town: where its members are


def test_a_radius_without_a_known_place_is_explained_in_the_page_language(members):
    page = Client().get("/members/?city=99999&km=25").content.decode()
    assert "„99999“ finden wir nicht" in page and 'value="99999"' in page
    assert "Für die Umkreissuche" in Client().get("/members/?km=25").content.decode()
    english = Client()
    english.get("/language/en")
    assert "we cannot find" in english.get("/members/?city=99999&km=25").content.decode()
    assert found("/members/?city=10115&km=7") == []  # a radius not offered is ignored: only that postal code


def test_the_map_filters_by_town_prefix_and_radius_too(members):
    from community.models import MemberProfile
    from community.places import postal_code_point
    for profile in MemberProfile.objects.all():  # pins where the postal codes are
        profile.latitude, profile.longitude = postal_code_point(profile.postal_code)
        profile.save()
    client = Client()

    def names(query):
        return sorted(f["properties"]["name"] for f in client.get(f"/map.geojson?{query}").json()["features"])

    assert names("city=Frankfurt") == ["Beratung an der Oder", "Tafel am Main"]
    assert names("city=10115&km=25") == ["Kita Mitte", "Tafel Schönefeld"]
    assert 'name="km"' in client.get("/map/?city=10115&km=25").content.decode()
