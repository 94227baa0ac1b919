"""Names no page address can hold ("/" in a hashtag or a user name) are refused at the form or normalised at the
door, and pages built from stored names never fail."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from actors.services.remote import actor_upsert_from_document
from posts.models import Post, PostType, Tag
from posts.services.publishing import PostError, post_create
from posts.services.remote import post_upsert_remote
from tests.community.site import logged_in, member

pytestmark = pytest.mark.django_db
PUBLIC = "https://www.w3.org/ns/activitystreams#Public"


def test_an_article_tag_with_a_slash_is_a_field_error_in_the_page_language_and_nothing_is_stored():
    client = logged_in(member("kita"))
    form = {"title": "Unser Garten", "body": "Wir haben Beete.", "tags": "Garten a/b"}
    response = client.post("/blog/write/", form)
    page = response.content.decode()
    assert response.status_code == 400 and "„a/b“ ist kein gültiges Schlagwort" in page
    assert "Unser Garten" in page and "Wir haben Beete." in page and "Garten a/b" in page  # what was typed stays
    client.get("/language/en")
    english = client.post("/blog/write/", form).content.decode()
    assert "is not a valid tag" in english
    assert not Post.objects.exists() and not Tag.objects.filter(name__contains="/").exists()
    with pytest.raises(PostError):
        post_create(author=member("pflege"), text="x", type=PostType.ARTICLE, name="x", tags=["a/b"])


def test_a_remote_event_hashtag_or_author_name_with_a_slash_is_normalised_and_pages_answer():
    author = actor_upsert_from_document({
        "id": "https://events.example/@a/b", "type": "Group", "preferredUsername": "a/b@c d",
        "inbox": "https://events.example/inbox", "name": "Gruppe",
    }, fetched_from="https://events.example/@a/b")
    assert author.username == "a_b_c_d" and "/" not in author.handle
    start = timezone.now() + timedelta(days=3)
    event = post_upsert_remote(author=author, obj={
        "id": "https://events.example/events/1", "type": "Event", "name": "Treffen", "content": "<p>Hallo</p>",
        "startTime": start.isoformat(), "endTime": (start + timedelta(hours=1)).isoformat(), "to": [PUBLIC],
        "tag": [{"type": "Hashtag", "name": "#foo/bar"}, {"type": "Hashtag", "name": "#Pflege"}],
    })
    assert sorted(event.tags.values_list("name", flat=True)) == ["pflege"]
    kita = member("kita")
    article = post_create(author=kita, text="Text", name="Bericht", type=PostType.ARTICLE)
    post_upsert_remote(author=author, obj={
        "id": "https://events.example/notes/2", "type": "Note", "inReplyTo": article.uri, "content": "<p>Gut!</p>",
        "to": [PUBLIC],
    })
    client = Client()
    for path in ("/events/", f"/events/{event.id}/", f"/blog/{article.id}/", f"/posts/{article.id}/"):
        assert client.get(path, follow=True).status_code == 200, path


def test_stored_names_that_cannot_be_routed_never_break_a_page():
    """Rows from before the door was shut: a tag with "/" on an article, a post and an event."""
    kita = member("kita")
    bad = Tag.objects.create(name="alt/neu")
    article = post_create(author=kita, text="Text", name="Bericht", type=PostType.ARTICLE)
    post = post_create(author=kita, text="Notiz")
    start = timezone.now() + timedelta(days=2)
    event = post_create(author=kita, text="Termin", name="Termin", type=PostType.EVENT, starts_at=start,
                        ends_at=start + timedelta(hours=1))
    for item in (article, post, event):
        item.tags.add(bad)
    client = Client()
    for path in (f"/blog/{article.id}/", "/events/", f"/events/{event.id}/", f"/posts/{post.id}/", "/"):
        response = client.get(path)
        assert response.status_code == 200, path
    assert 'href="/feed/?tag=alt%2Fneu"' in client.get(f"/blog/{article.id}/").content.decode()
