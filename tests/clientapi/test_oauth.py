"""OAuth 2 as Mastodon clients use it: app registration, log-in and consent pages, the grants, scopes."""

import base64
import hashlib
import re
import secrets
from datetime import timedelta
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from django.test import Client
from django.utils import timezone
from oauth2_provider.models import AccessToken

from .conftest import PASSWORD, Api, issue_token

OOB = "urn:ietf:wg:oauth:2.0:oob"
pytestmark = pytest.mark.django_db


def register(client: Client, **fields) -> dict:
    data = {"client_name": "Tusky", "redirect_uris": OOB, "scopes": "read write follow push", **fields}
    response = client.post("/api/v1/apps", data)
    assert response.status_code == 200, response.content
    return response.json()


def hidden_inputs(html: str) -> dict:
    return dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', html))


def log_in_and_consent(client: Client, app: dict, *, redirect_uri: str = OOB, username: str, **extra) -> str:
    """Fill the node's log-in and consent pages like a person would; return the authorization code."""
    query = {"response_type": "code", "client_id": app["client_id"], "redirect_uri": redirect_uri,
             "scope": "read write follow push", "state": "xyz", **extra}
    response = client.get(f"/oauth/authorize?{urlencode(query)}")
    assert response.status_code == 302 and response["Location"].startswith("/auth/login/")
    login_page = client.get(response["Location"])
    assert login_page.status_code == 200
    next_url = parse_qs(urlsplit(response["Location"]).query)["next"][0]
    response = client.post("/auth/login/", {"username": username, "password": PASSWORD, "next": next_url})
    assert response.status_code == 302, response.content
    consent = client.get(response["Location"])
    assert consent.status_code == 200 and "Erlauben" in consent.content.decode()  # the site speaks German first
    fields = hidden_inputs(consent.content.decode())
    response = client.post("/oauth/authorize", {**fields, "decision": "allow"})
    if redirect_uri == OOB:
        assert response.status_code == 200
        return re.search(r"<code[^>]*>([^<]+)</code>", response.content.decode()).group(1)
    assert response.status_code == 302
    location = response["Location"]
    assert location.startswith(redirect_uri)
    params = parse_qs(urlsplit(location).query)
    assert params["state"] == ["xyz"]
    return params["code"][0]


def test_app_registration_accepts_form_json_several_uris_and_any_scheme():
    client = Client()
    app = register(client, redirect_uris=f"{OOB}\noauth2redirect://com.keylesspalace.tusky/", website="https://tusky.app")
    assert app["redirect_uris"] == [OOB, "oauth2redirect://com.keylesspalace.tusky/"]
    assert app["redirect_uri"] == f"{OOB}\noauth2redirect://com.keylesspalace.tusky/"
    assert app["client_id"] and app["client_secret"] and app["scopes"] == ["read", "write", "follow", "push"]
    assert "vapid_key" in app and app["website"] == "https://tusky.app"
    response = client.post(
        "/api/v1/apps/", {"client_name": "masto", "redirect_uris": ["com.tapbots.Ivory.1:/request_token"]},
        content_type="application/json",
    )
    assert response.status_code == 200 and response.json()["scopes"] == ["read"]


@pytest.mark.parametrize(
    "fields, message",
    [
        ({"client_name": ""}, "client_name"),
        ({"redirect_uris": ""}, "redirect_uris"),
        ({"redirect_uris": "not a uri"}, "redirect_uris"),
        ({"redirect_uris": "javascript:alert(1)"}, "redirect_uris"),
        ({"scopes": "read admin:everything"}, "scope"),
    ],
)
def test_app_registration_refuses_bad_input_with_422(fields, message):
    data = {"client_name": "x", "redirect_uris": OOB, **fields}
    response = Client().post("/api/v1/apps", data)
    assert response.status_code == 422
    assert response["Content-Type"] == "application/json" and message in response.json()["error"]


def test_authorization_code_flow_with_oob_code_page(org):
    client = Client()
    app = register(client)
    code = log_in_and_consent(client, app, username=org.username)
    response = client.post("/oauth/token", {
        "grant_type": "authorization_code", "code": code, "client_id": app["client_id"],
        "client_secret": app["client_secret"], "redirect_uri": OOB,
    })
    assert response.status_code == 200, response.content
    token = response.json()
    assert set(token["scope"].split()) == {"read", "write", "follow", "push"}
    assert token["token_type"].lower() == "bearer" and token["created_at"] > 0
    me = Api(token["access_token"]).get("/api/v1/accounts/verify_credentials")
    assert me.status_code == 200 and me.json()["username"] == org.username


def test_pkce_s256_with_custom_scheme_redirect_and_json_token_request(org):
    client = Client()
    redirect = "org.example.app://callback"
    app = register(client, redirect_uris=redirect)
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    code = log_in_and_consent(client, app, redirect_uri=redirect, username=org.user.email,
                              code_challenge=challenge, code_challenge_method="S256")
    body = {"grant_type": "authorization_code", "code": code, "client_id": app["client_id"],
            "client_secret": app["client_secret"], "redirect_uri": redirect}
    wrong = client.post("/oauth/token", {**body, "code_verifier": "x" * 50}, content_type="application/json")
    assert wrong.status_code == 400 and wrong.json()["error"] == "invalid_grant"
    code = log_in_and_consent(Client(), app, redirect_uri=redirect, username=org.username,
                              code_challenge=challenge, code_challenge_method="S256")
    right = client.post("/oauth/token", {**body, "code": code, "code_verifier": verifier},
                        content_type="application/json")
    assert right.status_code == 200, right.content


