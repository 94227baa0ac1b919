"""The site's frame and its own pages: home page, log-in/out and password reset, staff-only pages, legal pages,
contact form, error pages, dates and languages, discovery (meta tags, robots.txt, sitemap.xml), compression."""

import gzip
import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core import mail
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from actors.services.local import organization_create
from community.models import Campaign, ContactMessage, SitePage
from community.services.profiles import profile_create
from posts.services.events import event_create
from posts.services.publishing import post_create

pytestmark = pytest.mark.django_db
BERLIN = ZoneInfo("Europe/Berlin")


@pytest.fixture
def org():
    actor = organization_create(username="kita", email="kita@example.org", password="member-pass-1",
                                display_name="Kita Regenbogen")
    profile_create(actor=actor, city="Berlin", state="BE", postal_code="10115", fields_of_work=["kinder-jugend"],
                   description="Krippe und Hort")
    return actor


@pytest.fixture
def staff():
    return get_user_model().objects.create_user("redaktion", "r@example.org", "staff-pass-1", is_staff=True)


def english() -> Client:
    client = Client()
    client.cookies["django_language"] = "en"
    return client


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_home_shows_the_network_and_old_feed_links_still_work(org):
    post_create(author=org, text="Sommerfest im Hort #GleichImNetz")
    start = timezone.now() + timedelta(days=3)
    event_create(author=org, name="Webinar Inklusion", text="Online", starts_at=start, ends_at=start + timedelta(hours=1))
    today = timezone.localdate()
    Campaign.objects.create(name="Gleich im Netz", slug="gleich", hashtag="GleichImNetz", starts_on=today,
                            ends_on=today + timedelta(days=10))
    response = Client().get("/")
    page = response.content.decode()
    assert response.status_code == 200 and response.context["figures"]["members"] == 1
    assert "Sommerfest im Hort" in page and "Webinar Inklusion" in page and "Gleich im Netz" in page
    assert '<a href="/feed/" aria-current' not in page and 'href="/feed/"' in page  # the feed has its own page
    assert len(response.context["points"]) == 1 and "<circle" in page  # Berlin on the small map
    moved = Client().get("/?tag=gleichimnetz&state=BE")
    assert moved.status_code == 301 and moved["Location"] == "/feed/?tag=gleichimnetz&state=BE"
    assert "Sommerfest im Hort" in Client().get("/feed/?tag=gleichimnetz").content.decode()


def test_header_shows_who_is_signed_in_and_log_out_is_a_post(org):
    visitor = Client().get("/members/").content.decode()
    assert 'href="/auth/login/?next=/members/"' in visitor and "Abmelden" not in visitor
    member = signed_in(org.user)
    page = member.get("/members/").content.decode()
    assert "Angemeldet als" in page and '<a href="/members/kita/"><strong>Kita Regenbogen</strong></a>' in page
    assert re.search(r'<form method="post" action="/auth/logout/"[^>]*>.*csrfmiddlewaretoken', page)
    assert member.get("/auth/logout/").status_code == 405  # a link cannot sign anyone out
    out = member.post("/auth/logout/")
    assert out.status_code == 302 and out["Location"] == "/"
    assert "Angemeldet als" not in member.get("/members/").content.decode()


def test_log_in_page_is_in_the_sites_design_with_reset_link():
    page = Client().get("/auth/login/?next=/moderation/").content.decode()
    assert 'class="skip" href="#main"' in page and 'class="site-header"' in page and 'class="site-footer"' in page
    assert 'name="next" value="/moderation/"' in page and 'href="/auth/password-reset/"' in page
    assert "Passwort vergessen?" in page and "<title>Anmelden · Wir sind Parität</title>" in page
    assert "Forgot your password?" in english().get("/auth/login/").content.decode()


def test_moderation_asks_visitors_to_sign_in_and_refuses_members_kindly(org, staff):
    visitor = Client().get("/moderation/")
    assert visitor.status_code == 302 and visitor["Location"] == "/auth/login/?next=/moderation/"
    refused = signed_in(org.user).get("/moderation/")
    assert refused.status_code == 403
    page = refused.content.decode()
    assert "Das dürfen Sie hier leider nicht" in page and "Kita Regenbogen" in page and 'class="site-header"' in page
    assert signed_in(staff).get("/moderation/").status_code == 200


