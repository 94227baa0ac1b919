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
            return [(k, " ".join(v) if isinstance(v, list) else str(v)) for k, v in body.items() if v is not None]
        return super().extract_body(request)
