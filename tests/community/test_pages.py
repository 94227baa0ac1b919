"""The website's pages in-process: directory search and filters, profiles, the feed, the blog, escaping, 404s."""

import html
import re

import pytest
from django.test import Client

from actors.services.local import organization_create
from community.services.profiles import profile_create
from posts.models import PostType
from posts.services.publishing import post_create

pytestmark = pytest.mark.django_db


def member(username, name, *, city="Berlin", state="BE", fields=("migration",), description="Wir beraten."):
    actor = organization_create(username=username, email=f"{username}@example.org", password="member-pass-1",
                                display_name=name)
    profile_create(actor=actor, city=city, state=state, fields_of_work=list(fields), description=description,
                   postal_code="10115")
    return actor


@pytest.fixture
def members():
    return [
        member("kita", "Kita Regenbogen", fields=("kinder-jugend",), description="Krippe und Hort"),
        member("pflege", "Pflege Mitte", city="München", state="BY", fields=("alter-pflege",)),
        member("beratung", "Beratung für Geflüchtete", city="Köln", state="NW"),
    ]


def names(response) -> list[str]:
    """The members the directory page lists, in its order (from the page: entries may be kept HTML)."""
    return [html.unescape(name) for name in re.findall(
        r'<li class="member">\s*<img[^>]*>\s*<h2><a href="[^"]*">([^<]*)</a></h2>', response.content.decode())]


def test_directory_searches_name_and_description_and_filters(members):
    client = Client()
    assert names(client.get("/members/")) == ["Beratung für Geflüchtete", "Kita Regenbogen", "Pflege Mitte"]
    assert names(client.get("/members/?q=hort")) == ["Kita Regenbogen"]
    assert names(client.get("/members/?field=alter-pflege")) == ["Pflege Mitte"]
    assert names(client.get("/members/?state=NW")) == ["Beratung für Geflüchtete"]
    assert names(client.get("/members/?city=m%C3%BCnchen")) == ["Pflege Mitte"]
    empty = client.get("/members/?q=zzz&state=BY")
    assert names(empty) == [] and "Keine Organisation passt" in empty.content.decode()
    assert client.get("/members/?field=<script>&state=XX").status_code == 200  # unknown filters are dropped


def test_directory_pages_through_many_members(members):
    for index in range(25):
        member(f"verein{index:02d}", f"Verein {index:02d}")
    client = Client()
    first, second = client.get("/members/"), client.get("/members/?page=2")
    assert len(first.context["page"]) == 20 and len(second.context["page"]) == 8
    assert client.get("/members/?page=999").status_code == 200


def test_profile_shows_posts_handle_and_fields_and_escapes_user_text(members):
    kita = members[0]
    kita.display_name = "<script>alert(1)</script>Kita"
    kita.save()
    kita.member_profile.description = "<img src=x onerror=alert(1)>"
    kita.member_profile.save()
    post_create(author=kita, text="Hochbeete gebaut #Garten")
    page = Client().get("/members/kita/").content.decode()
    assert "@kita@testserver" in page and "Hochbeete gebaut" in page and "Kinder- und Jugendhilfe" in page
    assert "<script>alert(1)" not in page and "<img src=x" not in page
    assert "&lt;script&gt;" in page


def test_unknown_profile_is_a_friendly_404():
    response = Client().get("/members/niemand/")
    assert response.status_code == 404
    assert "Diese Seite gibt es nicht" in response.content.decode()
    assert 'href="/members/"' in response.content.decode()


def test_feed_filters_by_hashtag_field_and_region_and_hides_moderated_posts(members):
    kita, pflege, beratung = members
    first = post_create(author=kita, text="Sommerfest #GleichImNetz")
    post_create(author=pflege, text="Neue Pflegekurse")
    post_create(author=beratung, text="Sprechstunde #GleichImNetz", summary="Hinweis")
    client = Client()
    page = client.get("/feed/").content.decode()
    assert "Sommerfest" in page and "Neue Pflegekurse" in page and "<details><summary>" in page
    assert "Neue Pflegekurse" not in client.get("/feed/?tag=gleichimnetz").content.decode()
    assert "Sommerfest" in client.get("/feed/?field=kinder-jugend").content.decode()
    assert "Sprechstunde" not in client.get("/feed/?state=BY").content.decode()
    assert "Sommerfest" in client.get("/tags/GleichImNetz").content.decode()
    first.hidden_from_feed = True
    first.save()
    assert "Sommerfest" not in client.get("/feed/").content.decode()