def test_password_reset_mails_a_link_to_the_nodes_own_address(org, settings):
    response = Client().post("/auth/password-reset/", {"email": "kita@example.org"}, HTTP_HOST="evil.example")
    assert response.status_code == 302 and response["Location"] == "/auth/password-reset/sent/"
    [message] = mail.outbox
    link = re.search(r"(\S+/auth/reset/\S+/)", message.body).group(1)
    assert link.startswith(f"http://{settings.FEDINODE_DOMAIN}/auth/reset/") and "evil" not in message.body
    assert "Neues Passwort für" in message.subject and "„kita“" in message.body
    path = link.split(settings.FEDINODE_DOMAIN, 1)[1]
    client = Client()
    form_page = client.get(path, follow=True)
    assert form_page.status_code == 200 and 'id="id_new_password1"' in form_page.content.decode()
    done = client.post(form_page.redirect_chain[-1][0], {"new_password1": "ganz-neu-2026", "new_password2": "ganz-neu-2026"})
    assert done.status_code == 302
    assert Client().login(username="kita", password="ganz-neu-2026")
    # an unknown address gets the same answer and no e-mail
    assert Client().post("/auth/password-reset/", {"email": "niemand@example.org"}).status_code == 302
    assert len(mail.outbox) == 1


def test_dates_follow_the_page_language_and_datetime_attributes_are_valid(org):
    start = datetime(2026, 12, 4, 15, 30, 12, 345678, tzinfo=BERLIN)
    event = event_create(author=org, name="Fachtag", text="Treffen", starts_at=start, ends_at=start + timedelta(hours=2))
    german = Client().get(f"/events/{event.id}/").content.decode()
    assert "Freitag, 4. Dezember 2026, 15:30" in german
    page = english().get(f"/events/{event.id}/").content.decode()
    assert "Friday, 4 December 2026, 15:30" in page and "Dezember" not in page
    assert 'datetime="2026-12-04T15:30:12+01:00"' in page
    assert not re.search(r'datetime="[^"]*\.\d+', page)  # never microseconds (HTML's valid date string)


def test_member_content_is_marked_german_on_english_pages(org):
    post_create(author=org, text="Heute im Hort: Laternenbasteln")
    page = english().get("/feed/").content.decode()
    assert '<html lang="en">' in page
    assert re.search(r'<div class="content" lang="de">\s*<p>Heute im Hort', page)
    assert '<p lang="de">Krippe und Hort</p>' in english().get("/members/").content.decode()


