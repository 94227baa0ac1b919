"""A NUL character (%00) in a form's value, at the OAuth endpoints whose views read values themselves. PostgreSQL
keeps no NUL in text and refuses one in a query: each of these answered 500 there. Now: 400, the consent page's
error in the page's language, an app's JSON error, nothing stored. (Addresses: tests/test_rsgi.py; the client API's
bodies: tests/clientapi/test_statuses.py; the interaction page: tests/community/test_authorize_interaction.py;
Django's own form fields refuse a NUL at the field, tests/community/test_form_input.py.)"""

from urllib.parse import urlencode

import pytest
from django.test import Client
from oauth2_provider.models import AccessToken, Grant

from posts.models import Post
from posts.services.publishing import post_create
from tests.clientapi.conftest import PASSWORD, make_org
from tests.clientapi.test_oauth import OOB, register

pytestmark = pytest.mark.django_db
FORM = "application/x-www-form-urlencoded"


@pytest.fixture
def member():
    return make_org("kita")


def test_the_consent_form_with_a_nul_is_refused_in_the_page_language(member):
    app = register(Client())
    for language, words in [("de", "Nullzeichen (NUL"), ("en", "NUL character (an invisible")]:
        client = Client(HTTP_ACCEPT_LANGUAGE=language)
        client.force_login(member.user)
        for field, value in [("client_id", f"{app['client_id']}\x00"), ("state", "x\x00y"), ("scope", "read\x00")]:
            fields = {"response_type": "code", "client_id": app["client_id"], "redirect_uri": OOB, "scope": "read",
                      "state": "s", "decision": "allow", field: value}
            # as a browser sends a form (urlencoded), and as multipart
            for response in (client.post("/oauth/authorize", urlencode(fields), content_type=FORM),
                             client.post("/oauth/authorize", fields)):
                page = response.content.decode()
                assert response.status_code == 400 and words in page, (language, field)
                assert response["Content-Type"].startswith("text/html") and f'lang="{language}"' in page
    assert not Grant.objects.exists()


def test_the_token_endpoint_answers_an_app_in_json(member):
    app = register(Client())
    response = Client().post("/oauth/token", {
        "grant_type": "password", "client_id": f"{app['client_id']}\x00", "client_secret": app["client_secret"],
        "username": "kita", "password": PASSWORD, "scope": "read",
    })
    assert response.status_code == 400 and response.json()["error"]
    # toot, masto.js, megalodon and Elk send JSON there
    response = Client().post("/oauth/token", {
        "grant_type": "password", "client_id": f"{app['client_id']}\x00", "client_secret": app["client_secret"],
        "username": "kita", "password": PASSWORD, "scope": ["read", "x\x00"],
    }, content_type="application/json")
    assert response.status_code == 400 and response.json()["error"]
    assert not AccessToken.objects.exists()


def test_a_form_without_a_nul_passes_untouched(member):
    """The text "%00" typed into a form is sent as %2500, not a NUL: a reply with it is published."""
    post = post_create(author=make_org("pflege"), text="Wer hilft?")
    client = Client()
    client.force_login(member.user)
    body = f"uri={post.uri}&action=reply&text=50%2500+Rabatt"
    response = client.post("/authorize_interaction", body, content_type=FORM)
    assert response.status_code == 200
    assert Post.objects.filter(author=member, content__contains="50%00 Rabatt").exists()
