"""Logos and header images on the website: uploaded on the profile form (checked, re-encoded, federated), shown
with a neutral placeholder, and remote images served from our own media proxy, fetched from a real loopback server."""

import http.server
import io
import os
import re
from pathlib import Path

import orjson
import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template import Context, Template
from django.test import Client, override_settings
from django.utils import timezone
from PIL import Image

from actors.models import DomainSeverity
from actors.services.domains import domain_block
from actors.services.local import organization_create
from community import mediaproxy
from community.services.profiles import profile_create
from operations.demo import logo_initials, logo_picture
from outbox.models import OutgoingActivity
from posts.models import Attachment, Post
from tests.factories import accepted_follow, remote_actor
from tests.loopback_http import serve_thread
from tests.nodes import free_loopback_address

pytestmark = pytest.mark.django_db


def image_bytes(kind: str = "PNG", size=(120, 80), colour=(200, 40, 60), exif_gps: bool = False) -> bytes:
    out = io.BytesIO()
    image = Image.new("RGB", size, colour)
    if exif_gps:
        exif = Image.Exif()
        exif[0x010F] = "Kamera GmbH"  # Make
        exif[0x8825] = {1: "N", 2: (52.0, 31.0, 0.0)}  # GPS: where the picture was taken
        image.save(out, kind, exif=exif)
    else:
        image.save(out, kind)
    return out.getvalue()


class ImageServer(http.server.ThreadingHTTPServer):
    """A remote server on loopback: serves `files[path] = (content type, bytes)` and counts the requests."""

    def __init__(self, files: dict[str, tuple[str, bytes]]):
        self.files, self.hits = files, []
        host, port = free_loopback_address()
        super().__init__((host, port), _Handler)
        self.host = f"{host}:{port}"
        self.base = f"http://{self.host}"
        serve_thread(self).start()

    def stop(self):
        self.shutdown()
        self.server_close()


class _Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.server.hits.append(self.path)
        content_type, body = self.server.files.get(self.path, ("text/plain", b""))
        self.send_response(200 if body else 404)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def media_cache(tmp_path, settings):
    """A media cache of this test's own (and this process's idea of its size forgotten)."""
    settings.FEDINODE_MEDIA_CACHE_DIR = tmp_path / "media-cache"
    mediaproxy._usage.update(total=None, scanned_at=0.0)
    yield Path(settings.FEDINODE_MEDIA_CACHE_DIR)
    mediaproxy._usage.update(total=None, scanned_at=0.0)


@pytest.fixture
def member():
    actor = organization_create(username="verein", email="v@example.org", password="verein-pass-1",
                                display_name="Verein Beispiel")
    profile_create(actor=actor, city="Kiel", state="SH", description="Alt")
    return actor


@pytest.fixture
def client(member):
    client = Client()
    client.force_login(member.user)
    return client


def profile_form(**extra) -> dict:
    return {"description": "Neu beschrieben", "postal_code": "24103", "city": "Kiel", "state": "SH",
            "link_list": "", "location_public": "on", **extra}


def img_sources(html: str) -> list[str]:
    return re.findall(r'<img[^>]* src="([^"]*)"', html)


def test_logo_and_header_uploaded_on_the_profile_form_are_reencoded_shown_and_federated(member, client):
    accepted_follow(follower=remote_actor(host="follower.example"), target=member)
    response = client.post("/members/verein/edit/", profile_form(
        logo=SimpleUploadedFile("logo.jpg", image_bytes("JPEG", exif_gps=True), content_type="image/jpeg"),
        header=SimpleUploadedFile("kopf.png", image_bytes("PNG", size=(900, 300)), content_type="image/png"),
    ))
    assert response.status_code == 302, response.content.decode()
    member.refresh_from_db()
    assert member.icon_url.startswith("http://testserver/media/attachments/")
    assert member.image_url.startswith("http://testserver/media/attachments/")
    assert member.member_profile.description == "Neu beschrieben"  # the other fields are saved with them
    with default_storage.open(member.icon_url.removeprefix("http://testserver/media/")) as stored:
        logo = Image.open(stored)
        logo.load()
    assert logo.format == "JPEG" and not logo.getexif() and "exif" not in logo.info  # re-encoded: no GPS, no make
    update = OutgoingActivity.objects.get(type="Update")
    document = orjson.loads(bytes(update.body))["object"]
    assert document["icon"]["url"] == member.icon_url and document["image"]["url"] == member.image_url

    page = Client().get("/members/verein/").content.decode()
    own = member.icon_url.removeprefix("http://testserver")
    assert f'<img class="avatar" src="{own}" alt=""' in page  # decorative: the name stands beside it
    assert member.image_url.removeprefix("http://testserver") in page
    assert own in Client().get("/members/").content.decode()

    response = client.post("/members/verein/edit/", profile_form(logo_remove="on"))
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.icon_url == "" and member.image_url  # the header stays
    assert OutgoingActivity.objects.filter(type="Update").count() == 2
    assert "/static/community/avatar-placeholder.svg" in Client().get("/members/verein/").content.decode()


