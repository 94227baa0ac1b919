"""A plain HTTP client of a running node's Mastodon API, logged in through the password grant; Mastodon.py on the
same token; and the steps several federation tests take through it."""

import requests
from mastodon import Mastodon


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

    def status_by_url(self, url: str) -> dict:
        """A post of another server, looked up (and fetched) by its address, as an app does with a pasted link."""
        found = self.ok("GET", "/api/v2/search", params={"q": url, "resolve": "true", "type": "statuses"})["statuses"]
        assert len(found) == 1, f"{url} resolved to {found}"
        return found[0]


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


def mastodon_py(base: str, *, username: str, password: str) -> Mastodon:
    """Mastodon.py, the library of many Python apps and bots, on a token of the password grant."""
    token = log_in(base, username=username, password=password).headers["Authorization"].split()[1]
    return Mastodon(access_token=token, api_base_url=base)


def reply_like_boost(client: Mastodon, status_id: str, *, reply: str) -> None:
    """The three answers to a post that must all reach its author: a reply, a favourite and a boost."""
    client.status_post(reply, in_reply_to_id=status_id)
    client.status_favourite(status_id)
    client.status_reblog(status_id)
