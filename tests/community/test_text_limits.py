"""Free text has a length limit in every form (a field error in the page's language, the text kept) and in the
services and remote input that bypass the forms."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from actors.services.remote import actor_upsert_from_document
from community.limits import TextTooLong
from community.models import MembershipApplication
from community.services.membership import application_submit
from community.services.profiles import profile_save
from posts.services.remote import post_upsert_remote
from tests.community.site import logged_in, member

pytestmark = pytest.mark.django_db
LONG = "Wir helfen. " * 1000  # 12,000 characters
APPLICATION = {
    "organisation_name": "Tafel Nord", "username": "tafel_nord", "email": "info@tafel-nord.example",
    "description": "Wir retten Lebensmittel.", "postal_code": "24103", "city": "Kiel", "state": "SH",
}


def test_an_over_long_application_is_a_field_error_in_the_page_language_and_keeps_the_text():
    client = Client()
    response = client.post("/apply/", {**APPLICATION, "description": LONG, "message": LONG})
    page = response.content.decode()
    assert response.status_code == 400 and "höchstens 5000 Zeichen" in page
    assert page.count("Wir helfen. Wir helfen.") >= 2  # both texts are still in the form
    assert 'maxlength="5000"' in page
    client.get("/language/en")
    assert "at most 5000 characters" in client.post("/apply/", {**APPLICATION, "description": LONG}).content.decode()
    assert not MembershipApplication.objects.exists()
    with pytest.raises(TextTooLong):
        application_submit(data={**APPLICATION, "description": LONG}, fields_of_work=[])


def test_over_long_profile_event_article_and_rejection_texts_are_refused_at_their_field():
    kita = member("kita")
    client = logged_in(kita)
    profile = client.post("/members/kita/edit/", {"description": LONG, "city": "Berlin", "postal_code": "10115"})
    assert profile.status_code == 400 and "höchstens 5000 Zeichen" in profile.content.decode()
    event = client.post("/events/new/", {"title": "Treffen", "description": "Hallo", "tags": "ki " * 500,
                                         "starts_at": "2030-01-01T10:00", "ends_at": "2030-01-01T11:00"})
    assert event.status_code == 400 and "höchstens 1000 Zeichen" in event.content.decode()
    article = client.post("/blog/write/", {"title": "T", "body": "B", "tags": "pflege " * 200})
    assert article.status_code == 400 and "höchstens 1000 Zeichen" in article.content.decode()
    kita.member_profile.description = LONG
    with pytest.raises(TextTooLong):
        profile_save(profile=kita.member_profile)

    application = MembershipApplication.objects.create(**{**APPLICATION, "description": "x" * 240_000})
    staff = get_user_model().objects.create_user("redaktion", password="staff-pass-123", is_staff=True)
    moderator = Client()
    moderator.force_login(staff)
    assert len(moderator.get("/moderation/").content) < 30_000  # an old 240 KB application no longer floods it
    moderator.post(f"/moderation/applications/{application.id}", {"decision": "reject", "reason": LONG})
    application.refresh_from_db()
    assert application.status == "pending"  # not rejected without the reason staff wrote


def test_remote_posts_and_profiles_are_cut_to_a_size_a_page_can_show():
    from tests.factories import remote_actor
    author = remote_actor(host="big.example", username="gross")
    post = post_upsert_remote(author=author, obj={
        "id": "https://big.example/notes/1", "type": "Note", "content": "<p>" + "a" * 900_000 + "</p>",
        "to": ["https://www.w3.org/ns/activitystreams#Public"],
    })
    assert len(post.content) <= 200_100
    actor = actor_upsert_from_document({
        "id": "https://big.example/users/bio", "type": "Person", "preferredUsername": "bio",
        "inbox": "https://big.example/inbox", "summary": "<p>" + "b" * 500_000 + "</p>",
    }, fetched_from="https://big.example/users/bio")
    assert len(actor.summary) <= 10_100


def test_bad_material_links_are_a_field_error_on_the_event_page_and_stay_typed():
    from datetime import timedelta

    from django.utils import timezone

    from posts.services.events import event_create
    kita = member("kita")
    start = timezone.now() + timedelta(days=1)
    event = event_create(author=kita, name="Webinar", text="Hallo", starts_at=start, ends_at=start + timedelta(hours=1))
    response = logged_in(kita).post(f"/events/{event.id}/material", {"links": "Folien kein-link"})
    page = response.content.decode()
    assert response.status_code == 400 and "kein-link ist keine gültige Adresse" in page
    assert "Folien kein-link</textarea>" in page
    event.refresh_from_db()
    assert "material" not in event.extra
