"""A member's website on loopback for the feed tests: pages and feeds (RSS, Atom, JSON Feed) with ETag and
Last-Modified, 304 on a matching conditional GET, any status or redirect a route asks for."""

import http.server
from dataclasses import dataclass, field

from tests.loopback_http import serve_thread
from tests.nodes import free_loopback_address


@dataclass
class Route:
    body: str | bytes = ""
    content_type: str = "application/rss+xml; charset=utf-8"
    status: int = 200
    etag: str = ""
    last_modified: str = ""
    location: str = ""


@dataclass
class Seen:
    path: str
    headers: dict[str, str] = field(default_factory=dict)


class FeedSite(http.server.ThreadingHTTPServer):
    """Serves `routes[path]`; every request is kept in `seen`."""

    daemon_threads = True

    def __init__(self, routes: dict[str, Route] | None = None):
        self.routes: dict[str, Route] = routes or {}
        self.seen: list[Seen] = []
        host, port = free_loopback_address()
        super().__init__((host, port), _Handler)
        self.base = f"http://{host}:{port}"
        serve_thread(self).start()

    def page(self, path: str, html: str) -> None:
        self.routes[path] = Route(body=html, content_type="text/html; charset=utf-8")

    def close(self) -> None:
        self.shutdown()
        self.server_close()


class _Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        server: FeedSite = self.server  # type: ignore[assignment]
        server.seen.append(Seen(self.path, dict(self.headers.items())))
        route = server.routes.get(self.path)
        if route is None:
            self._answer(404, "text/plain", b"not found")
            return
        if route.location:
            self.send_response(route.status or 302)
            self.send_header("Location", route.location)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        matches = route.etag and self.headers.get("If-None-Match") == route.etag
        if matches or (route.last_modified and not route.etag
                       and self.headers.get("If-Modified-Since") == route.last_modified):
            self.send_response(304)
            self._validators(route)
            self.end_headers()
            return
        body = route.body.encode() if isinstance(route.body, str) else route.body
        self._answer(route.status, route.content_type, body, route)

    def _validators(self, route: Route) -> None:
        if route.etag:
            self.send_header("ETag", route.etag)
        if route.last_modified:
            self.send_header("Last-Modified", route.last_modified)

    def _answer(self, status: int, content_type: str, body: bytes, route: Route | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        if route is not None:
            self._validators(route)
        self.end_headers()
        try:
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the fetcher stopped reading (a feed over its size cap)

    def log_message(self, *args):
        pass


def rss(*items: str, title: str = "Neues aus dem Verein", link: str = "") -> str:
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0" xmlns:media="http://search.yahoo.com/mrss/">'
        f"<channel><title>{title}</title><link>{link}</link><language>de</language>{''.join(items)}</channel></rss>"
    )


def rss_item(guid: str, title: str, description: str = "", link: str = "", categories=(), extra: str = "") -> str:
    cats = "".join(f"<category>{c}</category>" for c in categories)
    return (
        f"<item><guid>{guid}</guid><title>{title}</title><link>{link}</link>"
        f"<description><![CDATA[{description}]]></description>{cats}{extra}</item>"
    )
