"""DOT's bridge to oauthlib, reading JSON bodies too: toot, masto.js, megalodon and Elk send JSON to /oauth/token."""

import orjson
from oauth2_provider.oauth2_backends import OAuthLibCore


class MastodonOAuthLibCore(OAuthLibCore):
    def extract_body(self, request):
        if request.content_type == "application/json":
            try:
                body = orjson.loads(request.body or b"{}")
            except orjson.JSONDecodeError:
                return []
            if not isinstance(body, dict):
                return []
            pairs = [(k, " ".join(map(str, v)) if isinstance(v, list) else str(v)) for k, v in body.items() if v is not None]
        else:
            pairs = super().extract_body(request)
        # a NUL would reach the lookups of the app and its grants, which PostgreSQL answers with an error (a 500):
        # such a body is read as none, and the app is told its request is invalid (400)
        return [] if any("\x00" in k or "\x00" in v for k, v in pairs) else pairs
