"""Parts of pages kept per process (community/fragments.py: {% keep %}, directory entries) show what a fresh render
would: a changed member, another language, another page or filter is another key."""

import re

import pytest
from django.test import Client

from community.fragments import kept_parts, member_entries
from community.models import FieldOfWork
from tests.community.test_pages import member

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def empty_caches():
    kept_parts.clear()
    member_entries.clear()


def entry(page: str, name: str) -> str:
    return re.search(rf'<li class="member">(?:(?!</li>).)*{name}(?:(?!</li>).)*</li>', page, re.S).group(0)


def test_a_kept_directory_entry_shows_the_edited_member():
    actor = member("kita", "Kita Regenbogen", fields=("migration",), description="Krippe und Hort")
    client = Client()
    before = entry(client.get("/members/").content.decode(), "Kita Regenbogen")
    assert "Krippe und Hort" in before and "Migration und Flucht" in before
    profile = actor.member_profile
    profile.fields_of_work.add(FieldOfWork.objects.get(slug="gesundheit"))  # a new row elsewhere: no updated_at
    after = entry(client.get("/members/").content.decode(), "Kita Regenbogen")
    assert "Gesundheit" in after
    actor.display_name = "Kita Sonnenschein"
    actor.save()
    assert "Kita Sonnenschein" in client.get("/members/").content.decode()


def test_kept_entries_and_navigation_follow_the_language():
    member("kita", "Kita Regenbogen", fields=("migration",))
    german = Client().get("/members/").content.decode()
    english_client = Client()
    english_client.cookies["django_language"] = "en"
    english = english_client.get("/members/").content.decode()
    assert "Migration und Flucht" in entry(german, "Kita") and "Migration and refugees" in entry(english, "Kita")
    assert 'aria-label="Hauptnavigation"' in german and 'aria-label="Main navigation"' in english
    assert "Legal notice (Impressum)" in english and "Legal notice" not in german


def test_kept_navigation_and_filters_follow_the_page_and_the_query():
    client = Client()
    feed = client.get("/feed/").content.decode()
    directory = client.get("/members/").content.decode()
    assert '<a href="/feed/" aria-current="page">' in feed and '<a href="/feed/" aria-current="page">' not in directory
    assert '<a href="/members/" aria-current="page">' in directory
    assert '<option value="BY" selected>' in client.get("/feed/?state=BY").content.decode()
    assert '<option value="BY" selected>' not in client.get("/feed/").content.decode()
    assert 'value="Hort"' in client.get("/members/?q=Hort").content.decode()
    assert 'value="Hort"' not in client.get("/members/?q=Kita").content.decode()
