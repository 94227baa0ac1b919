"""Members' website feeds, served on loopback: RSS 2.0, Atom and JSON Feed become posts of the organisation; a 304,
a 410, malformed feeds, edits as Update, the daily cap, switching off and hiding; a redirect to a private address is
refused by the production fetcher at its decision."""

import socket
from datetime import timedelta

import orjson
import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.management import call_command
from django.test import Client, override_settings
from django.utils import timezone
from django.utils.html import escape

from actors.services.local import organization_create
from community.models import FeedEntry, MemberFeed
from community.services.member_feeds import (
    MemberFeedError,
    feed_add,
    feed_poll,
    feed_switch,
    feed_verify,
    feeds_due,
)
from community.services.profiles import profile_create
from community.views.member_feeds import FEED_CHECK
from fediverse_node import ratelimit
from fediverse_node.protocol import fetcher as fetcher_module
from fediverse_node.protocol.fetcher import FetchError, SafeFetcher
from outbox.models import OutgoingActivity
from posts.models import Post
from tests.feed_server import FeedSite, Route, rss, rss_item

pytestmark = pytest.mark.django_db

PROFILE = "http://testserver/members/verein/"
HOME = f'<html><head><link rel="me" href="{PROFILE}"></head><body>Verein</body></html>'
ETAG = '"v1"'


@pytest.fixture
def member():
    actor = organization_create(username="verein", email="v@example.org", password="verein-pass-1")
    profile_create(actor=actor, city="Kiel", state="SH")
    return actor


@pytest.fixture
def site():
    served = FeedSite()
    served.page("/", HOME)
    yield served
    served.close()


def _feed(member, site, path="/feed.xml", *, confirmed=True) -> MemberFeed:
    return feed_add(profile=member.member_profile, url=f"{site.base}{path}", confirmed=confirmed)


def _items(site, *items, path="/feed.xml", etag=ETAG):
    site.routes[path] = Route(body=rss(*items, link=f"{site.base}/"), etag=etag)


def _posts(member):
    return list(Post.objects.filter(author=member).order_by("published", "id"))


def SUMMER(site) -> str:
    return rss_item(
        "a-2", "Sommerfest",
        '<p>Alle sind <b>eingeladen</b>.</p><img src="/fest.jpg" alt="Kinder am Grill"><script>alert(1)</script>',
        link=f"{site.base}/2", categories=["Soziale Arbeit", "Kiel"],
    )


