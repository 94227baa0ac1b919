"""django-oauth-toolkit's validator, bent to how Mastodon clients use OAuth.

A Mastodon app may use every grant (DOT allows one per application), registers redirect URIs of any scheme
(`oauth2redirect://…`, `urn:ietf:wg:oauth:2.0:oob`) matched exactly, and is limited to the scopes it
registered. PKCE is verified when a client sends it and never required (none of the libraries sends it).
"""

from django.conf import settings
from oauth2_provider.oauth2_validators import OAuth2Validator

from ..models import ClientApp
from ..scopes import ALL_SCOPES, parse_scopes, scope_allows

BASE_GRANTS = {"authorization_code", "client_credentials", "refresh_token"}


def allowed_grants() -> set[str]:
    return BASE_GRANTS | ({"password"} if settings.FEDINODE_OAUTH_PASSWORD_GRANT else set())


def app_scopes(application) -> list[str]:
    try:
        return parse_scopes(application.client_app.scopes)
    except ClientApp.DoesNotExist:
        return ["read"]


class MastodonValidator(OAuth2Validator):
    def validate_grant_type(self, client_id, grant_type, client, request, *args, **kwargs):
        return grant_type in allowed_grants()

    def validate_response_type(self, client_id, response_type, client, request, *args, **kwargs):
        return response_type == "code"

    def validate_redirect_uri(self, client_id, redirect_uri, request, *args, **kwargs):
        return redirect_uri in request.client.redirect_uris.split()

    def validate_scopes(self, client_id, scopes, client, request, *args, **kwargs):
        registered = frozenset(app_scopes(client))
        return all(s in ALL_SCOPES and scope_allows(registered, s) for s in scopes)

    def get_default_scopes(self, client_id, request, *args, **kwargs):
        return app_scopes(request.client)
