"""A visitor, an applicant and staff use the website in a real browser (Debian chromium via Playwright), on a real
node with its demo data. Each page is saved as a screenshot in test-artifacts/."""

import re

from tests.conftest import screenshot
from tests.mapview.test_browser import visible_pins
from tests.nodes import wait_until


def go(page, selector: str) -> None:
    """Click something that loads a new page, and wait until it has."""
    with page.expect_navigation():
        page.click(selector)


def shot(page, name: str) -> None:
    screenshot(page, f"site-{name}.png")


def test_visitor_finds_a_member_reads_feed_and_blog_and_switches_language(start_node, browser_page):
    node = start_node("site", demo=True)
    page = browser_page
    page.goto(f"{node.base}/members/")
    shot(page, "directory")
    total = page.locator("li.member").count()
    assert total == 20  # the first page of 32 demo members
    page.fill("#q", "tafel")
    go(page, "form.filters button")
    assert page.locator("li.member").count() == 2
    page.select_option("#field", "armut-wohnen")
    page.fill("#q", "")
    go(page, "form.filters button")
    shot(page, "directory-filtered")
    names = page.locator("li.member h2").all_inner_texts()
    assert "Dresdner Tafel e.V." in names and all("Pflege" not in n for n in names)
    go(page, "text=Dresdner Tafel e.V.")
    page.wait_for_url(re.compile(r"/members/tafel_dresden/$"))
    assert page.locator("h1").inner_text() == "Dresdner Tafel e.V."
    assert page.locator(".handle").first.inner_text() == f"@tafel_dresden@{node.domain}"
    shot(page, "profile")

    go(page, "nav >> text=Aus der Praxis")
    assert page.locator("article.post").count() >= 20
    page.select_option("#state", "BY")
    go(page, "form.filters button")
    authors = page.locator("article.post header a").all_inner_texts()
    assert authors and all(a in ("Beratungsstelle Migration Süd", "Inklusionsbetrieb Nürnberg") for a in authors)
    shot(page, "feed")

    go(page, "nav >> text=Blog")
    go(page, "text=Pflege braucht Zeit")
    assert page.locator("article.article strong").first.inner_text() == "zwei Stunden pro Woche"
    shot(page, "article")

    # The member map with the demo data: every demo member is a pin (single or inside a cluster), offline.
    go(page, "nav >> text=Karte")
    page.wait_for_selector(".leaflet-marker-pane .marker-cluster, .leaflet-marker-pane .member-pin")
    page.wait_for_function("document.querySelectorAll('path.state-outline').length == 16")
    assert visible_pins(page) == 32
    page.select_option("select[name=field]", "armut-wohnen")
    page.wait_for_function("(n) => { const p = document.querySelectorAll('.leaflet-marker-pane .member-pin').length;"
                           " const c = [...document.querySelectorAll('.leaflet-marker-pane .marker-cluster span')]"
                           ".reduce((s, e) => s + parseInt(e.textContent), 0); return p + c == n; }", arg=4)
    page.wait_for_timeout(800)  # let the zoom animation end before the screenshot (outlines scale while it runs)
    shot(page, "map-demo")
    page.goto(f"{node.base}/blog/")
    go(page, "text=Pflege braucht Zeit")

    go(page, ".language >> text=English")
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("nav >> text=Directory").is_visible()
    shot(page, "article-en")


def test_organisation_applies_staff_approves_and_it_logs_in(start_node, browser_page):
    node = start_node("site", demo=False)
    node.query(
        "from django.contrib.auth import get_user_model\n"
        "get_user_model().objects.create_user('redaktion', 'r@example.org', 'staff-pass-1', is_staff=True)\n"
        "print(json.dumps(1))"
    )
    page = browser_page
    page.goto(f"{node.base}/apply/")
    page.fill("#id_organisation_name", "Tafel Nord e.V.")
    page.fill("#id_username", "tafel_nord")
    page.fill("#id_email", "info@tafel-nord.example")
    page.fill("#id_postal_code", "24A03")
    page.fill("#id_city", "Kiel")
    page.check("input[value='armut-wohnen']")
    go(page, "text=Antrag senden")
    assert page.locator("#id_postal_code_error").inner_text().strip() == "Eine Postleitzahl hat fünf Ziffern."
    assert page.input_value("#id_organisation_name") == "Tafel Nord e.V."  # what was typed stays
    shot(page, "apply-errors")
    page.fill("#id_postal_code", "24103")
    go(page, "text=Antrag senden")
    assert "Vielen Dank" in page.locator("h1").inner_text()

    page.goto(f"{node.base}/auth/login/?next=/moderation/")
    page.fill("#id_username", "redaktion")
    page.fill("#id_password", "staff-pass-1")
    go(page, "button[type=submit]")
    page.wait_for_url(re.compile(r"/moderation/$"))
    shot(page, "moderation")
    go(page, "text=Annehmen")
    assert "ist jetzt Mitglied" in page.locator(".messages").inner_text()
    page.context.clear_cookies()

    link = wait_until(lambda: (re.findall(r"http://\S+/auth/reset/\S+/", node.log_text()) or [None])[-1],
                      message="the welcome e-mail on the console")
    page.goto(link)
    page.fill("#id_new_password1", "neues-Passwort-42")
    page.fill("#id_new_password2", "neues-Passwort-42")
    go(page, "text=Speichern")
    assert "Passwort gespeichert" in page.locator("h1").inner_text()
    page.goto(f"{node.base}/auth/login/?next=/blog/write/")
    page.fill("#id_username", "tafel_nord")
    page.fill("#id_password", "neues-Passwort-42")
    go(page, "button[type=submit]")
    page.wait_for_url(re.compile(r"/blog/write/$"))
    page.fill("#id_title", "Unser erster Artikel")
    page.fill("#id_body", "Hallo **Fediverse**!")
    go(page, "text=Veröffentlichen")
    assert page.locator("h1").inner_text() == "Unser erster Artikel"
    shot(page, "own-article")
