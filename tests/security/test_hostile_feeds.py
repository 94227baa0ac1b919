"""Hostile cases, members' website feeds: every field of a feed is hostile. A feed full of script, javascript:
links, data: pictures, endless texts and tags, entity tricks (an external entity, a billion laughs) or wrong JSON
types becomes bounded, sanitised posts, or a clear error on the feed; never a 500, never a file of ours or a link
that runs script."""

import orjson
import pytest
from django.test import Client

from actors.services.local import organization_create
from community.feed_reading import MAX_ENTRIES, MAX_TAGS, MAX_TITLE, feed_parse
from community.models import FeedEntry
from community.services.member_feeds import feed_add, feed_poll
from community.services.profiles import profile_create
from posts.models import Attachment, Post
from tests.feed_server import FeedSite, Route

from .test_hostile_links import assert_clean

pytestmark = pytest.mark.django_db


@pytest.fixture
def member():
    actor = organization_create(username="verein", email="v@example.org", password="verein-pass-1")
    profile_create(actor=actor, city="Kiel", state="SH")
    return actor


@pytest.fixture
def site():
    served = FeedSite()
    yield served
    served.close()


def _poll(member, site, body, content_type="application/rss+xml"):
    site.routes["/feed"] = Route(body=body, content_type=content_type)
    feed = feed_add(profile=member.member_profile, url=f"{site.base}/feed", confirmed=True)
    return feed, feed_poll(feed=feed)


def _pages(member) -> str:
    client = Client()
    pages = [client.get("/feed/"), client.get("/members/verein/")]
    pages += [client.get(f"/posts/{p.id}/") for p in Post.objects.filter(author=member)]
    client.force_login(member.user)
    pages.append(client.get("/members/verein/feeds/"))
    assert all(page.status_code == 200 for page in pages), [page.status_code for page in pages]
    return "".join(page.content.decode() for page in pages)


HOSTILE_ITEM = """<item>
<guid>{guid}</guid>
<title>&lt;script&gt;document.cookie&lt;/script&gt;&lt;b&gt;Titel{long_title}</title>
<link>javascript:alert(document.domain)</link>
<description><![CDATA[<p onclick="alert(1)">Hallo</p><script>alert(2)</script><a href="javascript:alert(3)">x</a>
<img src="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==" alt="x" onerror="alert(4)">
<iframe src="https://evil.example/"></iframe><style>body{{display:none}}</style>]]></description>
<enclosure url="javascript:alert(5)" type="image/png" length="1"/>
{categories}
</item>"""


def test_a_feed_whose_every_field_is_hostile_becomes_a_bounded_sanitised_post(member, site):
    item = HOSTILE_ITEM.format(
        guid="g" * 100_000, long_title="T" * 50_000,
        categories="".join(f"<category>tag{n} / ../x</category>" for n in range(500)) + "<category>&lt;b&gt;</category>",
    )
    filler = "".join(f"<item><guid>f{n}</guid><title>Alt {n}</title></item>" for n in range(MAX_ENTRIES * 3))
    body = f'<?xml version="1.0"?><rss version="2.0"><channel><title>x</title><link>vbscript:msgbox(1)</link>' \
           f"{item}{filler}</channel></rss>"
    feed, result = _poll(member, site, body)
    assert result.status == "posted" and result.posted == 1
    [post] = Post.objects.filter(author=member)
    assert_clean(post.content, "the post")
    assert "<script" not in post.content and "onclick" not in post.content and "<iframe" not in post.content
    assert "<strong>document.cookieTitelTTT" in post.content  # the title is text: its markup went, the text stays
    assert len(post.content) < 3000 and post.tags.count() <= MAX_TAGS
    entry = FeedEntry.objects.get(post=post)
    assert len(entry.title) <= MAX_TITLE and entry.link == "" and len(entry.key) == 64
    assert not Attachment.objects.filter(post=post).exclude(remote_url__startswith="http").exists()
    assert FeedEntry.objects.filter(feed=feed).count() <= MAX_ENTRIES
    assert feed_parse(body=body.encode(), url=feed.url).site_url == ""  # the vbscript: site link is no site
    assert_clean(_pages(member), "the pages")


def test_an_external_entity_is_never_read_and_a_billion_laughs_does_not_expand(member, site, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("GEHEIM-1234")
    xxe = (
        f'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY xxe SYSTEM "file://{secret}">]>'
        '<rss version="2.0"><channel><title>x</title><item><guid>1</guid><title>&xxe;</title>'
        "<description>a</description></item></channel></rss>"
    )
    _feed, result = _poll(member, site, xxe)
    assert "GEHEIM" not in repr(list(Post.objects.values_list("content", "source")))
    laughs = '<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY a "hahahahahahahahahaha">' + "".join(
        f'<!ENTITY {chr(98 + n)} "{("&" + chr(97 + n) + ";") * 10}">' for n in range(9)
    ) + ']><rss version="2.0"><channel><title>x</title><item><guid>2</guid><title>&j;</title></item></channel></rss>'
    site.routes["/laughs"] = Route(body=laughs)
    feed = feed_add(profile=member.member_profile, url=f"{site.base}/laughs", confirmed=True)
    feed_poll(feed=feed)  # refused or cut: either way bounded, and no error
    assert all(len(c) < 5000 for c in Post.objects.values_list("content", flat=True))
    _pages(member)


def test_a_json_feed_with_wrong_types_everywhere_is_an_error_or_nothing(member, site):
    for document in (
        {"version": "https://jsonfeed.org/version/1.1", "items": "nope"},
        {"version": "https://jsonfeed.org/version/1.1", "title": 5, "home_page_url": ["x"], "items": [
            1, None, "x", {"id": {"a": 1}, "title": ["t"], "url": {"u": 1}, "tags": {"t": 1}, "image": 7,
                           "content_html": 9, "date_published": "gestern"},
            {"id": True, "title": "Nur ein Titel", "url": "data:text/html,<script>alert(1)</script>",
             "image": "javascript:alert(1)", "tags": [1, None, "ok", "x" * 5000]},
        ]},
        [1, 2, 3],
        {"version": 1},
    ):
        site.routes["/feed"] = Route(body=orjson.dumps(document), content_type="application/feed+json")
        FeedEntry.objects.all().delete()
        feed = feed_add(profile=member.member_profile, url=f"{site.base}/feed?{id(document)}", confirmed=True)
        site.routes[f"/feed?{id(document)}"] = site.routes["/feed"]
        result = feed_poll(feed=feed)
        assert result.status in ("posted", "failed")
    [post] = Post.objects.filter(author=member)
    assert "Nur ein Titel" in post.content and [t.name for t in post.tags.all()] == ["ok"]
    assert not post.attachments.exists()
    assert_clean(post.content + repr(list(FeedEntry.objects.values_list("link", "title"))), "the JSON entry")
    _pages(member)


def test_a_feed_larger_than_the_cap_is_refused_unread(member, site):
    body = '<?xml version="1.0"?><rss version="2.0"><channel><title>x</title>' + "<!-- " + "x" * 3_000_000 + " -->"
    feed, result = _poll(member, site, body)
    assert result.status == "failed" and "larger than" in result.error
    assert not Post.objects.filter(author=member).exists()