def test_rss_entries_become_posts_once_and_a_304_posts_nothing(member, site):
    _items(
        site,
        SUMMER(site),
        rss_item("a-1", "Ältere Nachricht", "vorher", link=f"{site.base}/1"),
    )
    feed = _feed(member, site)
    result = feed_poll(feed=feed)
    assert (result.status, result.posted) == ("posted", 1)  # the backlog is recorded, only the newest is posted
    [post] = _posts(member)
    assert "<strong>Sommerfest</strong>" in post.content and "<b>eingeladen</b>" in post.content
    assert "<script" not in post.content and "alert" not in post.content
    assert f'href="{site.base}/2"' in post.content
    assert sorted(t.name for t in post.tags.all()) == ["kiel", "sozialearbeit"]
    [picture] = post.attachments.all()
    assert picture.remote_url == f"{site.base}/fest.jpg" and picture.description == "Kinder am Grill"
    assert post.language == "de"
    assert OutgoingActivity.objects.filter(uri=f"{post.uri}/activity", type="Create").exists()
    assert FeedEntry.objects.filter(feed=feed).count() == 2

    _items(site, rss_item("a-3", "Neu im Team", "Willkommen", link=f"{site.base}/3"),
           SUMMER(site), rss_item("a-1", "Ältere Nachricht", "vorher", link=f"{site.base}/1"), etag='"v2"')
    feed.refresh_from_db()
    assert (feed_poll(feed=feed).posted, len(_posts(member))) == (1, 2)
    feed.refresh_from_db()
    assert feed.etag == '"v2"'
    result = feed_poll(feed=feed)
    assert result.status == "not-modified" and site.seen[-1].headers.get("If-None-Match") == '"v2"'
    # a restart forgets nothing: the same entries asked afresh (no validators) post nothing again
    MemberFeed.objects.filter(pk=feed.pk).update(etag="", last_modified="")
    feed.refresh_from_db()
    assert feed_poll(feed=feed).posted == 0 and len(_posts(member)) == 2


ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="de"><title>Blog des Vereins</title>
<link href="{base}/" rel="alternate"/><id>urn:blog</id><updated>2026-12-01T10:00:00Z</updated>
<entry><id>urn:entry:1</id><title>Ehrenamt gesucht</title><link href="{base}/ehrenamt"/>
<updated>2026-12-01T10:00:00Z</updated><category term="Ehrenamt"/>
<content type="html">&lt;p&gt;Wir suchen Hilfe.&lt;/p&gt;&lt;img src="/bild.png" alt="Zwei Hände"&gt;</content></entry>
</feed>"""


def test_atom_entry_with_its_image_and_alt_text(member, site):
    site.routes["/atom.xml"] = Route(body=ATOM.format(base=site.base), content_type="application/atom+xml")
    feed = _feed(member, site, "/atom.xml")
    assert feed_poll(feed=feed).posted == 1
    [post] = _posts(member)
    assert "Ehrenamt gesucht" in post.content and "Wir suchen Hilfe." in post.content
    assert "<img" not in post.content  # the picture is an attachment, not markup
    [picture] = post.attachments.all()
    assert picture.remote_url == f"{site.base}/bild.png" and picture.description == "Zwei Hände"
    assert [t.name for t in post.tags.all()] == ["ehrenamt"]


def test_json_feed_is_read_with_orjson(member, site):
    document = {
        "version": "https://jsonfeed.org/version/1.1", "title": "Verein JSON", "home_page_url": f"{site.base}/",
        "language": "de-DE",
        "items": [
            {"id": 7, "url": f"{site.base}/j7", "title": "Tag der offenen Tür", "content_html": "<p>Kommen Sie!</p>",
             "image": f"{site.base}/tuer.webp", "tags": ["Offene Tür"], "date_published": "2026-12-02T09:00:00+01:00"},
            {"id": "x", "url": "javascript:alert(1)", "content_text": "Nur Text <b>nicht fett</b>"},
        ],
    }
    site.routes["/feed.json"] = Route(body=orjson.dumps(document), content_type="application/feed+json")
    feed = _feed(member, site, "/feed.json")
    feed_poll(feed=feed)
    [post] = _posts(member)  # the first poll posts the newest entry as written (the first); the other is recorded
    assert "Tag der offenen Tür" in post.content and "Kommen Sie!" in post.content
    assert [t.name for t in post.tags.all()] == ["offenetür"]
    assert post.attachments.get().media_type == "image/webp"
    assert FeedEntry.objects.filter(feed=feed).count() == 2
    entry = FeedEntry.objects.get(feed=feed, post__isnull=True)
    assert entry.link == ""  # a javascript: link is no link


@pytest.mark.parametrize("body, content_type", [
    (b"<rss><channel><item><title>kaputt", "application/rss+xml"),
    (b"{\"version\": \"https://jsonfeed.org/version/1\", \"items\": ", "application/feed+json"),
    (b"{\"not\": \"a feed\"}", "application/json"),
    (b"\x00\xff\xfe garbage", "application/xml"),
    (b"", "application/rss+xml"),
])
def test_a_malformed_feed_is_a_failed_poll_with_back_off_never_an_error_page(member, site, body, content_type):
    site.routes["/bad"] = Route(body=body, content_type=content_type)
    feed = _feed(member, site, "/bad")
    result = feed_poll(feed=feed)
    assert result.status == "failed" and result.error
    feed.refresh_from_db()
    assert feed.failures == 1 and feed.last_error and feed.next_poll_at > timezone.now() + timedelta(minutes=30)
    assert not _posts(member)
    client = Client()
    client.force_login(member.user)
    page = client.get("/members/verein/feeds/")
    said = feed.error_said
    assert page.status_code == 200 and said and not said.startswith("{") and escape(said[:40]) in page.content.decode()


@pytest.mark.parametrize("language, words", [
    ("de", ["der Feed ist leer", "ist nicht erreichbar: der Server hat die Verbindung abgelehnt"]),
    ("en", ["the feed is empty", "cannot fetch http://127.0.0.1:", ": it refused the connection"]),
])
def test_why_a_feed_failed_is_said_in_the_language_of_the_page_that_shows_it(member, site, language, words):
    """A poll runs in a worker, which has no reader: the reason is stored as its message and details, and the
    feed page (and the command line) says it in the reader's language."""
    site.routes["/leer"] = Route(body=b"", content_type="application/rss+xml")
    empty = _feed(member, site, "/leer", confirmed=False)
    with pytest.raises(MemberFeedError):
        feed_verify(feed=empty)
    with socket.socket() as closed:  # a port on loopback that nothing listens on: the connection is refused
        closed.bind(("127.0.0.1", 0))
        refused_url = f"http://127.0.0.1:{closed.getsockname()[1]}/feed.xml"
    unreachable = feed_add(profile=member.member_profile, url=refused_url, confirmed=True)
    assert feed_poll(feed=unreachable).status == "failed"
    client = Client(headers={"accept-language": language})
    client.force_login(member.user)
    page = client.get("/members/verein/feeds/", headers={"accept-language": language}).content.decode()
    reasons = page.count('<p class="error">')
    for word in words:
        assert escape(word) in page, word
    assert reasons == 2 and "{&quot;message" not in page and "Max retries" not in page


