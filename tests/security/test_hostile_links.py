"""Hostile cases, remote URL schemes: a `javascript:`, `data:` or `vbscript:` URL from another server never becomes a
link or an image source here. Two lines of defence, each tested on its own:

1. at the door: what a remote document says is stored only when it is an absolute http(s) URL (actor url, icon,
   image; a post's url; an event's location url; attachment urls; mention hrefs; links in content);
2. at render: rows that carry such a URL anyway (stored before the door checked, or by a path we missed) are
   rendered without it on every page, feed, calendar, the map's GeoJSON and the API entities handed to apps, and
   a local post that mentions such an actor does not copy the link into its own content.
"""

from datetime import timedelta

import orjson
import pytest
from django.test import Client
from django.utils import timezone

from actors.models import Actor
from actors.services.remote import actor_fetch
from community.services.profiles import profile_create
from posts.models import Attachment, Post
from posts.services.publishing import post_create
from tests.clientapi.conftest import Api, issue_token

from .hostile import World, peer_headers, post_to_inbox

pytestmark = pytest.mark.django_db(transaction=True)

HOSTILE_URLS = {
    "javascript": "javascript:alert(document.domain)",
    "javascript_mixed_case_with_tab": "JaVa\tScRiPt:alert(1)",
    "javascript_with_leading_space": " javascript:alert(1)",
    "data_html": "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "vbscript": "vbscript:msgbox(1)",
}
# None of these may appear anywhere in what we store or serve once a hostile URL went in.
MARKERS = ("javascript:", "data:text/html", "vbscript:", "alert(", "msgbox(")


def assert_clean(text: str, where: str = "") -> None:
    lowered = text.lower().replace("\t", "")
    for marker in MARKERS:
        assert marker not in lowered, f"{marker!r} in {where}: {text[:2000]}"


def stored_text() -> str:
    """Every stored column a remote URL could land in, as one text to search."""
    return repr((
        list(Actor.objects.values_list("uri", "url", "icon_url", "image_url", "inbox_url", "fields")),
        list(Post.objects.values_list("uri", "url", "content", "extra")),
        list(Attachment.objects.values_list("remote_url")),
        list(Post.mentions.through.objects.values_list("actor__uri")),
    ))


# ---------------------------------------------------------------- 1. at the door

def _deliver(client, world: World, obj: dict) -> Post | None:
    world.peer.serve(obj)
    activity = world.activity("Create", obj, slug=obj["id"].rsplit("/", 1)[-1])
    body = orjson.dumps(activity)
    response = post_to_inbox(client, body, peer_headers(world, body))
    assert response.status_code == 202, response.content
    return Post.objects.filter(uri=obj["id"]).first()


def _actor_url(world, bad):
    world.peer.profile["url"] = bad


def _actor_url_as_link(world, bad):
    world.peer.profile["url"] = [{"type": "Link", "mediaType": "text/html", "href": bad}]


def _actor_icon(world, bad):
    world.peer.profile["icon"] = {"type": "Image", "url": bad}


def _actor_image(world, bad):
    world.peer.profile["image"] = {"type": "Image", "url": bad}


def _actor_icon_as_string(world, bad):
    world.peer.profile["icon"] = bad


@pytest.mark.parametrize("field", [_actor_url, _actor_url_as_link, _actor_icon, _actor_image, _actor_icon_as_string],
                         ids=lambda f: f.__name__.lstrip("_"))
def test_an_actor_document_with_a_hostile_url_is_stored_without_it(world, field):
    for name, bad in HOSTILE_URLS.items():
        field(world, bad)
        actor = actor_fetch(world.peer.actor_id, refresh=True)
        assert actor.url == world.peer.actor_id, name  # the profile link falls back to the id
        assert actor.icon_url == "" and actor.image_url == "", name
        assert_clean(stored_text(), f"stored rows ({name})")


def _post_url(world, bad):
    return world.note(world.peer, "url") | {"url": bad}


def _post_url_as_link(world, bad):
    return world.note(world.peer, "url-link") | {"url": [{"type": "Link", "href": bad}]}


