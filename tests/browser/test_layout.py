"""The site's frame in a real browser: no page scrolls sideways on a 390 px phone or at 320 px, the header says who
is signed in and signs out, the focus ring is visible. Screenshots at 1280 and 390 px go to test-artifacts/."""

import re

import pytest
from django.core.cache import cache

from community.models import MemberProfile
from operations.demo import demo_data_create
from tests.browser.test_site import go
from tests.conftest import SCREENSHOTS, screenshot

PAGES = ["/", "/feed/", "/members/", "/members/tafel_dresden/", "/events/", "/blog/", "/auth/login/", "/kontakt/",
         "/impressum/", "/apply/"]
LONG_NAME = "Arbeiterwohlfahrtskreisverbandsgeschäftsstellenkoordinationsbeauftragte"


def overflow(page) -> int:
    """How many pixels the page is wider than the window (0: no sideways scrolling)."""
    return page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")


@pytest.fixture
def demo_site(transactional_db, live_server):
    """The demo data on a live server, set up before the browser starts (Playwright runs an event loop)."""
    cache.clear()
    demo_data_create()
    # a member with a very long word and e-mail address: the usual cause of sideways scrolling
    profile = MemberProfile.objects.get(actor__username="tafel_dresden")
    profile.description = f"{LONG_NAME} " * 3
    profile.contact_email = f"{LONG_NAME.lower()}@sehr-lange-domain-fuer-einen-test.example"
    profile.save()
    return live_server


def test_no_page_scrolls_sideways_on_phones_and_screenshots(demo_site, browser_page):
    live_server, page = demo_site, browser_page
    for width in (1280, 390, 320):
        page.set_viewport_size({"width": width, "height": 900})
        for path in PAGES:
            page.goto(f"{live_server.url}{path}")
            assert overflow(page) <= 0, f"{path} scrolls sideways at {width} px"
            if width != 320 and SCREENSHOTS:
                name = path.strip("/").replace("/", "-") or "home"
                screenshot(page, f"layout-{name}-{width}.png")


def test_header_shows_the_signed_in_member_and_signs_out(start_node, browser_page):
    node = start_node("layout", demo=False)
    node.cli("createorg", "verein", "--email", "v@example.org", "--password", "verein-pass-1")
    page = browser_page
    page.goto(f"{node.base}/members/")
    go(page, ".account >> text=Anmelden")
    page.wait_for_url(re.compile(r"/auth/login/\?next=/members/$"))
    page.fill("#id_username", "verein")
    page.fill("#id_password", "verein-pass-1")
    go(page, "main button[type=submit]")
    page.wait_for_url(re.compile(r"/members/$"))
    assert "Angemeldet als" in page.locator(".account").inner_text()
    page.keyboard.press("Tab")  # the skip link comes first and shows when focused
    assert page.locator(".skip").evaluate("e => e === document.activeElement")
    ring = page.locator(".skip").evaluate("e => getComputedStyle(e).backgroundColor")
    assert ring == "rgb(255, 221, 0)"
    go(page, ".account button:text('Abmelden')")
    assert page.locator(".account").inner_text().strip() == "Anmelden"
    page.goto(f"{node.base}/moderation/")
    page.wait_for_url(re.compile(r"/auth/login/\?next=/moderation/$"))
    page.fill("#id_username", "verein")
    page.fill("#id_password", "verein-pass-1")
    go(page, "main button[type=submit]")
    assert page.locator("h1").inner_text() == "Das dürfen Sie hier leider nicht"
    screenshot(page, "layout-not-allowed.png")