def test_feed_pages_by_older_link(members):
    for number in range(25):
        post_create(author=members[0], text=f"Beitrag Nummer {number:02d}")
    client = Client()
    first = client.get("/feed/")
    older = first.context["older"]
    second = client.get(f"/feed/?before={older}")
    assert "Beitrag Nummer 24" in first.content.decode() and "Beitrag Nummer 00" in second.content.decode()
    assert "Beitrag Nummer 24" not in second.content.decode()


def test_blog_article_page_rss_and_atom(members):
    article = post_create(author=members[0], name="Unser Garten", text="## Anfang\n\nEs war **schön**.",
                          type=PostType.ARTICLE, tags=["Garten"])
    client = Client()
    assert "Unser Garten" in client.get("/blog/").content.decode()
    page = client.get(f"/blog/{article.id}/").content.decode()
    assert "<h2>Anfang</h2>" in page and "<strong>schön</strong>" in page
    assert client.get("/blog/999999/").status_code == 404
    atom = client.get("/blog/feed.atom")
    assert atom["Content-Type"].startswith("application/atom+xml") and b"Unser Garten" in atom.content
    assert b"<rss" in client.get("/feed.rss").content
    assert b"Unser Garten" in client.get("/members/kita/feed.atom").content


def test_language_switch_to_english(members):
    client = Client()
    response = client.get("/language/en?next=/members/%3Fstate%3DBY")
    assert response.status_code == 302 and response["Location"] == "/members/?state=BY"
    page = client.get("/members/").content.decode()
    assert '<html lang="en">' in page and "Directory" in page
    assert client.get("/language/en?next=https://evil.example/").headers["Location"] == "/"
    assert client.get("/language/xx").status_code == 404


def test_remote_follow_sends_to_the_visitors_server_and_refuses_nonsense(members):
    client = Client()
    response = client.get("/members/kita/follow?handle=@anna@social.example")
    assert response.status_code == 302
    assert response["Location"].startswith("https://social.example/authorize_interaction?uri=http")
    bad = client.get("/members/kita/follow?handle=nonsense", follow=True)
    assert "Bitte geben Sie Ihre Adresse" in bad.content.decode()


@pytest.mark.parametrize("accept", [
    "application/activity+json", 'application/ld+json; profile="https://www.w3.org/ns/activitystreams"',
])
def test_a_profile_url_asked_for_activitystreams_answers_with_the_actor(settings, accept):
    settings.FEDINODE_PAGE_CACHE_SECONDS = 60
    kita = member("kita", "Kita Regenbogen")
    client = Client()
    page = client.get("/members/kita/")  # cached as HTML first: the AS2 answer must not come from that copy
    assert page["Content-Type"].startswith("text/html") and "Accept" in page["Vary"]
    document = client.get("/members/kita/", HTTP_ACCEPT=accept)
    assert document.status_code == 200 and document["Content-Type"].startswith("application/activity+json")
    assert document.json()["id"] == kita.uri and document.json()["type"] == "Organization"
    assert client.get("/members/kita/")["Content-Type"].startswith("text/html")  # and the reverse
    assert client.get("/members/niemand/", HTTP_ACCEPT=accept).status_code == 404


def test_a_remote_members_profile_url_redirects_servers_to_its_actor():
    from tests.factories import remote_actor

    fern = remote_actor(host="social.example", username="fern")
    profile_create(actor=fern, city="Kiel", state="SH")
    answer = Client().get("/members/fern@social.example/", HTTP_ACCEPT="application/activity+json")
    assert answer.status_code == 302 and answer["Location"] == fern.uri


def test_a_profile_url_in_secure_mode_answers_activitystreams_only_to_signed_requests(settings):
    settings.FEDINODE_AUTHORIZED_FETCH = True
    member("kita", "Kita Regenbogen")
    client = Client()
    assert client.get("/members/kita/", HTTP_ACCEPT="application/activity+json").status_code == 401
    assert client.get("/members/kita/").status_code == 200  # the website stays public
