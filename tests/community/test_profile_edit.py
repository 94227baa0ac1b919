"""A member edits its profile; its links are verified by rel="me" against a real page on loopback."""

import http.server

import pytest
from django.test import Client

from actors.services.local import organization_create
from community.services.profiles import profile_create
from tests.loopback_http import serve_thread
from tests.nodes import free_loopback_address

pytestmark = pytest.mark.django_db


class Pages(http.server.ThreadingHTTPServer):
    """Serves `pages[path]` as text/html."""

    def __init__(self, pages: dict[str, str]):
        self.pages = pages
        host, port = free_loopback_address()
        super().__init__((host, port), _Handler)
        self.base = f"http://{host}:{port}"
        serve_thread(self).start()


class _Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = self.server.pages.get(self.path, "").encode()
        self.send_response(200 if body else 404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def member():
    actor = organization_create(username="verein", email="v@example.org", password="verein-pass-1")
    profile_create(actor=actor, city="Kiel", state="SH")
    return actor


def test_member_edits_profile_and_links_are_verified_by_rel_me(member, django_capture_on_commit_callbacks):
    site = Pages({
        "/back": '<html><a rel="me noopener" href="http://testserver/members/verein/">Wir im Fediverse</a></html>',
        "/elsewhere": '<html><a rel="me" href="https://other.example/@someone">x</a></html>',
    })
    try:
        client = Client()
        client.force_login(member.user)
        form = {"description": "Neu", "postal_code": "24103", "city": "Kiel", "state": "SH",
                "fields_of_work": ["engagement"], "link_list": f"{site.base}/back\n{site.base}/elsewhere",
                "location_public": "on"}
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post("/members/verein/edit/", form)
        assert response.status_code == 302
        member.member_profile.refresh_from_db()
        assert member.member_profile.links == [
            {"url": f"{site.base}/back", "verified": True}, {"url": f"{site.base}/elsewhere", "verified": False},
        ]
        page = client.get("/members/verein/").content.decode()
        assert page.count("✓") == 1 and "Neu" in page
    finally:
        site.shutdown()


def test_profile_edit_refuses_bad_input_and_other_members(member):
    client = Client()
    client.force_login(member.user)
    response = client.post("/members/verein/edit/", {"postal_code": "1234", "link_list": "kein link", "city": "K"})
    page = response.content.decode()
    assert response.status_code == 400 and "fünf Ziffern" in page and "keine gültige Adresse" in page
    other = organization_create(username="andere", email="a@example.org", password="andere-pass-1")
    profile_create(actor=other)
    stranger = Client()
    stranger.force_login(other.user)
    assert stranger.get("/members/verein/edit/").status_code == 403
    assert Client().get("/members/verein/edit/").status_code == 302  # log in first
