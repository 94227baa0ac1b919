"""A hostile server's content in a real browser: staff signed in visit every page that carries it and click every
link; no script of the hostile server runs (no dialog opens) and our pages raise no Content-Security-Policy
violation.

The hostile server is a loopback HTTP server (tests/interop/bovine_peer.py) whose actor document names
`javascript:` and `data:` URLs as its profile link, avatar and header, and which delivers signed activities: an
event whose "Link zur Videokonferenz" is `javascript:`, and posts whose url and attachments are. Staff link it as a
member organisation, so it is in the directory, the feed and the map. The door keeps those URLs out; to try the
second line of defence too, the test then writes the same URLs straight into the stored rows (as rows stored
before the door checked them would be) and looks again.
"""

import re
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

from playwright.sync_api import Error as PlaywrightError

from tests.conftest import screenshot
from tests.interop.bovine_peer import BovinePeer
from tests.nodes import wait_until

AS = "https://www.w3.org/ns/activitystreams"
PUBLIC = f"{AS}#Public"
SCRIPT = "javascript:alert(document.domain)"
DATA = "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg=="
# Installed before any page script (Playwright's init scripts are not subject to the page's policy): every
# violation a page raises is handed to the test at once, whatever the page does next.
RECORD_VIOLATIONS = """
document.addEventListener('securitypolicyviolation', (e) => {
  window.reportViolation(`${e.violatedDirective} blocked ${e.blockedURI} on ${e.documentURI}`);
});
"""

def _hostile_peer(peer: BovinePeer) -> None:
    peer.profile.update({
        "type": "Organization", "name": "Freundlicher Verein", "summary": '<p>Hallo <a href="javascript:alert(1)">x</a></p>',
        "url": SCRIPT, "icon": {"type": "Image", "url": DATA}, "image": {"type": "Image", "url": SCRIPT},
        "attachment": [{"type": "PropertyValue", "name": "Web", "value": f'<a href="{SCRIPT}">klick</a>'}],
    })


def _activities(peer: BovinePeer) -> list[dict]:
    start = datetime.now(UTC) + timedelta(days=3)
    event = {
        "@context": AS, "id": f"{peer.base}/events/fachtag", "type": "Event", "attributedTo": peer.actor_id,
        "name": "Fachtag Teilhabe", "content": "<p>Kommt alle!</p>", "url": SCRIPT, "to": [PUBLIC],
        "startTime": start.isoformat(), "endTime": (start + timedelta(hours=2)).isoformat(),
        "location": {"type": "Place", "name": "Online", "url": SCRIPT},
    }
    note = {
        "@context": AS, "id": f"{peer.base}/notes/praxis", "type": "Note", "attributedTo": peer.actor_id,
        "content": f'<p>Aus unserer Praxis <a href="{SCRIPT}">mehr</a></p>', "url": SCRIPT, "to": [PUBLIC],
        "published": datetime.now(UTC).isoformat(),
        "attachment": [{"type": "Image", "mediaType": "image/png", "url": DATA, "name": "Bild"}],
        "tag": [{"type": "Hashtag", "href": SCRIPT, "name": "#GleichImNetz"}],
    }
    for obj in (event, note):
        peer.serve(obj)
    return [
        {"@context": AS, "id": f"{obj['id']}/create", "type": "Create", "actor": peer.actor_id, "object": obj,
         "to": [PUBLIC]}
        for obj in (event, note)
    ]


def _sign_in(page, base: str) -> None:
    page.goto(f"{base}/auth/login/?next=/moderation/")
    page.fill("#id_username", "staff")
    page.fill("#id_password", "staff-pass-1")
    with page.expect_navigation():
        page.click("button[type=submit]")
    assert page.url.endswith("/moderation/"), page.url


def _click(context, url: str, index: int) -> str:
    """Click the index-th link of the page's main content in a page of its own (closed after): a navigation that
    starts late cannot cut into the next click. Returns the href, or "" for a link that was skipped."""
    page = context.new_page()
    try:
        page.goto(url)
        link = page.locator("main a[href]").nth(index)
        href = link.get_attribute("href") or ""
        assert not re.match(r"\s*(javascript|data|vbscript):", href, re.I), f"{url}: a link to {href}"
        if href.startswith("#") or not link.is_visible():
            return ""  # the map's own controls (zoom), which go nowhere, and hidden links
        try:
            with page.expect_navigation(timeout=5_000):
                link.click()
        except PlaywrightError:
            pass  # no navigation in this page: a download (.ics), a new tab, or a link that does nothing
        page.wait_for_load_state()
        return href
    finally:
        page.close()


