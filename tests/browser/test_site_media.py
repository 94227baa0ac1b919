"""Logos, header images and remote pictures in a real browser (Debian chromium via Playwright) on a real node with
its demo data and a remote server on loopback: every picture loads, and every one comes from the node itself."""

import io
import re

from PIL import Image

from tests.community.test_site_media import ImageServer, image_bytes
from tests.conftest import screenshot
from tests.nodes import wait_until

# Every <img> on the page, made to load now (lazy ones too), then where it came from and whether it decoded.
# Attachment pictures (<figure>) are left to the attachment fix (issue #15, defect 1).
IMAGES_LOADED = """async () => {
  const images = [...document.querySelectorAll('img')].filter((img) => !img.closest('figure'));
  images.forEach((img) => { img.loading = 'eager'; });
  await Promise.all(images.map((img) => img.complete ? null : new Promise((done) => {
    img.addEventListener('load', done); img.addEventListener('error', done);
  })));
  return images.map((img) => ({src: img.currentSrc || img.src, width: img.naturalWidth, alt: img.getAttribute('alt'),
                               own: new URL(img.currentSrc || img.src).origin === location.origin}));
}"""


def images_on(page, url: str, name: str) -> list[dict]:
    page.goto(url)
    images = page.evaluate(IMAGES_LOADED)
    screenshot(page, f"media-{name}.png")
    assert images, f"no pictures on {url}"
    broken = [i["src"] for i in images if i["width"] == 0]
    foreign = [i["src"] for i in images if not i["own"]]
    assert not broken and not foreign, (url, broken, foreign)
    return images


def png_file(tmp_path, name: str, size, colour) -> str:
    path = tmp_path / name
    Image.new("RGB", size, colour).save(path, "PNG")
    return str(path)


