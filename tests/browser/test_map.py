"""The member map with 5,000 organisations in a real browser (Debian chromium via Playwright), on a real node:
clustering keeps the page to a few hundred marker elements at most, and every member is still counted."""

from tests.conftest import screenshot
from tests.mapview.seed import members_seed
from tests.mapview.test_browser import visible_pins

MEMBERS = 5000


def test_map_of_5000_members_is_drawn_as_clusters(start_node, browser_page):
    node = start_node("map5000")
    assert members_seed(node=node, members=MEMBERS) == MEMBERS
    page = browser_page
    page.route("**/*", lambda route: route.continue_() if route.request.url.startswith(node.base) else route.abort())
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{node.base}/map/")
    page.wait_for_selector(f".member-map[data-pins='{MEMBERS}']", state="attached", timeout=90_000)
    markers = page.locator(".leaflet-marker-pane > *").count()
    assert 0 < markers < 300, f"{markers} marker elements: is clustering working?"
    assert page.locator(".leaflet-marker-pane .marker-cluster").count() >= 1
    assert visible_pins(page) == MEMBERS  # the clusters' numbers and the single pins add up to every member
    assert page.locator("#map-count").inner_text() == f"{MEMBERS} Organisationen auf der Karte"
    assert errors == []
    screenshot(page, "map-5000.png", full_page=False)