def _visit_and_click_everything(page, base: str, paths: list[str], seen: set[str]) -> int:
    """Open each page, check every link of its main content, and click each link not clicked before in turn (the
    same post or profile link on several pages leads to the same place; seen holds what was clicked)."""
    clicked = 0
    for path in paths:
        page.goto(f"{base}{path}")
        screenshot(page, f"hostile{path.replace('/', '-').rstrip('-') or '-home'}.png")
        hrefs = page.locator("main a[href]").evaluate_all("links => links.map(link => link.getAttribute('href'))")
        for index, href in enumerate(hrefs):
            assert not re.match(r"\s*(javascript|data|vbscript):", href, re.I), f"{path}: a link to {href}"
            if href not in seen:
                seen.add(href)
                clicked += bool(_click(page.context, f"{base}{path}", index))
    return clicked


def test_staff_click_every_link_of_a_hostile_servers_content(start_node, browser_page):
    node = start_node("hostile")
    node.cli("createorg", "verein", "--email", "verein@example.org", "--password", "verein-pass-1",
             "--city", "Berlin")
    node.query(
        "from django.contrib.auth import get_user_model\n"
        "get_user_model().objects.create_user('staff', 'staff@example.org', 'staff-pass-1', is_staff=True)\n"
        "print(json.dumps(True))"
    )
    with BovinePeer("freunde") as peer:
        _hostile_peer(peer)
        for activity in _activities(peer):
            # in a thread of its own: bovine runs asyncio, and Playwright's loop already runs in this one
            with ThreadPoolExecutor(1) as pool:
                status, text = pool.submit(peer.post, f"{node.base}/inbox", activity).result()
            assert status == 202, text
        event_id, note_id = wait_until(lambda: node.query(
            "from posts.models import Post\n"
            f"ids = [Post.objects.filter(uri='{peer.base}/' + p).values_list('id', flat=True).first()"
            " for p in ('events/fachtag', 'notes/praxis')]\n"
            "print(json.dumps(ids if all(ids) else None))"
        ), timeout=90, message="the hostile event and note to be stored")
        handle = node.query(
            "from actors.models import Actor\nfrom community.services.profiles import profile_create\n"
            f"actor = Actor.objects.get(uri='{peer.actor_id}')\n"
            "profile_create(actor=actor, city='Berlin', state='BE', latitude=52.52, longitude=13.40,"
            " description='Ein Verein')\n"
            "print(json.dumps(actor.handle))"
        )
        # A member mentions the hostile organisation: our own post must not carry its link.
        node.cli("post", "verein", f"Danke an @{handle} für den Fachtag!")

        page, dialogs, console = browser_page, [], []
        violations: list[str] = []
        page.context.expose_function("reportViolation", lambda text: violations.append(text))
        page.context.add_init_script(RECORD_VIOLATIONS)
        page.context.on("dialog", lambda dialog: (dialogs.append(f"{dialog.type}: {dialog.message}"), dialog.dismiss()))
        page.context.on("console", lambda message: console.append(message.text) if message.type == "error" else None)
        _sign_in(page, node.base)
        paths = ["/", "/feed/", "/members/", f"/members/{handle}/", "/members/verein/", "/events/",
                 f"/events/{event_id}/", f"/posts/{note_id}/", "/map/", "/moderation/"]
        seen: set[str] = set()
        clicked = _visit_and_click_everything(page, node.base, paths, seen)
        assert clicked > 10  # the pages carried links, and they were clicked

        # The second line of defence: the same URLs written straight into the stored rows.
        node.query(
            "from actors.models import Actor\nfrom posts.models import Attachment, Post\n"
            f"Actor.objects.filter(uri='{peer.actor_id}').update(url={SCRIPT!r}, icon_url={DATA!r},"
            f" image_url={SCRIPT!r})\n"
            f"Post.objects.filter(author__uri='{peer.actor_id}').update(url={SCRIPT!r})\n"
            f"event = Post.objects.get(id={event_id})\n"
            f"event.extra = {{**event.extra, 'location': {{'type': 'Place', 'name': 'Online', 'url': {SCRIPT!r}}}}}\n"
            "event.save()\n"
            f"Attachment.objects.create(owner=event.author, post_id={note_id}, remote_url={DATA!r},"
            " media_type='image/png')\n"
            "print(json.dumps(True))"
        )
        # Every page that shows those rows is in paths, visited and checked again; a link is clicked again only
        # where its address changed.
        clicked += _visit_and_click_everything(page, node.base, paths, seen)

    assert not dialogs, dialogs
    assert not violations, violations
    assert not [line for line in console if "Content Security Policy" in line], console
    assert "CSP violation" not in node.log_text()
    mentioning = node.query(
        "from posts.models import Post\n"
        "print(json.dumps(Post.objects.filter(author__username='verein', local=True).latest('id').content))"
    )
    assert "javascript:" not in mentioning.lower() and peer.actor_id in mentioning