@pytest.mark.parametrize("language, message", [
    ("de", "Diese Datei ist kein Bild, das wir lesen können"),
    ("en", "This file is not an image we can read"),
])
def test_a_bad_file_gets_a_field_error_in_the_page_language_and_the_typed_fields_stay(member, client, language, message):
    response = client.post("/members/verein/edit/", profile_form(
        description="Was ich tippte", logo=SimpleUploadedFile("logo.png", b"<html>kein Bild</html>"),
    ), HTTP_ACCEPT_LANGUAGE=language)
    page = response.content.decode()
    assert response.status_code == 400 and message in page
    assert "Was ich tippte" in page  # what was typed is still in the form
    assert 'for="id_logo_remove"' in page and 'id="id_logo_helptext"' in page  # labelled, help text linked
    member.refresh_from_db()
    assert member.icon_url == "" and member.member_profile.description == "Alt"  # nothing stored
    assert not OutgoingActivity.objects.filter(type="Update").exists() and not Attachment.objects.exists()


@override_settings(FEDINODE_MEDIA_MAX_BYTES=2000)
def test_a_file_over_the_size_cap_is_refused_at_its_field(member, client):
    noise = Image.frombytes("RGB", (200, 200), os.urandom(200 * 200 * 3))
    out = io.BytesIO()
    noise.save(out, "PNG")
    response = client.post("/members/verein/edit/", profile_form(header=SimpleUploadedFile("k.png", out.getvalue())))
    assert response.status_code == 400 and "Die Datei ist zu groß" in response.content.decode()
    member.refresh_from_db()
    assert member.image_url == ""


def test_members_without_a_logo_get_the_neutral_placeholder_with_empty_alt(member):
    placeholder = '<img class="avatar" src="/static/community/avatar-placeholder.svg" alt=""'
    assert placeholder in Client().get("/members/").content.decode()
    assert placeholder in Client().get("/members/verein/").content.decode()
    svg = Path(mediaproxy.PLACEHOLDER_FILE).read_text()
    assert 'width="96"' in svg and "<script" not in svg


def test_demo_logos_are_generated_images_with_initials():
    assert logo_initials("Dresdner Tafel e.V.") == "DT"
    assert logo_initials("Selbsthilfe-Kontaktstelle Hannover") == "SK"
    assert logo_initials("Wohnen zuerst Berlin") == "WZ"
    logo = Image.open(logo_picture("Dresdner Tafel e.V."))
    assert logo.format == "PNG" and logo.size == (256, 256)
    assert logo.getpixel((128, 40)) == logo.getpixel((40, 128))  # one colour behind the letters
    assert logo_picture("Dresdner Tafel e.V.").read() == logo_picture("Dresdner Tafel e.V.").read()