def _event_location_url(world, bad):
    now = timezone.now()
    return world.note(world.peer, "event") | {
        "type": "Event", "name": "Fachtag", "startTime": (now + timedelta(days=3)).isoformat(),
        "endTime": (now + timedelta(days=3, hours=2)).isoformat(),
        "location": {"type": "Place", "name": "Online", "url": bad},
    }


def _attachment_url(world, bad):
    return world.note(world.peer, "attachment") | {
        "attachment": [{"type": "Image", "mediaType": "image/png", "url": bad, "name": "Bild"}],
    }


def _attachment_url_as_link(world, bad):
    return world.note(world.peer, "attachment-link") | {
        "attachment": [{"type": "Document", "url": [{"type": "Link", "href": bad}]}],
    }


def _mention_href(world, bad):
    return world.note(world.peer, "mention") | {"tag": [{"type": "Mention", "href": bad, "name": "@x@y"}]}


def _hashtag_href(world, bad):
    return world.note(world.peer, "hashtag") | {"tag": [{"type": "Hashtag", "href": bad, "name": "#gleichimnetz"}]}


def _link_in_content(world, bad):
    return world.note(world.peer, "content", content=f'<p><a href="{bad}">Hallo</a> <a href="{bad}">#tag</a></p>')


POST_FIELDS = [_post_url, _post_url_as_link, _event_location_url, _attachment_url, _attachment_url_as_link,
               _mention_href, _hashtag_href, _link_in_content]


@pytest.mark.parametrize("field", POST_FIELDS, ids=lambda f: f.__name__.lstrip("_"))
def test_a_remote_object_with_a_hostile_url_is_stored_without_it(client, world, field):
    api = Api(issue_token(world.target))
    for name, bad in HOSTILE_URLS.items():
        obj = field(world, bad)
        obj["id"] += f"-{name}"
        post = _deliver(client, world, obj)
        assert post is not None, name  # the post itself is welcome; only the URL is left out
        assert post.url == obj["id"], name
        assert not Attachment.objects.filter(post=post).exists(), name
        assert_clean(stored_text(), f"stored rows ({name})")
        assert_clean(api.get(f"/api/v1/statuses/{post.id}").content.decode(), f"the API ({name})")


# ---------------------------------------------------------------- 2. at render (rows that carry one anyway)

BAD = HOSTILE_URLS["javascript"]
BAD_DATA = HOSTILE_URLS["data_html"]


@pytest.fixture
def hostile_rows(world):
    """A linked member on the hostile server whose stored rows carry hostile URLs in every link-ish column, as rows
    stored before the door checked them would."""
    actor = actor_fetch(world.peer.actor_id)
    Actor.objects.filter(id=actor.id).update(url=BAD, icon_url=BAD_DATA, image_url=BAD)
    actor.refresh_from_db()
    member = profile_create(actor=actor, city="Berlin", state="BE", latitude=52.5, longitude=13.4)
    now = timezone.now()
    note = Post.objects.create(
        id=9_000_001, uri=f"{world.peer.base}/notes/stored", url=BAD, author=actor, local=False, type="Note",
        visibility="public", content="<p>Aus der Praxis</p>", published=now,
    )
    Attachment.objects.create(owner=actor, post=note, remote_url=BAD_DATA, media_type="image/png")
    article = Post.objects.create(
        id=9_000_002, uri=f"{world.peer.base}/articles/stored", url=BAD, author=actor, local=False, type="Article",
        name="Ein Artikel", visibility="public", content="<p>Text</p>", published=now,
    )
    event = Post.objects.create(
        id=9_000_003, uri=f"{world.peer.base}/events/stored", url=BAD, author=actor, local=False, type="Event",
        name="Fachtag", visibility="public", content="<p>Kommt alle</p>", published=now,
        starts_at=now + timedelta(days=2), ends_at=now + timedelta(days=2, hours=2),
        extra={"location": {"type": "Place", "name": "Online", "url": BAD},
               "material": [{"name": "Folien", "url": BAD}]},
    )
    return {"actor": actor, "member": member, "note": note, "article": article, "event": event}


