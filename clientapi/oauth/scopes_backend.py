"""Mastodon's scopes as django-oauth-toolkit's scopes back-end (OAUTH2_PROVIDER["SCOPES_BACKEND_CLASS"]).

Named in the settings by its path and loaded when OAuth first needs it, so the settings import no app."""

from oauth2_provider.scopes import BaseScopes
from oauth2_provider.settings import oauth2_settings

from ..scopes import ALL_SCOPES


class MastodonScopes(BaseScopes):
    def get_all_scopes(self):
        return ALL_SCOPES

    def get_available_scopes(self, application=None, request=None, *args, **kwargs):
        return list(ALL_SCOPES)

    def get_default_scopes(self, application=None, request=None, *args, **kwargs):
        return [scope for scope in oauth2_settings.DEFAULT_SCOPES if scope in ALL_SCOPES]
