"""A logo across two real nodes: uploaded on B's website, federated to A by Update, shown on A's website through
A's media proxy (the visitor's browser never contacts B)."""

import io
import re

import requests
from PIL import Image

from tests.nodes import wait_until
from tests.website_session import website_login

from .test_website_federation import MEMBER_OPTIONS


def test_a_logo_uploaded_on_the_website_reaches_the_other_node_and_shows_through_its_proxy(start_node):
    node_a, node_b = start_node("a"), start_node("b")
    node_b.cli("createorg", "nachbarn", "--email", "n@example.org", "--password", "nachbarn-pass-1",
               "--display-name", "Nachbarn Kiel", *MEMBER_OPTIONS)
    remote = node_b.actor_url("nachbarn")
    node_a.query(
        "from django.contrib.auth import get_user_model\n"
        "from community.services.membership import application_submit, application_approve\n"
        "staff = get_user_model().objects.create_user('redaktion', 'r@example.org', 'staff-pass-1', is_staff=True)\n"
        "app = application_submit(data=dict(organisation_name='Nachbarn Kiel', email='n@example.org',"
        f" remote_handle={remote!r}, city='Kiel', state='SH'), fields_of_work=['engagement'])\n"
        "actor = application_approve(application=app, staff_user=staff)\nprint(json.dumps(actor.uri))"
    )
    wait_until(lambda: "instance.actor" in str(node_b.get_json(f"{remote}/followers?page=1")["orderedItems"]),
               message="A's instance actor follows the linked account")

    session = website_login(node_b.base, username="nachbarn", password="nachbarn-pass-1")
    form_page = session.get("/members/nachbarn/edit/").text
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form_page).group(1)
    logo = io.BytesIO()
    Image.new("RGB", (180, 180), (150, 20, 200)).save(logo, "PNG")
    response = session.post("/members/nachbarn/edit/", data={
        "csrfmiddlewaretoken": token, "description": "Wir helfen", "city": "Kiel", "state": "SH",
        "location_public": "on",
    }, files={"logo": ("logo.png", logo.getvalue(), "image/png")},
        headers={"Referer": f"{node_b.base}/members/nachbarn/edit/"}, allow_redirects=False)
    assert response.status_code == 302, response.text[:2000]
    icon = node_b.get_json(remote)["icon"]["url"]
    assert icon.startswith(f"{node_b.base}/media/attachments/")

    stored = wait_until(lambda: node_a.query(
        "from actors.models import Actor\n"
        f"print(json.dumps(Actor.objects.get(uri={remote!r}).icon_url))"
    ) == icon, message="the Update with the new logo at A")
    assert stored
    profile = requests.get(f"{node_a.base}/members/nachbarn@{node_b.domain}/", timeout=20).text
    # the member's pictures (the header's brand mark is the site's own static file)
    sources = [src for src in re.findall(r'<img [^>]*src="([^"]+)"', profile) if "favicon" not in src]
    assert sources[0].startswith("/media-proxy/") and all(src.startswith("/") for src in sources)  # all A's own
    proxied = requests.get(f"{node_a.base}{sources[0]}", timeout=20)
    assert proxied.status_code == 200 and proxied.headers["Content-Type"] == "image/jpeg"
    red, green, blue = Image.open(io.BytesIO(proxied.content)).convert("RGB").getpixel((90, 90))
    assert abs(red - 150) < 8 and abs(green - 20) < 8 and abs(blue - 200) < 8  # B's logo, re-encoded by A
