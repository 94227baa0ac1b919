"""The pages bench/site.py measures read a fixed number of SQL queries, whatever they show (no N+1 in views or
templates), and a post card rendered from the per-process cache shows a changed post at once."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from community.fragments import post_cards
from posts.models import Post, PostType
from posts.services.media import media_create
from posts.services.publishing import post_create
from tests.community.test_pages import member
from tests.posts.test_media import jpeg_with_gps, upload

pytestmark = pytest.mark.django_db

PAGES = ["/", "/feed/", "/members/", "/members/org0/", "/members/?field=migration&state=BE", "/tags/praxis", "/blog/"]


def add_members_and_posts(start: int, count: int) -> None:
    for i in range(start, start + count):
        actor = member(f"org{i}", f"Verein {i}", fields=("migration", "bildung"))
        picture = media_create(owner=actor, upload=upload(jpeg_with_gps(40, 30)), description=f"Bild {i}")
        post_create(author=actor, text=f"Aus der Praxis {i} #Praxis", attachments=[picture])
        post_create(author=actor, text=f"Noch ein Beitrag {i}")
        post_create(author=actor, text=f"Artikel {i}", name=f"Artikel {i}", type=PostType.ARTICLE)


def queries(client: Client, path: str) -> int:
    post_cards.clear()  # each page read cold: a card another page kept would save that page its full read
    with CaptureQueriesContext(connection) as captured:
        assert client.get(path).status_code == 200
    return len(captured)


@pytest.mark.parametrize("signed_in", [False, True], ids=["visitor", "member"])
def test_feed_directory_and_profile_read_a_fixed_number_of_queries(signed_in):
    add_members_and_posts(0, 2)
    client = Client()
    if signed_in:
        client.force_login(Post.objects.filter(author__username="org1").first().author.user)
    post_cards.clear()
    few = {path: queries(client, path) for path in PAGES}
    add_members_and_posts(2, 12)
    post_cards.clear()
    many = {path: queries(client, path) for path in PAGES}
    assert many == few
    # the home page shows more kinds of things (figures, map dots, posts, events, the campaign): its own budget
    # (cold: a page read key first reads its keys, then the cards it does not hold in full: two queries more)
    assert many.pop("/") <= 14 and max(many.values()) <= 8, many


def test_a_cached_post_card_shows_the_edited_post():
    add_members_and_posts(0, 1)
    client = Client()
    assert "Aus der Praxis 0" in client.get("/feed/").content.decode()
    post = Post.objects.get(content__contains="Aus der Praxis 0")
    post.content = "<p>Neu geschrieben</p>"
    post.save()
    page = client.get("/feed/").content.decode()
    assert "Neu geschrieben" in page and "Aus der Praxis 0" not in page
