"""Public local posts as ActivityStreams, cached bytes with an ETag, past Django's middleware (as actors/fastpath.py
serves actor documents).

A post that a large account boosts is fetched by the servers of its followers within seconds, and a reply's parent
by every server that receives the reply. Through the view each fetch cost 5–6 ms of CPU (264 a second on two
cores, p99 281 ms; docs/benchmarks.md). Each web process keeps a post's rendered bytes for
FEDINODE_DOCUMENT_CACHE_SECONDS: an edit or a deletion is seen that much later, as an actor's changed profile is.
Only a post anyone may see is kept; unknown or hidden posts, followers-only ones, secure mode and pages for browsers
go to the Django views.
"""

import re

import orjson
from django.conf import settings

from actors.fastpath import DocumentCache, cached_document_serve, document_answer
from fediverse_node.activitystreams import wants_activity_json

from .activities import post_document
from .selectors import local_public_post

POST_PATH = re.compile(r"^/actors/(?P<username>[^/]+)/posts/(?P<post_id>[0-9]{1,18})$")
# posts are larger than actor documents, and anyone can ask for many of them: a few megabytes per process at most
_documents = DocumentCache(limit=2_000)


def post_request(method: str, path: str, query: str, accept: str) -> tuple[str, int] | None:
    """(username, post id) when the request asks for a post's ActivityStreams document, else None."""
    if method not in ("GET", "HEAD") or query or settings.FEDINODE_AUTHORIZED_FETCH:
        return None
    match = POST_PATH.match(path)
    if match is None or not wants_activity_json(accept):
        return None
    return match.group("username"), int(match.group("post_id"))


def post_cached(
    method: str, path: str, query: str, accept: str, if_none_match: str
) -> tuple[int, list[tuple[str, str]], bytes] | None:
    """(status, headers, body) of a post this process holds, else None: answered without a thread or the database
    (fediverse_node/rsgi.py, on the event loop); a miss goes through PostFastPath."""
    if post_request(method, path, query, accept) is None:
        return None
    cached = _documents.get(path)  # the path as requested: the view matches the username case-insensitively
    return None if cached is None else document_answer("post", cached, if_none_match, method)


def _render(username: str, post_id: int) -> bytes | None:
    """The post's bytes, or None when Django should answer (unknown, not public, suspended: one place for errors)."""
    post = local_public_post(username, post_id)
    return None if post is None else orjson.dumps(post_document(post))


class PostFastPath:
    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        request = post_request(
            environ.get("REQUEST_METHOD", ""), path, environ.get("QUERY_STRING", ""), environ.get("HTTP_ACCEPT", "")
        )
        if request is None:
            return self.app(environ, start_response)
        return cached_document_serve(
            environ, start_response, self.app, cache=_documents, key=path, kind="post", render=lambda: _render(*request)
        )