def test_every_logo_and_remote_picture_loads_from_the_node_itself(start_node, browser_page, tmp_path):
    remote = ImageServer({
        "/avatar.png": ("image/png", image_bytes("PNG", size=(300, 300), colour=(30, 90, 160))),
        "/header.jpg": ("image/jpeg", image_bytes("JPEG", size=(1200, 400), colour=(240, 200, 40))),
        "/page.html": ("text/html", b"<html>not a picture</html>"),
    })
    try:
        node = start_node("media")
        # three members seeded as the demo seeds them (the whole demo takes minutes on a busy machine)
        node.query(
            "from actors.services.local import organization_create\n"
            "from community.services.profiles import profile_create, profile_images_set\n"
            "from operations.demo import DEMO_ORGS, logo_picture\n"
            "from posts.services.publishing import post_create\n"
            "for username, name, street, code, city, state, lat, lon, fields in DEMO_ORGS[:3]:\n"
            "    actor = organization_create(username=username, email=f'{username}@example.org',\n"
            "        password='kita-pass-42', display_name=name, city=city)\n"
            "    profile = profile_create(actor=actor, city=city, state=state, latitude=lat, longitude=lon)\n"
            "    profile_images_set(profile=profile, logo=logo_picture(name))\n"
            "    post_create(author=actor, text=f'Hallo aus {city}')\n"
            "print(json.dumps(1))"
        )
        node.query(
            "from django.utils import timezone\n"
            "from actors.models import Actor\n"
            "from community.services.profiles import profile_create\n"
            "from posts.models import Post\n"
            f"base, host = {remote.base!r}, {remote.host!r}\n"
            "for name, icon in (('fern', '/avatar.png'), ('kaputt', '/page.html')):\n"
            "    uri = f'{base}/users/{name}'\n"
            "    actor = Actor.objects.create(uri=uri, url=uri, username=name, domain=host, local=False,\n"
            "        type='Organization', display_name=f'Verein {name}', inbox_url=uri + '/inbox',\n"
            "        icon_url=base + icon, image_url=base + '/header.jpg', fetched_at=timezone.now())\n"
            "    profile_create(actor=actor, city='Kiel', state='SH', latitude=54.32, longitude=10.13)\n"
            "    Post.objects.create(uri=uri + '/posts/1', author=actor, content='<p>Aus der Ferne</p>',\n"
            "        published=timezone.now())\n"
            "print(json.dumps(1))"
        )
        page = browser_page
        # the members' pictures (the header's brand mark is the site's own)
        directory = [i for i in images_on(page, f"{node.base}/members/", "directory") if "favicon" not in i["src"]]
        assert len(directory) == 5 and all(i["alt"] == "" for i in directory)  # decorative: the name is beside
        assert sum("/media/attachments/" in i["src"] for i in directory) == 3  # the demo members' generated logos
        feed = images_on(page, f"{node.base}/feed/", "feed")
        assert any("/media-proxy/" in i["src"] for i in feed)  # the remote members' avatars, through the proxy
        profile = images_on(page, f"{node.base}/members/fern@{remote.host}/", "remote-profile")
        assert len({i["src"] for i in profile if "/media-proxy/" in i["src"]}) == 2  # logo (also by its post), header
        broken = images_on(page, f"{node.base}/members/kaputt@{remote.host}/", "remote-profile-broken-logo")
        assert any(i["src"].endswith(".svg") or "/media-proxy/" in i["src"] for i in broken)
        assert sorted(set(remote.hits)) == ["/avatar.png", "/header.jpg", "/page.html"]

        # The map popup shows the member's logo, from the node too.
        page.goto(f"{node.base}/map/?q=Verein+fern")
        popup_image = page.locator(".leaflet-popup-content img")
        for _ in range(5):  # a click while the map still zooms to the pins is dropped: click again
            page.locator(".leaflet-marker-pane .member-pin").first.click()
            try:
                popup_image.wait_for(timeout=4000)
                break
            except Exception:  # noqa: BLE001 (Playwright's timeout)
                continue
        wait_until(lambda: popup_image.evaluate("img => img.complete && img.naturalWidth > 0"), message="popup logo")
        assert popup_image.evaluate("img => new URL(img.src).origin") == node.base

        # A member uploads a logo and a header image on its profile form, then removes the logo.
        page.goto(f"{node.base}/auth/login/?next=/members/kita_sonnenschein/edit/")
        page.fill("#id_username", "kita_sonnenschein")
        page.fill("#id_password", "kita-pass-42")
        with page.expect_navigation():
            page.click("button[type=submit]")
        page.set_input_files("#id_logo", _text_file(tmp_path))
        page.fill("#id_description", "Was ich tippte")
        with page.expect_navigation():
            page.click("main form button[type=submit]")
        assert "kein Bild" in page.locator("#id_logo_error").inner_text()
        assert page.input_value("#id_description") == "Was ich tippte"
        screenshot(page, "media-profile-edit-error.png")
        page.set_input_files("#id_logo", png_file(tmp_path, "logo.png", (200, 200), (200, 30, 90)))
        page.set_input_files("#id_header", png_file(tmp_path, "kopf.png", (1200, 300), (20, 160, 90)))
        with page.expect_navigation():
            page.click("main form button[type=submit]")
        page.wait_for_url(re.compile(r"/members/kita_sonnenschein/$"))
        own = [i for i in images_on(page, page.url, "own-profile") if "favicon" not in i["src"]]  # not the brand mark
        colours = [_colour_of(page, i["src"]) for i in own[:2]]
        assert _near(colours[0], (20, 160, 90)) and _near(colours[1], (200, 30, 90))  # header, then the new logo
        icon = node.query("from actors.models import Actor\n"
                          "print(json.dumps(Actor.objects.get(username='kita_sonnenschein').icon_url))")
        assert icon.startswith(f"{node.base}/media/attachments/")
        page.goto(f"{node.base}/members/kita_sonnenschein/edit/")
        page.check("#id_logo_remove")
        with page.expect_navigation():
            page.click("main form button[type=submit]")
        after = images_on(page, page.url, "own-profile-logo-removed")
        assert any("/avatar-placeholder" in i["src"] for i in after)  # hashed name of the static file
    finally:
        remote.stop()


def _text_file(tmp_path) -> str:
    path = tmp_path / "kein-bild.png"
    path.write_text("<html>Dies ist kein Bild</html>")
    return str(path)


def _colour_of(page, src: str) -> tuple:
    body = page.request.get(src).body()
    return Image.open(io.BytesIO(body)).convert("RGB").getpixel((60, 60))


def _near(colour: tuple, expected: tuple) -> bool:
    return all(abs(a - b) <= 6 for a, b in zip(colour, expected, strict=True))  # re-encoded as JPEG