def test_a_hostile_servers_detail_in_the_stored_reason_is_bounded(member, site):
    """What the reason quotes of another server (here a content type of 6,000 characters) is kept short: the row
    and the page stay bounded, the page names the kind of failure in its language."""
    site.routes["/huge"] = Route(body=b"<html></html>", content_type="text/" + "x" * 6000)
    feed = _feed(member, site, "/huge")
    assert feed_poll(feed=feed).status == "failed"
    feed.refresh_from_db()
    assert 500 < len(feed.last_error) < 1200
    client = Client()
    client.force_login(member.user)
    page = client.get("/members/verein/feeds/").content.decode()
    said = page[page.find('<p class="error">'):][:700]
    assert "hat keinen Feed gesendet (Inhaltstyp: text/" in said
    assert "x" * 490 in said and "x" * 500 not in page  # "text/" and 495 x: 500 characters of the detail


def test_a_410_marks_the_feed_gone_and_it_is_not_polled_again(member, site):
    site.routes["/gone"] = Route(status=410, body="gone", content_type="text/plain")
    feed = _feed(member, site, "/gone")
    assert feed_poll(feed=feed).status == "gone"
    feed.refresh_from_db()
    assert feed.gone and feed.next_poll_at is None
    assert feed.id not in feeds_due()
    asked = len(site.seen)
    assert feed_poll(feed=feed).status == "skipped" and len(site.seen) == asked
    feed_switch(feed=feed, enabled=True)  # switched on anew, it is tried again
    assert feed.id in feeds_due()


def test_a_redirect_on_loopback_is_followed_in_the_local_setup(member, site):
    _items(site, rss_item("r-1", "Umgezogen", "neu hier"), path="/new.xml")
    site.routes["/old.xml"] = Route(status=301, location=f"{site.base}/new.xml")
    feed = _feed(member, site, "/old.xml")
    assert feed_poll(feed=feed).posted == 1


def test_a_redirect_to_a_private_address_is_refused_in_production(member, site, monkeypatch):
    """The production fetcher (no private addresses, https only) decides on every hop. The test lets its own
    loopback site through as the first hop only; the redirect's target is decided by the real guard, and no socket
    opens anywhere else (nothing is sent off loopback: the test's resolver answers, no DNS server is asked)."""
    site.routes["/feed.xml"] = Route(status=302, location="https://intranet.example/feed.xml")
    origin_host = site.base.split("//")[1].split(":")[0]
    opened: list[tuple] = []

    def open_socket(address, *args, **kwargs):
        opened.append(address)
        if address[0] != origin_host:
            raise ConnectionRefusedError("the test opens no socket off loopback")
        return socket.create_connection(address, *args[:1])

    monkeypatch.setattr(fetcher_module, "_open_socket", open_socket)
    dns = {"intranet.example": ["10.1.2.3"], origin_host: [origin_host]}

    class FirstHopOnLoopback(SafeFetcher):
        def check_url(self, url: str) -> None:
            if url.startswith(site.base):
                return
            super().check_url(url)

        def checked_addresses(self, host: str) -> list[str]:
            if host == origin_host:
                return [origin_host]
            return super().checked_addresses(host)

    production = FirstHopOnLoopback(allow_private=False, user_agent="feed-test", resolve=lambda h: dns[h])
    with pytest.raises(FetchError, match="private or reserved address"):
        production.get_feed(f"{site.base}/feed.xml")
    feed = _feed(member, site)
    result = feed_poll(feed=feed, fetcher=production)
    assert result.status == "failed" and "private or reserved" in result.error
    assert all(address[0] == origin_host for address in opened)
    assert [s.path for s in site.seen] == ["/feed.xml", "/feed.xml"]


