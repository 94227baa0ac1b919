"""Applying for membership and the staff's decisions, through the pages."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client

from actors.models import Actor
from community.models import ApplicationState, MembershipApplication

pytestmark = pytest.mark.django_db

VALID = {
    "organisation_name": "Tafel Nord e.V.", "username": "tafel_nord", "email": "info@tafel-nord.example",
    "description": "Wir retten Lebensmittel.", "street": "Hafenstraße 1", "postal_code": "24103", "city": "Kiel",
    "state": "SH", "fields_of_work": ["armut-wohnen"], "website": "https://tafel-nord.example",
}


@pytest.fixture
def staff():
    user = get_user_model().objects.create_user("redaktion", "r@example.org", "staff-pass-1", is_staff=True)
    client = Client()
    client.force_login(user)
    return client


def test_bad_input_shows_field_errors_and_keeps_what_was_typed():
    response = Client().post("/apply/", {**VALID, "postal_code": "12ab", "username": "admin", "email": "kein-mail"})
    page = response.content.decode()
    assert response.status_code == 400
    assert "Eine Postleitzahl hat fünf Ziffern." in page and "ungültig oder vergeben" in page
    assert 'value="Tafel Nord e.V."' in page and 'value="Hafenstraße 1"' in page
    assert MembershipApplication.objects.count() == 0


def test_field_errors_in_english_when_the_page_is_english():
    client = Client()
    client.post("/i18n/setlang/", {"language": "en", "next": "/apply/"})
    page = client.post("/apply/", {**VALID, "postal_code": "1"}).content.decode()
    assert "A postal code has five digits." in page


def test_html_in_fields_is_escaped_on_the_moderation_page(staff):
    Client().post("/apply/", {**VALID, "organisation_name": "<script>alert(1)</script>Verein"})
    page = staff.get("/moderation/").content.decode()
    assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;Verein" in page


def test_apply_approve_set_password_and_log_in(staff):
    assert Client().post("/apply/", VALID).status_code == 200
    application = MembershipApplication.objects.get()
    assert application.status == ApplicationState.PENDING
    assert Client().get("/moderation/").status_code == 302  # staff only
    response = staff.post(f"/moderation/applications/{application.id}", {"decision": "approve"}, follow=True)
    assert "ist jetzt Mitglied" in response.content.decode()
    actor = Actor.objects.get(local=True, username="tafel_nord")
    assert actor.type == "Organization" and actor.member_profile.city == "Kiel"
    assert list(actor.member_profile.fields_of_work.values_list("slug", flat=True)) == ["armut-wohnen"]
    assert Client().get("/members/tafel_nord/").status_code == 200
    link = re.search(r"https?://\S+/auth/reset/\S+/", mail.outbox[-1].body).group(0)
    member = Client()
    form_page = member.get(link.split("testserver", 1)[1], follow=True)
    set_url = form_page.redirect_chain[-1][0] if form_page.redirect_chain else link.split("testserver", 1)[1]
    done = member.post(set_url, {"new_password1": "neues-Passwort-42", "new_password2": "neues-Passwort-42"})
    assert done.status_code == 302
    assert Client().login(username="tafel_nord", password="neues-Passwort-42")
    again = staff.post(f"/moderation/applications/{application.id}", {"decision": "approve"}, follow=True)
    assert "schon entschieden" in again.content.decode()


def test_reject_tells_the_applicant(staff):
    Client().post("/apply/", VALID)
    application = MembershipApplication.objects.get()
    staff.post(f"/moderation/applications/{application.id}", {"decision": "reject", "reason": "Kein Mitglied."})
    application.refresh_from_db()
    assert application.status == ApplicationState.REJECTED
    assert "abgelehnt" in mail.outbox[-1].body and "Kein Mitglied." in mail.outbox[-1].body
    assert not Actor.objects.filter(username="tafel_nord").exists()


def test_staff_approve_in_the_django_admin():
    Client().post("/apply/", VALID)
    admin_user = get_user_model().objects.create_superuser("chef", "c@example.org", "chef-pass-123")
    client = Client()
    client.force_login(admin_user)
    for page in ("membershipapplication", "memberprofile", "campaign"):
        assert client.get(f"/admin/community/{page}/").status_code == 200
    application = MembershipApplication.objects.get()
    client.post("/admin/community/membershipapplication/",
                {"action": "approve", "_selected_action": [application.id]})
    application.refresh_from_db()
    assert application.status == ApplicationState.APPROVED
    assert Actor.objects.filter(username="tafel_nord", local=True).exists()
