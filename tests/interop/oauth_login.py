"""Filling the node's OAuth pages the way a person does in a browser: log in, then allow the app."""

from html.parser import HTMLParser
from urllib.parse import parse_qs, urljoin, urlsplit

import requests


class _FormReader(HTMLParser):
    """The first form of a page: its action and all its input fields; also the text of <code> elements."""

    def __init__(self):
        super().__init__()
        self.action: str | None = None
        self.fields: dict[str, str] = {}
        self.codes: list[str] = []
        self._in_form = self._in_code = False
        self._forms_seen = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and self._forms_seen == 0:
            self._in_form, self.action = True, attrs.get("action")
        elif tag == "input" and self._in_form and attrs.get("name") and attrs.get("type") != "submit":
            self.fields[attrs["name"]] = attrs.get("value") or ""
        elif tag == "code":
            self._in_code = True
            self.codes.append("")

    def handle_endtag(self, tag):
        if tag == "form" and self._in_form:
            self._in_form = False
            self._forms_seen += 1
        elif tag == "code":
            self._in_code = False

    def handle_data(self, data):
        if self._in_code:
            self.codes[-1] += data


def _read(html: str) -> _FormReader:
    reader = _FormReader()
    reader.feed(html)
    return reader


def authorization_code(*, authorize_url: str, username: str, password: str) -> str:
    """Log in on the node's page and allow the app; the code from the redirect or from the oob page."""
    session = requests.Session()
    response = session.get(authorize_url, allow_redirects=True, timeout=20)
    response.raise_for_status()
    login = _read(response.text)
    assert "password" in login.fields, f"expected the log-in page, got {response.url}"
    login.fields.update(username=username, password=password)
    response = session.post(urljoin(response.url, login.action or response.url), data=login.fields, timeout=20)
    response.raise_for_status()
    consent = _read(response.text)
    assert "client_id" in consent.fields, f"expected the consent page, got {response.url}: {response.text[:300]}"
    response = session.post(
        urljoin(response.url, consent.action or response.url), data={**consent.fields, "decision": "allow"},
        allow_redirects=False, timeout=20,
    )
    if response.status_code in (301, 302, 303):
        query = parse_qs(urlsplit(response.headers["Location"]).query)
        return query["code"][0]
    response.raise_for_status()
    codes = [c.strip() for c in _read(response.text).codes if c.strip()]
    assert codes, f"no <code> on the page: {response.text[:300]}"
    return codes[0]
