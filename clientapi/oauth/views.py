"""OAuth 2 for Mastodon clients: app registration, the node's own log-in and consent pages, tokens, revocation."""

import time
from urllib.parse import parse_qs, urlencode, urlsplit

import orjson
from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext
from django.views.decorators.csrf import csrf_exempt
from oauth2_provider.exceptions import FatalClientError, OAuthToolkitError
from oauth2_provider.generators import generate_client_secret
from oauth2_provider.models import Application
from oauth2_provider.oauth2_backends import get_oauthlib_core

from fediverse_node.errors import NUL_IN_FORM

from ..entities.apps import application_entity
from ..http import APP, PUBLIC, ApiError, json_answer
from ..http import endpoint as api_endpoint
from ..models import ClientApp
from ..scopes import ALL_SCOPES, parse_scopes, unknown_scopes
from .validator import allowed_grants

OOB = "urn:ietf:wg:oauth:2.0:oob"
AUTHORIZE_FIELDS = ("client_id", "redirect_uri", "response_type", "scope", "state", "code_challenge",
                    "code_challenge_method")


def _redirect_uris(value) -> list[str]:
    """Redirect URIs as clients send them: a JSON array, or one string with several separated by spaces/newlines."""
    if isinstance(value, list):
        items = [str(v) for v in value]
    else:
        items = str(value or "").split()
    return [uri.strip() for uri in items if uri.strip()]


def _valid_redirect_uri(uri: str) -> bool:
    # Any scheme is fine (apps register `oauth2redirect://…`, `com.example:/cb`, the oob urn), but not scripts.
    scheme = urlsplit(uri).scheme.lower()
    return bool(scheme) and scheme not in {"javascript", "data", "vbscript", "file"} and len(uri) <= 2000


@api_endpoint(auth=PUBLIC)
def apps_create(request: HttpRequest, caller, params) -> dict:
    """POST /api/v1/apps: register a client application (Mastodon's CredentialApplication)."""
    name = params.str("client_name").strip()
    if not name:
        raise ApiError(422, "Validation failed: client_name can't be blank")
    if len(name) > 200:
        raise ApiError(422, "Validation failed: client_name is too long (maximum is 200 characters)")
    uris = _redirect_uris(params.raw("redirect_uris"))
    if not uris:
        raise ApiError(422, "Validation failed: redirect_uris can't be blank")
    bad = [uri for uri in uris if not _valid_redirect_uri(uri)]
    if bad:
        raise ApiError(422, f"Validation failed: redirect_uris must be absolute URIs ({bad[0]!r} is not)")
    raw_scopes = params.raw("scopes")
    scopes = parse_scopes(" ".join(raw_scopes) if isinstance(raw_scopes, list) else (raw_scopes or "read"))
    if unknown_scopes(scopes):
        raise ApiError(422, f"Validation failed: unknown scope {unknown_scopes(scopes)[0]!r}")
    website = params.str("website").strip()[:500]
    secret = generate_client_secret()
    application = Application(
        name=name,
        redirect_uris=" ".join(uris),
        client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
        client_secret=secret,
    )
    application.save()
    ClientApp.objects.create(application=application, website=website, scopes=" ".join(scopes))
    return application_entity(application, client_secret=secret)


@api_endpoint(auth=APP)
def apps_verify(request: HttpRequest, caller, params) -> dict:
    """GET /api/v1/apps/verify_credentials: the application of the token."""
    return application_entity(caller.application)


def _error_page(request: HttpRequest, message: str, status: int = 400) -> HttpResponse:
    return render(request, "clientapi/oauth_error.html", {"message": message}, status=status)


def _redirect(location: str) -> HttpResponse:
    # Django's HttpResponseRedirect refuses schemes other than http(s) and ftp; apps use their own.
    response = HttpResponse(status=302)
    response["Location"] = location
    return response


def _login_again(request: HttpRequest) -> HttpResponse:
    query = request.GET.copy()
    query.pop("force_login", None)
    return redirect_to_login(f"{request.path}?{query.urlencode()}")


def authorize(request: HttpRequest) -> HttpResponse:
    """/oauth/authorize: log in (the node's own page), then consent; the code goes to the app or onto the page."""
    if request.method == "POST":
        return _authorize_decide(request)
    if not request.user.is_authenticated:
        return _login_again(request)
    if request.GET.get("force_login", "").lower() in ("true", "1"):
        # A GET must not log anyone out (any site could link here): ask, and log out on the confirming POST.
        return _switch_account_page(request)
    refusal = _pkce_refusal(request.GET)
    if refusal:
        return _error_page(request, refusal)
    core = get_oauthlib_core()
    try:
        scopes, credentials = core.validate_authorization_request(request)
    except FatalClientError as error:
        return _error_page(request, error.oauthlib_error.description or error.oauthlib_error.error)
    except OAuthToolkitError as error:
        return _error_page(request, error.oauthlib_error.description or error.oauthlib_error.error)
    actor = getattr(request.user, "actor", None)
    if actor is None:
        return _error_page(request, "This log-in has no member profile to act for.", status=403)
    application = Application.objects.get(client_id=credentials["client_id"])
    fields = {
        "client_id": credentials["client_id"],
        "redirect_uri": credentials["redirect_uri"],
        "response_type": "code",
        "scope": " ".join(scopes),
        "state": credentials.get("state") or "",
        "code_challenge": credentials.get("code_challenge") or "",
        "code_challenge_method": credentials.get("code_challenge_method") or "",
    }
    return render(
        request,
        "clientapi/authorize.html",
        {"application": application, "actor": actor, "scopes": scopes, "fields": fields},
    )


