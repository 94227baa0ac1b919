"""WSGI entry point for granian (or any WSGI server); inbox POSTs, WebFinger, actor documents and public posts as
ActivityStreams take lean paths past Django's middleware."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fediverse_node.settings")
django_application = get_wsgi_application()

from actors.fastpath import DiscoveryFastPath  # noqa: E402  (needs Django set up first)
from inbox.fastpath import InboxFastPath  # noqa: E402
from posts.fastpath import PostFastPath  # noqa: E402

from .errors import nul_refusal  # noqa: E402
from .security_headers import document_headers, transport_headers_wsgi  # noqa: E402


# No address of ours holds a NUL (%00), in its path or its query, and PostgreSQL refuses one in a query: without
# this guard /actors/kita%00/inbox reached the inbox's owner lookup and answered 500. The RSGI front checks it too.
def nul_in_address(path: str, query_string: str) -> bool:
    """`path` decoded, `query_string` as sent (%00 spells a NUL there; %2500 is the text "%00")."""
    return "\x00" in path or "%00" in query_string or "\x00" in query_string


class NulRefusal:
    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        if nul_in_address(path, environ.get("QUERY_STRING", "")):
            kind, body = nul_refusal(path, environ.get("HTTP_ACCEPT", ""), environ.get("HTTP_ACCEPT_LANGUAGE", ""),
                                     environ.get("HTTP_COOKIE", ""))
            start_response("400 Bad Request", [
                ("Content-Type", kind), ("X-Content-Type-Options", "nosniff"), *document_headers(),
                *transport_headers_wsgi(environ),
            ])
            return [body]
        return self.app(environ, start_response)


application = NulRefusal(InboxFastPath(DiscoveryFastPath(PostFastPath(django_application))))