def test_a_local_post_mentioning_a_hostile_actor_does_not_copy_its_link(world, hostile_rows):
    actor = hostile_rows["actor"]
    post = post_create(author=world.target, text=f"Hallo @{actor.username}@{actor.domain}!", visibility="public")
    assert actor in post.mentions.all()  # the mention is made, to the actor's id
    assert f'href="{actor.uri}"' in post.content
    assert_clean(post.content, "the local post's content")


def _pages(rows) -> list[str]:
    actor, event, article = rows["actor"], rows["event"], rows["article"]
    handle = actor.handle
    return [
        "/", "/members/", f"/members/{handle}/", "/events/", f"/events/{event.id}/", "/blog/",
        f"/blog/{article.id}/", "/map/", "/map.geojson", "/feed.rss", "/feed.atom", "/blog/feed.rss",
        f"/members/{handle}/feed.rss", f"/members/{handle}/feed.atom", "/events.ics", f"/events/{event.id}.ics",
    ]


def test_every_page_renders_the_hostile_rows_without_their_urls(world, hostile_rows):
    browser = Client()
    for path in _pages(hostile_rows):
        response = browser.get(path)
        assert response.status_code == 200, (path, response.status_code)
        assert_clean(response.content.decode(), path)
    # the rows were rendered, not skipped: the post and the event are on their pages
    assert "Aus der Praxis" in browser.get("/").content.decode()
    assert "Fachtag" in browser.get(f"/events/{hostile_rows['event'].id}/").content.decode()


def test_staff_see_the_hostile_rows_without_their_urls(world, hostile_rows):
    from django.contrib.auth import get_user_model

    staff = get_user_model().objects.create_user("staff", "staff@example.org", "staff-pass-1", is_staff=True)
    browser = Client()
    browser.force_login(staff)
    for path in [*_pages(hostile_rows), "/moderation/"]:
        response = browser.get(path)
        assert response.status_code == 200, (path, response.status_code)
        assert_clean(response.content.decode(), path)


def test_the_api_entities_carry_no_hostile_url(world, hostile_rows):
    api = Api(issue_token(world.target))
    actor, note, event = hostile_rows["actor"], hostile_rows["note"], hostile_rows["event"]
    mentioning = post_create(author=world.target, text=f"Hallo @{actor.username}@{actor.domain}", visibility="public")
    for path in [
        f"/api/v1/accounts/{actor.id}", f"/api/v1/accounts/{actor.id}/statuses", f"/api/v1/statuses/{note.id}",
        f"/api/v1/statuses/{event.id}", f"/api/v1/statuses/{mentioning.id}", "/api/v1/timelines/public",
        f"/api/v1/accounts/lookup?acct={actor.handle}",
    ]:
        response = api.get(path)
        assert response.status_code == 200, (path, response.content)
        assert_clean(response.content.decode(), path)
    account = orjson.loads(api.get(f"/api/v1/accounts/{actor.id}").content)
    assert account["url"] == actor.uri
    assert account["avatar"].startswith("http") and account["header"].startswith("http")
    status = orjson.loads(api.get(f"/api/v1/statuses/{note.id}").content)
    assert status["url"] == note.uri
    assert status["media_attachments"][0]["remote_url"] is None
    mention = orjson.loads(api.get(f"/api/v1/statuses/{mentioning.id}").content)["mentions"][0]
    assert mention["url"] == actor.uri


def test_the_safe_url_filter():
    from fediverse_node.templatetags.links import safe_url

    for bad in [*HOSTILE_URLS.values(), "//evil.example/x", "/\\evil.example", "https://", "ftp://x.example/",
                "https://exa mple.org/", None, 42]:
        assert safe_url(bad) == "", bad
    assert safe_url("https://example.org/a?b=c") == "https://example.org/a?b=c"
    assert safe_url("/media/a.png") == "/media/a.png"
    assert safe_url(BAD, "https://example.org/id") == "https://example.org/id"
    assert safe_url(BAD, BAD) == ""