def _switch_account_page(request: HttpRequest) -> HttpResponse:
    """An app asked for a fresh log-in (force_login): offer to switch accounts or to go on as who is logged in."""
    query = request.GET.copy()
    query.pop("force_login", None)
    fields = {name: query.get(name, "") for name in AUTHORIZE_FIELDS if query.get(name)}
    return render(request, "clientapi/switch_account.html", {
        "actor": getattr(request.user, "actor", None), "fields": fields,
        "continue_url": f"{request.path}?{query.urlencode()}",
    })


def _pkce_refusal(params) -> str:
    """Only S256 (as the metadata says): `plain` sends the verifier itself through the browser, so a code caught
    on the way could be redeemed. A challenge without a method is plain by RFC 7636 §4.3."""
    if params.get("code_challenge") and params.get("code_challenge_method") != "S256":
        return gettext("PKCE: only the code challenge method S256 is supported.")
    return ""


def _authorize_decide(request: HttpRequest) -> HttpResponse:
    core = get_oauthlib_core()
    fields = {name: request.POST.get(name, "") for name in AUTHORIZE_FIELDS}
    if any("\x00" in value for value in fields.values()):  # PostgreSQL refuses one in the app's lookup: a 500
        return _error_page(request, str(NUL_IN_FORM))
    if request.POST.get("switch_account") and request.user.is_authenticated:
        logout(request)  # a POST with our CSRF token: the member chose it on the switch-account page
        return redirect_to_login(f"{request.path}?{urlencode({k: v for k, v in fields.items() if v})}")
    if not request.user.is_authenticated:
        return redirect_to_login(f"{request.path}?{urlencode({k: v for k, v in fields.items() if v})}")
    refusal = _pkce_refusal(fields)
    if refusal:
        return _error_page(request, refusal)
    if getattr(request.user, "actor", None) is None:
        return _error_page(request, "This log-in has no member profile to act for.", status=403)
    application = Application.objects.filter(client_id=fields["client_id"]).first()
    if application is None or fields["redirect_uri"] not in application.redirect_uris.split():
        # checked before anything else: a refusal is sent to the redirect URI, which must be the app's own
        return _error_page(request, "Unknown app or redirect URI.")
    credentials = {k: v for k, v in fields.items() if v and k != "scope"}
    scopes = parse_scopes(fields["scope"])
    allow = request.POST.get("decision") == "allow"
    try:
        location, _headers, _body, _status = core.create_authorization_response(request, scopes, credentials, allow)
    except FatalClientError as error:
        return _error_page(request, error.oauthlib_error.description or error.oauthlib_error.error)
    except OAuthToolkitError as error:
        if fields["redirect_uri"] == OOB:
            return _error_page(request, error.oauthlib_error.description or error.oauthlib_error.error, status=403)
        return _redirect(error.oauthlib_error.in_uri(fields["redirect_uri"]))
    if fields["redirect_uri"] == OOB:
        code = parse_qs(urlsplit(location).query).get("code", [""])[0]
        return render(request, "clientapi/oob.html", {"code": code})
    return _redirect(location)


@csrf_exempt
def token(request: HttpRequest) -> HttpResponse:
    """POST /oauth/token: authorization_code (PKCE optional), client_credentials, refresh_token, password."""
    if request.method != "POST":
        return json_answer({"error": "Use POST to get a token."}, status=405)
    _uri, headers, body, status = get_oauthlib_core().create_token_response(request)
    data = orjson.loads(body) if body else {}
    if status == 200:
        # Mastodon's Token entity carries created_at; Mastodon.py checks the scope covers what it asked for.
        data["created_at"] = int(time.time())
    extra = {k: v for k, v in headers.items() if k.lower() in ("cache-control", "pragma", "www-authenticate")}
    return json_answer(data, status=status, headers=extra)


@csrf_exempt
def revoke(request: HttpRequest) -> HttpResponse:
    """POST /oauth/revoke: revoke a token; answers `{}` like Mastodon."""
    if request.method != "POST":
        return json_answer({"error": "Use POST to revoke a token."}, status=405)
    _uri, _headers, body, status = get_oauthlib_core().create_revocation_response(request)
    if status == 200:
        return json_answer({})
    data = orjson.loads(body) if body else {"error": "unauthorized_client"}
    return json_answer(data, status=403 if status == 401 else status)


def authorization_server_metadata(request: HttpRequest) -> HttpResponse:
    """/.well-known/oauth-authorization-server (RFC 8414): lists S256 so Phanpy uses PKCE."""
    base = settings.FEDINODE_BASE_URL
    return json_answer(
        {
            "issuer": f"{base}/",
            "service_documentation": "https://docs.joinmastodon.org/",
            "authorization_endpoint": f"{base}/oauth/authorize",
            "token_endpoint": f"{base}/oauth/token",
            "revocation_endpoint": f"{base}/oauth/revoke",
            "app_registration_endpoint": f"{base}/api/v1/apps",
            "scopes_supported": list(ALL_SCOPES),
            "response_types_supported": ["code"],
            "response_modes_supported": ["query", "fragment", "form_post"],
            "code_challenge_methods_supported": ["S256"],
            "grant_types_supported": sorted(allowed_grants()),
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post", "none"],
        }
    )

