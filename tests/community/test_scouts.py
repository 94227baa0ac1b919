"""Online-Scouts: inviting and editing scouts, finding them by topic, and the knowledge pool's topic pages."""

import pytest
from django.core import mail
from django.test import Client

from actors.models import ActorType
from actors.services.local import organization_create
from community.models import ScoutProfile
from community.services.profiles import profile_create
from community.services.scouts import ScoutError, scout_invite, topics_parse
from posts.services.events import event_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def org():
    actor = organization_create(username="diakonie_x", email="x@example.org", password="org-pass-123",
                                display_name="Diakonie X")
    profile_create(actor=actor, city="Kassel")
    return actor


def _logged_in(username: str, password: str) -> Client:
    client = Client()
    assert client.login(username=username, password=password)
    return client


def test_topics_are_hashtag_names_and_nonsense_is_refused():
    assert topics_parse("#KI, Datenschutz  barrierefreiheit ki") == ["ki", "datenschutz", "barrierefreiheit"]
    with pytest.raises(ScoutError):
        topics_parse("KI <script>")
    with pytest.raises(ScoutError):
        topics_parse(" ".join(f"t{i}" for i in range(21)))


def test_an_organisation_invites_a_scout_who_gets_a_password_link(org):
    client = _logged_in("diakonie_x", "org-pass-123")
    response = client.post("/scouts/invite/", {
        "username": "anna_ki", "email": "anna@example.org", "display_name": "Anna König",
        "topics": "#KI Datenschutz", "offers": ["webinar", "consulting"], "languages": ["de", "en"],
        "availability": "dienstags vormittags",
    })
    assert response.status_code == 302 and response["Location"] == "/scouts/anna_ki/"
    scout = ScoutProfile.objects.get(actor__username="anna_ki")
    assert scout.actor.type == ActorType.PERSON and scout.actor.user.email == "anna@example.org"
    assert scout.organisation == org and scout.topics == ["ki", "datenschutz"]
    assert "/auth/reset/" in mail.outbox[-1].body and "Diakonie X" in mail.outbox[-1].body
    page = client.get("/scouts/anna_ki/").content.decode()
    assert "Anna König" in page and "#datenschutz" in page and "Webinare" in page and "Bearbeiten" in page


def test_inviting_is_for_organisations_and_staff_and_bad_input_stores_nothing(org):
    scout_invite(organisation=org, username="ben", email="b@example.org", password="ben-pass-123", topics=["ki"])
    scout_client = _logged_in("ben", "ben-pass-123")
    assert scout_client.get("/scouts/invite/").status_code == 403  # a scout invites no one
    client = _logged_in("diakonie_x", "org-pass-123")
    response = client.post("/scouts/invite/", {"username": "ben", "email": "not-an-address", "display_name": "B",
                                               "topics": "ki <b>"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "vergeben" in page and "gültiges Thema" in page
    assert ScoutProfile.objects.count() == 1
    with pytest.raises(ScoutError):
        scout_invite(organisation=ScoutProfile.objects.get().actor, username="c", email="c@e.org")  # a Person


def test_a_scout_edits_itself_and_others_cannot(org):
    scout_invite(organisation=org, username="ben", email="b@example.org", password="ben-pass-123", topics=["ki"])
    organization_create(username="fremd", email="f@example.org", password="fremd-pass-1")
    assert _logged_in("fremd", "fremd-pass-1").get("/scouts/ben/edit/").status_code == 403
    client = _logged_in("ben", "ben-pass-123")
    response = client.post("/scouts/ben/edit/", {
        "display_name": "Ben B.", "note": "Ich helfe bei Videokonferenzen.", "topics": "videokonferenz ki",
        "offers": ["mentoring"], "languages": ["de", "tr"], "availability": "",
    })
    assert response.status_code == 302
    scout = ScoutProfile.objects.get()
    assert scout.topics == ["videokonferenz", "ki"] and scout.actor.display_name == "Ben B."
    assert scout.facets == " t:videokonferenz t:ki o:mentoring l:de l:tr "


def test_scouts_are_found_by_topic_offer_language_and_text(org):
    scout_invite(organisation=org, username="anna", email="a@e.org", password="x-pass-1234", display_name="Anna",
                 topics=["ki", "datenschutz"], offers=["webinar"], languages=["de", "en"])
    scout_invite(organisation=org, username="karl", email="k@e.org", password="x-pass-1234", display_name="Karl",
                 topics=["kita"], offers=["consulting"], languages=["de"])
    client = Client()

    def names(query: str) -> list[str]:
        page = client.get(f"/scouts/?{query}").content.decode()
        return [n for n in ("Anna", "Karl") if f">{n}</a>" in page]

    assert names("topic=ki") == ["Anna"]  # 'ki' is not 'kita'
    assert names("topic=%23KITA") == ["Karl"]
    assert names("offer=consulting") == ["Karl"]
    assert names("language=en") == ["Anna"]
    assert names("q=karl") == ["Karl"]
    assert names("offer=hacking") == ["Anna", "Karl"]  # an unknown filter value is dropped, not an error
    assert client.get("/scouts/niemand/").status_code == 404


def test_a_topic_page_joins_scouts_groups_events_and_material(org):
    from datetime import timedelta

    from django.utils import timezone

    from community.services.scout_groups import group_create
    from posts.services.events import event_material_set

    scout = scout_invite(organisation=org, username="anna", email="a@e.org", password="x-pass-1234",
                         display_name="Anna", topics=["ki"])
    group_create(username="scouts_ki", display_name="Scouts KI", topic="ki", moderators=[scout])
    now = timezone.now()
    event_create(author=scout, name="KI-Sprechstunde", text="Fragen zu KI", starts_at=now + timedelta(days=2),
                 ends_at=now + timedelta(days=2, hours=1), tags=["ki"])
    past = event_create(author=scout, name="KI-Grundlagen", text="Rückblick", starts_at=now - timedelta(days=7),
                        ends_at=now - timedelta(days=7) + timedelta(hours=1), tags=["ki"])
    event_material_set(event=past, links=[{"name": "Aufzeichnung", "url": "https://video.example/ki"}])
    page = Client().get("/topics/ki/").content.decode()
    for text in ("Anna", "Scouts KI", "KI-Sprechstunde", "KI-Grundlagen", "https://video.example/ki"):
        assert text in page
    assert "#ki" in Client().get("/topics/").content.decode()
    assert Client().get("/topics/gibtsnicht/").status_code == 404
