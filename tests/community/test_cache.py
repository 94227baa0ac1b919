"""Anonymous pages come from a short-lived copy; signed-in people always get a fresh page."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from actors.services.local import organization_create
from community.services.profiles import profile_create
from posts.services.publishing import post_create

pytestmark = pytest.mark.django_db


def test_anonymous_pages_are_cached_per_language_and_staff_sees_fresh_pages(settings):
    settings.FEDINODE_PAGE_CACHE_SECONDS = 60
    org = organization_create(username="verein", email="v@example.org", password="verein-pass-1")
    profile_create(actor=org, city="Kiel", state="SH")
    post_create(author=org, text="Erster Beitrag")
    visitor = Client()
    assert "Erster Beitrag" in visitor.get("/feed/").content.decode()
    post_create(author=org, text="Zweiter Beitrag")
    assert "Zweiter Beitrag" not in visitor.get("/feed/").content.decode()  # the copy, for up to a minute
    english = Client()
    english.cookies["django_language"] = "en"
    assert "Zweiter Beitrag" in english.get("/feed/").content.decode()  # another language, another copy
    staff = Client()
    staff.force_login(get_user_model().objects.create_user("redaktion", "r@example.org", "x-pass-123", is_staff=True))
    page = staff.get("/feed/").content.decode()
    assert "Zweiter Beitrag" in page and "Im Feed ausblenden" in page
