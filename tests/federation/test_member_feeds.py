"""A member's website feed across two real nodes: a new entry on the member's website becomes a post of the
organisation at A (beat polls the feed) and reaches its follower at B."""

import requests

from tests.feed_server import FeedSite, Route, rss, rss_item
from tests.nodes import wait_until

MEMBER_OPTIONS = ("--city", "Kiel", "--state", "SH", "--field", "engagement")


def test_a_new_feed_entry_reaches_a_follower_on_another_node(start_node):
    site = FeedSite()
    try:
        node_a = start_node("a", env={"FEDINODE_MEMBER_FEED_POLL_SECONDS": "1"})
        node_b = start_node("b")
        node_a.cli("createorg", "verein", "--email", "v@example.org", "--password", "verein-pass-1", *MEMBER_OPTIONS)
        node_b.cli("createorg", "leser", "--email", "l@example.org", "--password", "leser-pass-1")
        verein = node_a.actor_url("verein")
        node_b.cli("follow", "leser", verein)
        wait_until(lambda: node_b.actor_url("leser") in str(
            node_a.get_json(f"{verein}/followers?page=1")["orderedItems"]), message="B follows A")

        first = rss_item("n-1", "Erster Eintrag", "<p>Schon da</p>", link=f"{site.base}/1")
        site.routes["/feed.xml"] = Route(body=rss(first, link=f"{site.base}/"), etag='"1"')
        assert "confirmed" in node_a.cli("feed", "add", "verein", f"{site.base}/feed.xml")
        assert "posted=1" in node_a.cli("feed", "poll", "verein")

        new = rss_item("n-2", "Neu auf der Website", "<p>Wir laden ein</p>", link=f"{site.base}/2",
                       categories=["Nachbarschaft"])
        site.routes["/feed.xml"] = Route(body=rss(new, first, link=f"{site.base}/"), etag='"2"')
        stored = wait_until(lambda: node_b.query(
            "from posts.models import Post\n"
            "p = Post.objects.filter(author__username='verein', content__contains='Neu auf der Website').first()\n"
            "print(json.dumps(p and [p.content, [t.name for t in p.tags.all()]]))"
        ), timeout=90, message="the new entry's post at B (beat polled the feed at A)")
        assert f'href="{site.base}/2"' in stored[0] and "Wir laden ein" in stored[0]
        assert stored[1] == ["nachbarschaft"]
        assert any(s.headers.get("If-None-Match") == '"1"' for s in site.seen)  # a conditional GET
        page = requests.get(f"{node_a.base}/feed/", timeout=10).text
        assert "Neu auf der Website" in page and "Von der Website der Organisation" in page
    finally:
        site.close()
