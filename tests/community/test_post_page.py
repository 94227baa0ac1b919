"""A post and an organisation each have one page in the site's design, and that is their `url` everywhere;
replies from the Fediverse show under ordinary posts."""

from urllib.parse import urlsplit

import pytest
from django.test import Client

from clientapi.entities.statuses import status_entity
from posts.services.publishing import post_create
from posts.services.remote import post_upsert_remote
from tests.community.site import member
from tests.factories import remote_actor

pytestmark = pytest.mark.django_db
AS_JSON = "application/activity+json"
PUBLIC = "https://www.w3.org/ns/activitystreams#Public"


def path(url: str) -> str:
    return urlsplit(url).path


def in_site_design(html: str) -> bool:
    return 'class="site-header"' in html and "/language/en" in html and "community/site.css" in html


def test_a_post_and_its_author_have_one_page_in_the_site_design_that_is_their_url_everywhere():
    kita = member("kita", "Kita Regenbogen")
    post = post_create(author=kita, text="Sommerfest am Samstag")
    client = Client()
    page_url = f"http://testserver/posts/{post.id}/"

    document = client.get(path(post.uri), HTTP_ACCEPT=AS_JSON).json()
    assert document["url"] == page_url
    assert status_entity(post, None)["url"] == page_url
    actor_document = client.get("/actors/kita", HTTP_ACCEPT=AS_JSON).json()
    assert actor_document["url"] == "http://testserver/members/kita/"

    # a browser following the ids lands on the designed pages
    assert client.get(path(post.uri), HTTP_ACCEPT="text/html")["Location"] == page_url
    assert client.get("/actors/kita", HTTP_ACCEPT="text/html")["Location"] == "http://testserver/members/kita/"
    page = client.get(f"/posts/{post.id}/").content.decode()
    assert in_site_design(page) and "Sommerfest am Samstag" in page and 'href="/members/kita/"' in page
    english = Client(HTTP_ACCEPT_LANGUAGE="en").get(f"/posts/{post.id}/", HTTP_COOKIE="django_language=en")
    assert english.content.decode().count('lang="en"') >= 1 and "Replies from the Fediverse" in english.content.decode()

    feed = client.get("/").content.decode()
    assert f'href="/posts/{post.id}/"' in feed  # the date link
    for feed_path in ("/feed.rss", "/feed.atom", "/members/kita/feed.atom"):
        assert page_url in client.get(feed_path).content.decode(), feed_path


def test_replies_from_the_fediverse_show_on_the_post_page_and_are_counted_in_the_feed():
    kita = member("kita", "Kita Regenbogen")
    post = post_create(author=kita, text="Wer kommt zum Sommerfest?")
    reader = remote_actor(host="social.example", username="leserin")
    post_upsert_remote(author=reader, obj={
        "id": "https://social.example/users/leserin/statuses/9", "type": "Note", "inReplyTo": post.uri,
        "content": "<p>Wir kommen gern!</p>", "to": [PUBLIC],
    })
    client = Client()
    page = client.get(f"/posts/{post.id}/").content.decode()
    assert "Wir kommen gern!" in page and "@leserin@social.example" in page
    assert 'href="https://social.example/users/leserin"' in page  # a replier without a page here: its own
    feed = client.get("/").content.decode()
    assert "1 Antwort" in feed and f'href="/posts/{post.id}/#replies-title"' in feed
    assert "Wir kommen gern!" not in feed  # replies stay under their post


def test_an_organisation_without_a_profile_still_has_its_page_and_unknown_posts_are_a_friendly_404():
    from actors.services.local import organization_create
    organization_create(username="neu", email="neu@example.org", password="neu-pass-123", display_name="Neu e.V.")
    client = Client()
    response = client.get("/actors/neu", HTTP_ACCEPT="text/html", follow=True)
    assert response.status_code == 200 and "Neu e.V." in response.content.decode()
    assert in_site_design(response.content.decode())
    missing = client.get("/posts/4242/")
    assert missing.status_code == 404 and in_site_design(missing.content.decode())


def test_a_remote_post_page_links_its_original_only_when_that_is_an_http_address():
    from tests.community.site import remote_member
    fern = remote_member("fern")
    good = post_upsert_remote(author=fern, obj={
        "id": f"{fern.uri}/statuses/1", "type": "Note", "content": "<p>Hallo</p>", "to": [PUBLIC],
        "url": "https://remote.example/@fern/1",
    })
    bad = post_upsert_remote(author=fern, obj={
        "id": f"{fern.uri}/statuses/2", "type": "Note", "content": "<p>Tschüss</p>", "to": [PUBLIC],
        "url": "javascript:alert(1)",
    })
    client = Client()
    assert 'href="https://remote.example/@fern/1"' in client.get(f"/posts/{good.id}/").content.decode()
    assert "javascript:" not in client.get(f"/posts/{bad.id}/").content.decode()