def test_password_grant_with_email_client_credentials_refresh_and_revoke(org):
    client = Client()
    app = register(client)
    creds = {"client_id": app["client_id"], "client_secret": app["client_secret"]}
    response = client.post("/oauth/token", {"grant_type": "password", "username": org.user.email,
                                            "password": PASSWORD, "scope": "read write", **creds})
    assert response.status_code == 200, response.content
    token = response.json()
    bad = client.post("/oauth/token", {"grant_type": "password", "username": org.user.email,
                                       "password": "wrong", "scope": "read", **creds})
    assert bad.status_code == 400 and bad.json()["error"] == "invalid_grant"
    refreshed = client.post("/oauth/token", {"grant_type": "refresh_token",
                                             "refresh_token": token["refresh_token"], **creds})
    assert refreshed.status_code == 200, refreshed.content
    app_token = client.post("/oauth/token", {"grant_type": "client_credentials", "scope": "read", **creds})
    assert app_token.status_code == 200
    verified = Api(app_token.json()["access_token"]).get("/api/v1/apps/verify_credentials")
    assert verified.status_code == 200 and verified.json()["name"] == "Tusky"
    assert Api(app_token.json()["access_token"]).get("/api/v1/timelines/home").status_code == 422
    new = refreshed.json()["access_token"]
    assert client.post("/oauth/revoke", {"token": new, **creds}).json() == {}
    assert Api(new).get("/api/v1/accounts/verify_credentials").status_code == 401


def test_scopes_are_enforced_per_route_and_bad_tokens_get_401(org):
    reader = Api(issue_token(org, scope="read"))
    assert reader.get("/api/v1/timelines/home").status_code == 200
    refused = reader.post("/api/v1/statuses", {"status": "hello"})
    assert refused.status_code == 403 and "scope" in refused.json()["error"]
    granular = Api(issue_token(org, scope="write:statuses"))
    assert granular.post("/api/v1/statuses", {"status": "hello"}).status_code == 200
    assert granular.get("/api/v1/timelines/home").status_code == 403
    for token in ("nonsense", issue_token(org, expires_in=-10)):
        response = Api(token).get("/api/v1/accounts/verify_credentials")
        assert response.status_code == 401 and response["Content-Type"] == "application/json"
        assert response.json()["error"]
    assert Api(None).get("/api/v1/accounts/verify_credentials").status_code == 401


def test_expired_token_row_is_refused(org):
    token = issue_token(org)
    AccessToken.objects.update(expires=timezone.now() - timedelta(seconds=1))
    assert Api(token).get("/api/v1/timelines/home").status_code == 401


def test_token_of_a_deactivated_user_or_a_suspended_organisation_is_refused(org):
    token = issue_token(org)
    assert Api(token).get("/api/v1/accounts/verify_credentials").json()["username"] == org.username
    type(org.user).objects.filter(pk=org.user_id).update(is_active=False)
    assert Api(token).get("/api/v1/accounts/verify_credentials").status_code == 401
    type(org.user).objects.filter(pk=org.user_id).update(is_active=True)
    type(org).objects.filter(pk=org.pk).update(suspended=True)
    assert Api(token).get("/api/v1/accounts/verify_credentials").status_code == 401


def test_application_token_has_no_account_but_reads_public_routes():
    token = issue_token(None, scope="read")
    assert Api(token).get("/api/v1/timelines/public").status_code == 200
    assert Api(token).get("/api/v1/accounts/verify_credentials").status_code == 422


def test_oauth_metadata_lists_s256_and_password():
    data = Client().get("/.well-known/oauth-authorization-server").json()
    assert data["code_challenge_methods_supported"] == ["S256"]
    assert "password" in data["grant_types_supported"]
    assert data["token_endpoint"].endswith("/oauth/token")


def test_denied_consent_redirects_with_access_denied(org):
    client = Client()
    redirect = "org.example.app://callback"
    app = register(client, redirect_uris=redirect)
    client.force_login(org.user)
    query = {"response_type": "code", "client_id": app["client_id"], "redirect_uri": redirect, "scope": "read"}
    consent = client.get(f"/oauth/authorize/?{urlencode(query)}")
    response = client.post("/oauth/authorize", {**hidden_inputs(consent.content.decode()), "decision": "deny"})
    assert response.status_code == 302 and "error=access_denied" in response["Location"]


def test_unknown_client_or_redirect_uri_shows_an_error_page(org):
    client = Client()
    app = register(client)
    client.force_login(org.user)
    for query in ({"client_id": "nope", "redirect_uri": OOB}, {"client_id": app["client_id"], "redirect_uri": "https://evil.example/"}):
        response = client.get(f"/oauth/authorize?{urlencode({'response_type': 'code', **query})}")
        assert response.status_code == 400 and "Zulassung fehlgeschlagen" in response.content.decode()


def test_the_callers_actor_is_read_whole_and_exact_with_its_token(org):
    """clientapi/auth.py reads the token, its user and its actor in one statement, by column: every field of the
    actor it builds is the stored one (JSON, booleans and dates converted as the ORM does)."""
    from django.test import RequestFactory

    from actors.models import Actor
    from clientapi.auth import caller_for

    org.fields = [{"name": "Web", "value": "https://kita.example"}]
    org.manually_approves_followers = True
    org.save()
    stored = Actor.objects.get(pk=org.pk)
    token = issue_token(org, scope="read write")
    caller = caller_for(RequestFactory().get("/", HTTP_AUTHORIZATION=f"Bearer {token}"))
    assert caller.actor is not None and not caller.invalid_token and caller.scopes == {"read", "write"}
    for field in Actor._meta.concrete_fields:
        assert getattr(caller.actor, field.attname) == getattr(stored, field.attname), field.name
    application_only = caller_for(RequestFactory().get("/", HTTP_AUTHORIZATION=f"Bearer {issue_token(None)}"))
    assert application_only.actor is None and application_only.has_token and not application_only.invalid_token