def test_server_error_page_is_friendly_in_the_page_language(monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("database gone")

    monkeypatch.setattr("community.views.site.network_figures", broken)
    client = Client(raise_request_exception=False)
    response = client.get("/")
    page = response.content.decode()
    assert response.status_code == 500 and "Hier ist leider etwas schiefgegangen" in page
    assert '<html lang="de">' in page and "site.css" in page and "database gone" not in page
    english_client = Client(raise_request_exception=False)
    english_client.cookies["django_language"] = "en"
    assert "Sorry, something went wrong here" in english_client.get("/").content.decode()
    api = client.get("/api/v1/does-not-matter", HTTP_ACCEPT="application/json")
    assert api["Content-Type"].startswith("application/json")


def test_csrf_failure_is_a_friendly_page():
    response = Client(enforce_csrf_checks=True).post("/kontakt/", {"name": "A", "email": "a@example.org", "message": "x"})
    page = response.content.decode()
    assert response.status_code == 403 and "Das Formular konnte nicht gesendet werden" in page
    assert 'class="site-header"' in page and "CSRF" not in page.split("<main", 1)[1]
    assert not ContactMessage.objects.exists()


def test_legal_pages_have_german_drafts_staff_can_edit_and_are_linked_from_every_footer(staff):
    home = Client().get("/members/").content.decode()
    for path in ("/impressum/", "/datenschutz/", "/barrierefreiheit/", "/kontakt/"):
        assert f'href="{path}"' in home
    page = Client().get("/impressum/").content.decode()
    assert "Angaben gemäß § 5 DDG" in page and "Für das Team" not in page
    assert "Für das Team" in signed_in(staff).get("/impressum/").content.decode()  # placeholders left
    assert "This page is only available in German." in english().get("/datenschutz/").content.decode()
    staff.user_permissions.add(Permission.objects.get(codename="change_sitepage"))
    assert signed_in(staff).get("/admin/community/sitepage/").status_code == 200
    SitePage.objects.update_or_create(slug="impressum", defaults={"title": "Impressum", "body": "## Verein\n\nMusterweg 1"})
    assert "Musterweg 1" in Client().get("/impressum/").content.decode()
    SitePage.objects.filter(slug="impressum").update(body="<script>alert(1)</script>Text")
    assert "<script>alert" not in Client().get("/impressum/").content.decode()


def test_contact_form_stores_messages_with_limits(settings):
    client = Client()
    too_long = client.post("/kontakt/", {"name": "Anna", "email": "anna@example.org", "message": "x" * 5001})
    page = too_long.content.decode()
    assert too_long.status_code == 400 and "höchstens 5000 Zeichen" in page and 'value="Anna"' in page
    assert not ContactMessage.objects.exists()
    wrong = client.post("/kontakt/", {"name": "Anna", "email": "kein-mail", "message": "Hallo"})
    assert wrong.status_code == 400 and "gültige E-Mail-Adresse" in wrong.content.decode()
    sent = client.post("/kontakt/", {"name": "Anna", "email": "anna@example.org", "message": "Eine Frage"}, follow=True)
    assert "Vielen Dank" in sent.content.decode() and ContactMessage.objects.get().message == "Eine Frage"
    settings.FEDINODE_RATE_LIMITS = True
    cache.clear()
    answers = [client.post("/kontakt/", {"name": "B", "email": "b@example.org", "message": f"Nr {n}"}).status_code
               for n in range(6)]
    assert answers == [302] * 5 + [400] and ContactMessage.objects.count() == 6


def test_link_previews_favicon_robots_and_sitemap(org, settings):
    post = post_create(author=org, text="Ein Beitrag")
    page = Client().get("/members/").content.decode()
    for tag in ('name="description"', 'property="og:title"', 'property="og:description"', 'name="twitter:card"',
                'rel="icon"', 'rel="canonical" href="http://testserver/members/"'):
        assert tag in page, tag
    assert re.search(r'property="og:image" content="http://testserver/static/community/share[.\w]*png"', page)
    profile = Client().get("/members/kita/").content.decode()
    assert '<meta property="og:title" content="Kita Regenbogen">' in profile
    assert '<meta property="og:type" content="profile">' in profile and 'content="Krippe und Hort"' in profile
    robots = Client().get("/robots.txt").content.decode()
    assert "Disallow: /admin/" in robots and "Sitemap: http://testserver/sitemap.xml" in robots
    index = Client().get("/sitemap.xml").content.decode()
    assert "sitemap-members.xml" in index and "sitemap-posts.xml" in index and "sitemap-events.xml" in index
    assert "http://testserver/members/kita/" in Client().get("/sitemap-members.xml").content.decode()
    assert f"http://testserver/posts/{post.id}/" in Client().get("/sitemap-posts.xml").content.decode()
    for name in ("favicon.svg", "favicon-32.png", "apple-touch-icon.png", "share.png", "site.css"):
        assert Client().get(f"/static/community/{name}").status_code == 200, name


def test_public_pages_are_compressed_but_never_pages_with_secrets(org):
    post_create(author=org, text="Komprimiert " * 50)
    public = Client().get("/feed/", HTTP_ACCEPT_ENCODING="gzip")
    assert public["Content-Encoding"] == "gzip" and "Komprimiert" in gzip.decompress(public.content).decode()
    form = Client().get("/auth/login/", HTTP_ACCEPT_ENCODING="gzip")  # carries a CSRF token
    assert not form.has_header("Content-Encoding")
    member = signed_in(org.user).get("/feed/", HTTP_ACCEPT_ENCODING="gzip")
    assert not member.has_header("Content-Encoding")


def test_forms_link_help_and_errors_mark_required_fields_and_fill_addresses(org):
    member = signed_in(org.user)
    page = member.get("/members/kita/edit/").content.decode()
    assert re.search(r'<input type="checkbox" name="location_public"[^>]*id="id_location_public"[^>]*>\s*'
                     r'<label for="id_location_public">', page)
    for described in re.findall(r'aria-describedby="([^"]+)"', page):
        for ident in described.split():
            assert f'id="{ident}"' in page, ident
    assert "plain text" not in page and "position on the map" not in page
    apply = Client().get("/apply/").content.decode()
    assert 'autocomplete="address-line1"' in apply and 'autocomplete="postal-code"' in apply
    assert 'autocomplete="address-level2"' in apply and 'autocomplete="organization"' in apply
    assert "a note to staff" not in apply and "Pflichtfeld" in apply
    errors = Client().post("/apply/", {"organisation_name": ""}).content.decode()
    assert re.search(r'aria-describedby="[^"]*id_organisation_name_error', errors)


def test_too_long_event_is_refused_at_its_field_in_german(org):
    member = signed_in(org.user)
    response = member.post("/events/new/", {
        "title": "Sommerakademie", "description": "Drei Wochen", "starts_at": "2027-07-01T09:00",
        "ends_at": "2027-07-25T17:00",
    })
    page = response.content.decode()
    assert response.status_code == 400
    assert re.search(r'id="id_ends_at_error">Eine Veranstaltung dauert höchstens 14 Tage', page)
    assert "An event lasts" not in page
