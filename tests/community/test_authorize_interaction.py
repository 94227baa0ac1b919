"""/authorize_interaction?uri=…: the remote interaction page WebFinger's subscribe template points to."""

import pytest
from django.test import Client

from actors.models import Follow
from actors.services.local import organization_create

pytestmark = pytest.mark.django_db


def org(username):
    return organization_create(username=username, email=f"{username}@example.org", password="member-pass-1",
                               display_name=username.title())


def test_a_logged_in_member_follows_through_the_page():
    kita, pflege = org("kita"), org("pflege")
    client = Client()
    anonymous = client.get("/authorize_interaction", {"uri": pflege.uri})
    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/auth/login/?next=")
    client.force_login(kita.user)
    page = client.get("/authorize_interaction", {"uri": pflege.uri})
    assert page.status_code == 200 and "Pflege folgen?" in page.content.decode()
    done = client.post("/authorize_interaction", {"uri": "acct:pflege@testserver"})
    assert done.status_code == 200 and Follow.objects.filter(follower=kita, target=pflege).exists()
    assert "Sie folgen diesem Konto" in done.content.decode()


def test_missing_unknown_and_own_accounts_get_a_friendly_refusal():
    kita = org("kita")
    client = Client()
    assert client.get("/authorize_interaction").status_code == 400
    client.force_login(kita.user)
    assert client.get("/authorize_interaction", {"uri": "acct:niemand@testserver"}).status_code == 422
    assert client.get("/authorize_interaction", {"uri": kita.uri}).status_code == 422
    assert not Follow.objects.exists()
