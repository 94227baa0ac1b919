"""What authors type becomes HTML that travels: hashtags stay hashtags (also at the start of a Markdown line) and
link absolutely; stored HTML turns back into readable plain text for calendars."""

import re

import pytest
from django.test import Client

from clientapi.entities.statuses import status_entity
from posts.markdown import render_markdown
from posts.models import PostType
from posts.services.publishing import post_create
from posts.text import plain_text
from tests.community.site import member

pytestmark = pytest.mark.django_db
AS_JSON = "application/activity+json"


def test_a_hashtag_opening_a_markdown_line_stays_a_hashtag_and_a_heading_stays_a_heading():
    html = render_markdown("#GleichImNetz zum Auftakt\n\n# Überschrift\n\nMehr zu #Pflege, [Link](https://x.example/#teil)"
                           " und `#code`.", base_url="https://node.example")
    assert "<h1>Überschrift</h1>" in html and html.count("<h1>") == 1
    assert '<a class="mention hashtag" href="https://node.example/tags/gleichimnetz"' in html
    assert 'href="https://node.example/tags/pflege"' in html
    assert 'href="https://x.example/#teil"' in html and "<code>#code</code>" in html


def test_an_article_keeps_its_line_start_hashtag_and_every_copy_of_a_post_links_hashtags_absolutely():
    kita = member("kita")
    article = post_create(author=kita, text="#GleichImNetz heißt: wir sind da.\n\nMehr Text.", name="Bericht",
                          type=PostType.ARTICLE)
    page = Client().get(f"/blog/{article.id}/").content.decode()
    assert re.search(r"<h1[^>]*>Bericht</h1>", page) and page.count("<h1") == 1
    assert 'href="http://testserver/tags/gleichimnetz"' in page
    note = post_create(author=kita, text="Sommerfest #Garten")
    absolute = 'href="http://testserver/tags/garten"'
    client = Client()
    assert absolute in client.get(note.uri.removeprefix("http://testserver"), HTTP_ACCEPT=AS_JSON).json()["content"]
    assert absolute in status_entity(note, None)["content"]
    for feed in ("/feed.rss", "/feed.atom"):
        body = client.get(feed).content.decode()
        assert "http://testserver/tags/garten" in body and "&quot;/tags/garten" not in body, feed


def test_plain_text_of_html_keeps_paragraphs_and_decodes_entities():
    html = "<p>Kaffee &amp; Kuchen</p><p>Zweiter Absatz<br>neue Zeile</p><ul><li>eins</li><li>zwei</li></ul>"
    assert plain_text(html) == "Kaffee & Kuchen\n\nZweiter Absatz\nneue Zeile\n\n- eins\n- zwei"
