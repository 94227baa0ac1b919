"""A plain HTTP client of a running node's Mastodon API, logged in through the password grant."""

import requests


class ApiSession(requests.Session):
    def __init__(self, base: str, token: str):
        super().__init__()
        self.base = base
        self.headers["Authorization"] = f"Bearer {token}"

    def request(self, method, url, *args, **kwargs):
        kwargs.setdefault("timeout", 20)
        return super().request(method, url if url.startswith("http") else f"{self.base}{url}", *args, **kwargs)

    def ok(self, method: str, path: str, **kwargs):
        response = self.request(method, path, **kwargs)
        assert response.ok, f"{method} {path}: {response.status_code} {response.text}"
        return response.json()


def log_in(base: str, *, username: str, password: str, scopes: str = "read write follow push") -> ApiSession:
    """Register an app and take a token with the password grant (as `toot login_cli` does)."""
    app = requests.post(
        f"{base}/api/v1/apps",
        data={"client_name": "tests", "redirect_uris": "urn:ietf:wg:oauth:2.0:oob", "scopes": scopes},
        timeout=20,
    ).json()
    response = requests.post(
        f"{base}/oauth/token",
        data={"grant_type": "password", "username": username, "password": password, "scope": scopes,
              "client_id": app["client_id"], "client_secret": app["client_secret"]},
        timeout=20,
    )
    response.raise_for_status()
    return ApiSession(base, response.json()["access_token"])