@pytest.fixture
def remote_member(media_cache):
    """A member whose account lives on a remote server (on loopback), with avatar, header and a post with a photo."""
    server = ImageServer({
        "/avatar.png": ("image/png", image_bytes("PNG", size=(300, 300))),
        "/header.jpg": ("image/jpeg", image_bytes("JPEG", size=(1200, 400), exif_gps=True)),
        "/photo.jpg": ("image/jpeg", image_bytes("JPEG", size=(640, 480), exif_gps=True)),
        "/page.html": ("text/html", b"<html>no picture here</html>"),
        "/fake.png": ("image/png", b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>"),
    })
    actor = remote_actor(host=server.host, username="fern")
    actor.type, actor.display_name = "Organization", "Verein in der Ferne"
    actor.icon_url, actor.image_url = f"{server.base}/avatar.png", f"{server.base}/header.jpg"
    actor.save()
    profile_create(actor=actor, city="Kiel", state="SH")
    post = Post.objects.create(
        uri=f"{server.base}/posts/1", author=actor, content="<p>Aus der Ferne</p>", published=timezone.now(),
    )
    Attachment.objects.create(owner=actor, post=post, remote_url=f"{server.base}/photo.jpg", media_type="image/jpeg",
                              description="Ein Foto")
    yield server, actor, post
    server.stop()


def test_remote_avatar_header_and_photo_are_served_from_our_own_server(remote_member):
    server, actor, post = remote_member
    pages = [Client().get(path).content.decode() for path in ("/feed/", "/members/", f"/members/fern@{server.host}/")]
    for page in pages:  # the remote's address is in links and handles, never where a browser loads from
        assert "src=\"http" not in page and not any(f in page for f in ("/avatar.png", "/header.jpg", "/photo.jpg"))
    sources = {src for page in pages for src in img_sources(page)}
    proxied = {src for src in sources if src.startswith("/media-proxy/")}
    # avatar, header and the post's photo, all our own
    attachment = Template("{% load site_media %}{{ a|media_url }}").render(Context({"a": post.attachments.get()}))
    assert attachment.startswith("/media-proxy/") and attachment in proxied
    assert len(proxied) == 3 and all(src.startswith("/") for src in sources if src)
    for src in proxied:
        response = Client().get(src)
        assert response.status_code == 200 and response["Content-Type"] in ("image/png", "image/jpeg")
        assert response["X-Content-Type-Options"] == "nosniff" and "sandbox" in response["Content-Security-Policy"]
        image = Image.open(io.BytesIO(response.content))
        image.load()
        assert not image.getexif()  # decoded and re-encoded here: what the remote embedded is gone
    assert sorted(server.hits) == ["/avatar.png", "/header.jpg", "/photo.jpg"]
    geojson = Client().get("/map.geojson").json()
    assert [f["properties"]["avatar"] for f in geojson["features"]] == [mediaproxy.actor_avatar_url(actor)]
    preview = Client().get(f"/members/fern@{server.host}/").context["og_image"]
    assert preview.startswith("http://testserver/media-proxy/")


def test_the_cache_still_serves_when_the_remote_is_gone(remote_member):
    server, actor, _ = remote_member
    url = mediaproxy.actor_avatar_url(actor)
    first = Client().get(url)
    server.stop()
    again = Client().get(url)
    assert again.status_code == 200 and again.content == first.content and server.hits == ["/avatar.png"]


def test_tampered_or_made_up_tokens_answer_404(remote_member):
    _, actor, _ = remote_member
    url = mediaproxy.actor_avatar_url(actor)
    token = url.removeprefix("/media-proxy/")
    flipped = token[:-1] + ("A" if token[-1] != "A" else "B")
    other = mediaproxy._signer().sign("mhttp://127.0.0.1:1/x")  # a URL signed elsewhere is not one of ours
    for bad in (flipped, token.replace(token[1:12], "aHR0cDovL2V2"), "abc", other.replace(":", ":x")):
        assert Client().get(f"/media-proxy/{bad}").status_code == 404


@pytest.mark.parametrize("path", ["/page.html", "/fake.png", "/missing.png"])
def test_a_non_image_answers_a_clean_error_with_the_placeholder(remote_member, path):
    server, actor, _ = remote_member
    url = mediaproxy.proxied_url(f"{server.base}{path}", kind=mediaproxy.AVATAR)
    response = Client().get(url)
    assert response.status_code == 502 and response["Content-Type"] == "image/svg+xml"
    assert response.content == mediaproxy.placeholder_bytes() and response["X-Content-Type-Options"] == "nosniff"
    assert Client().get(url).status_code == 502 and server.hits == [path]  # a failure is remembered for a while


def test_media_of_a_server_with_rejected_media_are_not_fetched(remote_member):
    server, actor, _ = remote_member
    url = mediaproxy.actor_avatar_url(actor)  # (a page rendered before the block)
    domain_block(name=server.host, severity=DomainSeverity.NOOP, reject_media=True)
    response = Client().get(url)
    assert response.status_code == 403 and server.hits == []


def test_the_cache_stays_within_its_bound(remote_member, media_cache, settings):
    server, actor, _ = remote_member
    settings.FEDINODE_MEDIA_CACHE_MAX_BYTES = 3000
    for path in ("/avatar.png", "/header.jpg", "/photo.jpg"):
        assert Client().get(mediaproxy.proxied_url(f"{server.base}{path}")).status_code == 200
        assert sum(f.stat().st_size for f in media_cache.rglob("*") if f.is_file()) <= 3000


def test_private_addresses_are_refused_at_the_decision_function(media_cache, settings):
    """Production refuses what resolves to a private address, before any connection (no traffic leaves)."""
    settings.FEDINODE_INSECURE_HTTP = False
    mediaproxy._local.__dict__.pop("fetcher", None)
    try:
        for url in ("https://10.0.0.5/a.png", "https://127.0.0.1/a.png", "http://example.org/a.png"):
            with pytest.raises(mediaproxy.ProxyError) as refused:
                mediaproxy.proxy_image_get(url=url, kind=mediaproxy.AVATAR)
            assert refused.value.status == 502
    finally:
        mediaproxy._local.__dict__.pop("fetcher", None)


def test_other_schemes_are_never_shown():
    assert mediaproxy.proxied_url("javascript:alert(1)") == ""
    assert mediaproxy.proxied_url("data:image/png;base64,AAAA") == ""
    assert mediaproxy.proxied_url("http://testserver/media/x.png") == "/media/x.png"
