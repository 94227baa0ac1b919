"""The feed, a profile and the home page read a page's card keys first and render only the cards this process does
not hold (community/cards.py): a kept card shows what a fresh render would, whatever changed and wherever."""

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from community.fragments import member_entries, post_cards
from community.models import FieldOfWork
from posts.models import Attachment, Poll, Post
from posts.services.media import media_create
from posts.services.polls import PollSpec, poll_vote
from posts.services.publishing import post_create, post_delete
from tests.community.site import member
from tests.posts.test_media import jpeg_with_gps, upload

pytestmark = pytest.mark.django_db

PAGES = ["/feed/", "/members/kita/", "/"]


@pytest.fixture(autouse=True)
def empty_caches():
    post_cards.clear()
    member_entries.clear()


def card(page: str, post: Post) -> str:
    found = re.search(rf'<article class="post" aria-labelledby="post-{post.id}-author">.*?</article>', page, re.S)
    return found.group(0) if found else ""


def cards(client: Client, post: Post) -> list[str]:
    """The post's card on each page that lists it read key first (rendered twice: the second comes from the cache)."""
    for path in PAGES:
        client.get(path)
    return [card(client.get(path).content.decode(), post) for path in PAGES]


def test_kept_cards_show_an_edit_a_new_reply_and_an_edited_picture():
    kita, hort = member("kita"), member("hort")
    picture = media_create(owner=kita, upload=upload(jpeg_with_gps(40, 30)), description="Das Sommerfest")
    post = post_create(author=kita, text="Unser Sommerfest", attachments=[picture])
    client = Client()
    assert all("Unser Sommerfest" in shown and 'alt="Das Sommerfest"' in shown for shown in cards(client, post))
    post.content = "<p>Unser Herbstfest</p>"
    post.save()
    assert all("Unser Herbstfest" in shown for shown in cards(client, post))
    post_create(author=hort, text="Wir kommen!", in_reply_to=post)  # changes the count, not the post
    assert all("1 Antwort" in shown for shown in cards(client, post))
    Attachment.objects.filter(id=picture.id).update(description="Das Herbstfest")  # no updated_at anywhere
    assert all('alt="Das Herbstfest"' in shown for shown in cards(client, post))
    kita.display_name = "Kita Sonnenschein"
    kita.save()
    assert all("Kita Sonnenschein" in shown for shown in cards(client, post))


def test_kept_cards_show_new_votes_and_follow_the_language():
    kita, hort = member("kita"), member("hort")
    post = post_create(author=kita, text="Wann feiern wir?", poll=PollSpec(options=("Freitag", "Samstag"),
                                                                        expires_in=3600))
    client = Client()
    assert all("0 Personen haben abgestimmt" in shown for shown in cards(client, post))
    poll_vote(poll=Poll.objects.get(pk=post.id), voter=hort, choices=[1])
    assert all("100 % (1 Stimme)" in shown for shown in cards(client, post))
    english = Client()
    english.cookies["django_language"] = "en"
    assert all("(1 vote)" in shown and "1 person voted" in shown for shown in cards(english, post))


def test_a_deleted_post_and_a_suspended_author_leave_the_kept_pages():
    kita = member("kita")
    gone = post_create(author=kita, text="Bald gelöscht")
    kept = post_create(author=kita, text="Bleibt")
    client = Client()
    assert all(cards(client, gone)) and all(cards(client, kept))
    post_delete(post=gone)
    assert not any(cards(client, gone)) and all(cards(client, kept))
    kita.suspended = True
    kita.save()
    assert "Bleibt" not in client.get("/feed/").content.decode()
    assert "Bleibt" not in client.get("/").content.decode()
    assert client.get("/members/kita/").status_code == 404


def test_a_page_of_kept_cards_reads_no_post_in_full():
    kita = member("kita")
    for index in range(3):
        post_create(author=kita, text=f"Beitrag {index}")
    client = Client()
    for path in PAGES:
        client.get(path)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(path).status_code == 200
        # (the home page's events are read in full: they are not cards)
        full_reads = [q["sql"] for q in captured
                      if '"posts_post"."content"' in q["sql"] and '"posts_post"."starts_at" ASC' not in q["sql"]]
        assert not full_reads, (path, full_reads)


def test_the_directory_read_key_first_shows_changed_members_and_pages_on():
    kita = member("kita", "Kita Regenbogen", fields=("migration",))
    for index in range(22):
        member(f"verein{index:02}", f"Verein {index:02}", fields=("bildung",))
    client = Client()
    first = client.get("/members/").content.decode()
    assert "Kita Regenbogen" in first and "23 Organisationen" in first and "Seite 1 von 2" in first
    assert "Verein 21" not in first and "Verein 21" in client.get("/members/?page=2").content.decode()
    kita.member_profile.fields_of_work.add(FieldOfWork.objects.get(slug="gesundheit"))
    assert "Gesundheit" in client.get("/members/?field=gesundheit").content.decode()
    entry = re.search(r'<li class="member">(?:(?!</li>).)*Kita Regenbogen(?:(?!</li>).)*</li>',
                      client.get("/members/").content.decode(), re.S).group(0)
    assert "Gesundheit" in entry
    assert "Keine Organisation passt" in client.get("/members/?field=gesundheit&state=BY").content.decode()
