import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from actors.documents import actor_document
from actors.services.remote import actor_upsert_from_document
from community.models import MemberProfile
from community.services.positions import profile_clear_manual_position, profile_geocode, profile_set_position
from community.services.profiles import profile_save
from tests.factories import remote_actor
from tests.mapview.helpers import member

pytestmark = pytest.mark.django_db


def test_address_is_geocoded_with_state():
    profile = member(name="A", postal_code="99084", city="Erfurt")
    assert profile.state == "TH" and 50.9 < profile.latitude < 51.1


def test_unknown_town_leaves_no_position():
    profile = member(name="B", postal_code="10115", city="Atlantis")
    assert not profile.has_position and not profile_geocode(profile=profile)


def test_manual_pin_wins_over_a_new_address():
    profile = member(name="C", postal_code="10115", city="Berlin")
    profile_set_position(profile=profile, latitude="52,4", longitude="13,1")
    profile.postal_code, profile.city = "80331", "München"
    profile.save()
    profile.refresh_from_db()
    assert (profile.latitude, profile.longitude) == (52.4, 13.1)
    profile_clear_manual_position(profile=profile)
    assert profile.latitude == pytest.approx(48.137, abs=0.01)


def test_a_pin_abroad_is_refused():
    profile = member(name="D", postal_code="10115", city="Berlin")
    with pytest.raises(ValueError, match="nicht in Deutschland"):
        profile_set_position(profile=profile, latitude=48.85, longitude=2.35)


def test_actor_document_carries_a_public_position_as_place():
    profile = member(name="E", postal_code="24103", city="Kiel")
    location = actor_document(profile.actor)["location"]
    assert location["type"] == "Place" and location["name"] == "Kiel"
    assert 54.2 < location["latitude"] < 54.5 and 10 < location["longitude"] < 10.3
    profile.location_public = False
    profile.save()
    profile.actor.refresh_from_db()
    assert "location" not in actor_document(profile.actor)


def remote_document(actor, location) -> dict:
    return {
        "id": actor.uri, "type": "Organization", "preferredUsername": actor.username, "inbox": actor.inbox_url,
        "location": location,
    }


def test_remote_location_moves_a_linked_member():
    actor = remote_actor(host="social.example")
    profile = MemberProfile.objects.create(actor=actor, listed=True)
    place = {"type": "Place", "name": "Mainz", "latitude": 49.99, "longitude": 8.27}
    actor_upsert_from_document(remote_document(actor, place), fetched_from=actor.uri)
    profile.refresh_from_db()
    assert (profile.latitude, profile.longitude) == (49.99, 8.27)


@pytest.mark.parametrize(
    "location", [{"type": "Place", "latitude": 40.4, "longitude": -3.7}, {"type": "Place"}, "Mainz", None]
)
def test_remote_location_abroad_or_malformed_is_ignored(location):
    actor = remote_actor(host="social.example")
    profile = MemberProfile.objects.create(actor=actor, listed=True)
    actor_upsert_from_document(remote_document(actor, location), fetched_from=actor.uri)
    profile.refresh_from_db()
    assert not profile.has_position


def test_a_profile_saved_with_a_new_postal_code_gets_its_pin():
    profile = member(name="F", postal_code="24103", city="Kiel")
    assert 54.2 < profile.latitude < 54.5
    profile.postal_code, profile.city = "99084", "Erfurt"
    profile_save(profile=profile)
    stored = MemberProfile.objects.get(pk=profile.pk)
    assert 50.9 < stored.latitude < 51.1 and 10.9 < stored.longitude < 11.1


def test_a_moved_address_the_geocoder_does_not_know_drops_the_old_pin():
    profile = member(name="G", postal_code="24103", city="Kiel")
    profile.postal_code, profile.city = "10115", "Atlantis"
    profile_save(profile=profile)
    assert not MemberProfile.objects.get(pk=profile.pk).has_position


def test_an_actor_refresh_with_the_same_document_leaves_the_member_alone():
    actor = remote_actor(host="social.example")
    MemberProfile.objects.create(actor=actor, listed=True)
    document = remote_document(actor, {"type": "Place", "name": "Mainz", "latitude": 49.99, "longitude": 8.27})
    actor_upsert_from_document(document, fetched_from=actor.uri)
    with CaptureQueriesContext(connection) as queries:
        actor_upsert_from_document(document, fetched_from=actor.uri)
    assert not [q["sql"] for q in queries if "community_memberprofile" in q["sql"]]
    moved = remote_document(actor, {"type": "Place", "name": "Kiel", "latitude": 54.32, "longitude": 10.13})
    with CaptureQueriesContext(connection) as queries:
        actor_upsert_from_document(moved, fetched_from=actor.uri)
    assert [q["sql"] for q in queries if "community_memberprofile" in q["sql"]]
    assert MemberProfile.objects.get(actor=actor).latitude == 54.32