def test_an_edited_entry_is_sent_as_update_and_a_removed_one_is_left_alone(member, site):
    _items(site, rss_item("e-1", "Erster Titel", "Text", link=f"{site.base}/e1"))
    feed = _feed(member, site)
    feed_poll(feed=feed)
    [post] = _posts(member)
    _items(site, rss_item("e-1", "Besserer Titel", "Text", link=f"{site.base}/e1"), etag='"v2"')
    feed.refresh_from_db()
    result = feed_poll(feed=feed)
    assert (result.posted, result.updated) == (0, 1)
    post.refresh_from_db()
    assert "Besserer Titel" in post.content and post.edited_at is not None
    assert OutgoingActivity.objects.filter(actor=member, type="Update").count() == 1
    _items(site, rss_item("e-2", "Anderes", "x"), etag='"v3"')  # e-1 left the feed
    feed.refresh_from_db()
    feed_poll(feed=feed)
    assert Post.objects.filter(pk=post.pk).exists() and len(_posts(member)) == 2


def test_the_daily_cap_holds_entries_back_until_a_later_poll(member, site, settings):
    settings.FEDINODE_MEMBER_FEED_DAILY_LIMIT = 2
    _items(site, rss_item("d-0", "Start", "x"))
    feed = _feed(member, site)
    feed_poll(feed=feed)
    _items(site, *[rss_item(f"d-{n}", f"Nummer {n}", "x") for n in range(5, 0, -1)], etag='"v2"')
    feed.refresh_from_db()
    result = feed_poll(feed=feed)
    assert (result.posted, result.held_back) == (1, 4)  # one of two today went to the first poll
    feed.refresh_from_db()
    assert feed.etag == ""  # the next poll asks in full, so the held-back entries are seen again
    FeedEntry.objects.filter(feed=feed).update(created_at=timezone.now() - timedelta(days=2))
    assert feed_poll(feed=feed).posted == 2
    assert [p.content.split("</strong>")[0][11:] for p in _posts(member)] == ["Start", "Nummer 1", "Nummer 2",
                                                                               "Nummer 3"]


def test_staff_set_a_feeds_own_daily_cap(member, site, settings):
    settings.FEDINODE_MEMBER_FEED_DAILY_LIMIT = 5
    _items(site, rss_item("c-0", "Start", "x"))
    feed = _feed(member, site)
    feed_poll(feed=feed)
    MemberFeed.objects.filter(pk=feed.pk).update(daily_limit=1)  # as the admin's list saves it
    _items(site, *[rss_item(f"c-{n}", f"Nummer {n}", "x") for n in range(3, 0, -1)], etag='"v2"')
    feed.refresh_from_db()
    assert (feed_poll(feed=feed).posted, len(_posts(member))) == (0, 1)  # the first poll used today's one
    MemberFeed.objects.filter(pk=feed.pk).update(daily_limit=None)
    feed.refresh_from_db()
    assert feed_poll(feed=feed).posted == 3  # back to the node's default of five


def test_switched_off_and_unverified_feeds_are_not_polled(member, site):
    _items(site, rss_item("s-1", "Still", "x"))
    feed = _feed(member, site)
    feed_switch(feed=feed, enabled=False)
    assert feed_poll(feed=feed).status == "skipped" and feed.id not in feeds_due()
    other = _feed(member, site, "/other.xml", confirmed=False)
    assert feed_poll(feed=other).status == "skipped" and other.id not in feeds_due()
    assert not site.seen


def test_verification_needs_a_rel_me_link_back_from_the_feeds_own_website(member, site):
    _items(site, rss_item("v-1", "Hallo", "x"))
    feed = _feed(member, site, confirmed=False)
    feed_verify(feed=feed)
    assert feed.verified == "rel_me" and feed.title == "Neues aus dem Verein"
    site.page("/", "<html>kein Link zurück</html>")
    other = _feed(member, site, "/feed.xml?2", confirmed=False)
    site.routes["/feed.xml?2"] = site.routes["/feed.xml"]
    with pytest.raises(MemberFeedError, match='rel="me"'):
        feed_verify(feed=other)
    # a feed naming a website on another host cannot borrow that site's link back
    site.routes["/foreign.xml"] = Route(body=rss(rss_item("f", "f"), link="https://verein.example/"))
    foreign = _feed(member, site, "/foreign.xml", confirmed=False)
    with pytest.raises(MemberFeedError, match="nicht auf dem Server"):
        feed_verify(feed=foreign)
    other.refresh_from_db()
    foreign.refresh_from_db()
    assert not other.verified and not foreign.verified


