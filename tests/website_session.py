"""A browser-like HTTP session on a running node's website: log in through the form, post forms with CSRF."""

import re

import requests


class WebsiteSession(requests.Session):
    def __init__(self, base: str):
        super().__init__()
        self.base = base

    def request(self, method, url, *args, **kwargs):
        kwargs.setdefault("timeout", 20)
        return super().request(method, url if url.startswith("http") else f"{self.base}{url}", *args, **kwargs)

    def submit(self, path: str, data: dict, *, form_page: str | None = None) -> requests.Response:
        """POST a form as a browser would: with the CSRF token of the page the form is on."""
        page = self.get(form_page or path).text
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        data = {**data, "csrfmiddlewaretoken": token.group(1) if token else self.cookies.get("csrftoken", "")}
        return self.post(path, data=data, headers={"Referer": f"{self.base}{form_page or path}"},
                         allow_redirects=False)


def website_login(base: str, *, username: str, password: str) -> WebsiteSession:
    session = WebsiteSession(base)
    response = session.submit("/auth/login/", {"username": username, "password": password})
    assert response.status_code == 302, f"log-in failed: {response.status_code} {response.text[:300]}"
    return session
