"""A member organisation adds its website's feed in a real browser (Debian chromium via Playwright): the first check
finds no rel="me" link back and says so; once the website links to the profile, "Jetzt prüfen" verifies the feed,
its entry becomes a post marked as coming from the website, and the member hides it again."""

from tests.browser.test_site import go, shot
from tests.feed_server import FeedSite, Route, rss, rss_item
from tests.nodes import wait_until


def test_member_adds_and_verifies_its_website_feed(start_node, browser_page):
    site = FeedSite()
    try:
        node = start_node("feeds")
        node.cli("createorg", "verein", "--email", "v@example.org", "--password", "verein-pass-1",
                 "--city", "Kiel", "--state", "SH", "--display-name", "Verein Kiel")
        site.page("/", "<html><body>Unser Verein, noch ohne Link</body></html>")
        site.routes["/feed.xml"] = Route(body=rss(
            rss_item("b-1", "Frühstück für alle", "<p>Jeden Samstag</p>", link=f"{site.base}/fruehstueck"),
            link=f"{site.base}/",
        ))
        page = browser_page
        page.goto(f"{node.base}/auth/login/?next=/members/verein/edit/")
        page.fill("#id_username", "verein")
        page.fill("#id_password", "verein-pass-1")
        go(page, "button[type=submit]")
        go(page, "text=Website-Feeds verwalten")
        page.fill("#id_url", f"{site.base}/feed.xml")
        go(page, "button:text('Feed hinzufügen')")
        assert "Feed eingetragen." in page.locator(".messages").inner_text()
        wait_until(lambda: node.query(
            "from community.models import MemberFeed\nprint(json.dumps(MemberFeed.objects.get().last_error))"
        ), message="the background check of the new feed")
        page.reload()
        assert "Noch nicht bestätigt" in page.locator("li.member-feed").inner_text()
        assert 'rel="me"' in page.locator("li.member-feed").inner_text()
        shot(page, "member-feed-unverified")

        site.page("/", f'<html><body><a rel="me" href="{node.base}/members/verein/">Wir im Fediverse</a></body></html>')
        go(page, "button:text('Jetzt prüfen')")
        assert "Der Feed ist bestätigt" in page.locator(".messages").inner_text()
        assert "Bestätigt" in page.locator("li.member-feed").inner_text()
        assert "Neues aus dem Verein" in page.locator("li.member-feed").inner_text()  # the feed's own title

        assert "posted=1" in node.cli("feed", "poll", "verein")
        page.goto(f"{node.base}/feed/")
        card = page.locator("article.post", has_text="Frühstück für alle")
        assert "Von der Website der Organisation" in card.inner_text()
        assert card.locator("a", has_text="Original lesen").get_attribute("href") == f"{site.base}/fruehstueck"
        shot(page, "member-feed-post")

        page.goto(f"{node.base}/members/verein/feeds/")
        go(page, "ul.feed-entries button:text('Ausblenden')")
        assert "ausgeblendet" in page.locator("ul.feed-entries").inner_text()
        page.goto(f"{node.base}/feed/")
        assert "Frühstück für alle" not in page.content()
    finally:
        site.close()