def test_the_member_adds_verifies_switches_off_and_hides_on_its_page(member, site, django_capture_on_commit_callbacks):
    _items(site, rss_item("p-1", "Vom Web", "Inhalt", link=f"{site.base}/p1"))
    client = Client()
    client.force_login(member.user)
    assert "Website-Feeds verwalten" in client.get("/members/verein/edit/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/members/verein/feeds/", {"action": "add", "url": f"{site.base}/feed.xml"})
    assert response.status_code == 302
    feed = MemberFeed.objects.get()
    assert feed.verified == "rel_me"  # checked in the background (eager here)
    bad = client.post("/members/verein/feeds/", {"action": "add", "url": "javascript:alert(1)"})
    assert bad.status_code == 400
    feed_poll(feed=feed)
    entry = FeedEntry.objects.get()
    feed_page = client.get("/feed/").content.decode()
    assert "Vom Web" in feed_page and "Von der Website der Organisation" in feed_page
    post_page = client.get(f"/posts/{entry.post_id}/").content.decode()
    assert f'href="{site.base}/p1"' in post_page
    client.post("/members/verein/feeds/", {"action": "hide", "id": entry.id})
    entry.refresh_from_db()
    assert entry.hidden and entry.post is None and not _posts(member)
    assert OutgoingActivity.objects.filter(actor=member, type="Delete").exists()
    _items(site, rss_item("p-1", "Vom Web, geändert", "Inhalt"), etag='"v2"')
    feed.refresh_from_db()
    assert feed_poll(feed=feed).updated == 0 and not _posts(member)  # a hidden entry stays hidden
    client.post("/members/verein/feeds/", {"action": "off", "id": feed.id})
    feed.refresh_from_db()
    assert not feed.enabled
    english = Client()
    english.force_login(member.user)
    english.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = english.get("/members/verein/feeds/").content.decode()
    assert "Website feeds" in page and "Switch on" in page and "Entries taken over" in page
    client.post("/members/verein/feeds/", {"action": "remove", "id": feed.id})
    assert not MemberFeed.objects.exists()


def test_another_member_may_not_manage_the_feeds(member, site):
    other = organization_create(username="andere", email="a@example.org", password="andere-pass-1")
    profile_create(actor=other, city="Kiel", state="SH")
    client = Client()
    client.force_login(other.user)
    assert client.get("/members/verein/feeds/").status_code == 403
    assert client.post("/members/verein/feeds/", {"action": "add", "url": f"{site.base}/x"}).status_code == 403
    assert not MemberFeed.objects.exists()


def test_the_command_line_adds_lists_polls_and_removes(member, site, capsys):
    _items(site, rss_item("c-1", "Von der Kommandozeile", "x"))
    call_command("feed", "add", "verein", f"{site.base}/feed.xml")
    assert "confirmed" in capsys.readouterr().out
    call_command("feed", "poll", "verein")
    assert "posted=1" in capsys.readouterr().out
    call_command("feed", "list")
    assert f"{site.base}/feed.xml\tstaff\tentries=1" in capsys.readouterr().out
    call_command("feed", "remove", "verein", f"{site.base}/feed.xml")
    assert not MemberFeed.objects.exists() and len(_posts(member)) == 1  # its posts stay


@override_settings(FEDINODE_MEMBER_FEED_POLL_SECONDS=60)
def test_beat_claims_each_due_feed_once(member, site):
    feed = _feed(member, site)
    assert feeds_due() == [feed.id]
    assert feeds_due() == []  # claimed under a lease


def test_check_now_is_limited_per_feed_with_a_message_in_the_pages_language(member, site, settings, monkeypatch):
    settings.FEDINODE_RATE_LIMITS = True
    monkeypatch.setattr(ratelimit, "_clock", lambda: 1_000_000_800.0)  # a window starts here: ten minutes to wait
    cache.clear()
    feed = _feed(member, site, "/missing.xml", confirmed=False)  # every check fails: the site answers 404
    client = Client()
    client.force_login(member.user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    for _ in range(FEED_CHECK.limit):
        client.post("/members/verein/feeds/", {"action": "verify", "id": feed.id})
    fetched = len(site.seen)
    assert fetched == FEED_CHECK.limit
    refused = client.post("/members/verein/feeds/", {"action": "verify", "id": feed.id}, follow=True)
    assert refused.status_code == 200 and len(site.seen) == fetched  # no fetch this time
    assert "This feed was just checked several times. Please try again in 10 minutes." in refused.content.decode()
    other = _feed(member, site, "/other.xml", confirmed=False)  # another feed is checked as before
    client.post("/members/verein/feeds/", {"action": "verify", "id": other.id})
    assert len(site.seen) == fetched + 1
