"""Finding a post by the URL someone pasted: one of ours (its id or its page), one already held, or one fetched from
its own server (Mastodon's search with resolve=true, and the remote interaction page)."""

from urllib.parse import urlsplit

from django.conf import settings
from django.urls import Resolver404, resolve
from django.utils.translation import gettext_noop

from actors.models import Actor
from actors.services.domains import domain_is_blocked
from actors.services.remote import ResolveError, actor_fetch, fetcher, origin
from fediverse_node.protocol.fetcher import FetchError
from fediverse_node.protocol.links import http_url
from fediverse_node.protocol.vocab import id_of

from ..models import Post
from .remote import POST_TYPES, post_upsert_remote

# The website's pages of one post (the site's URLconf names them, with the post's id as the one argument).
PAGE_ROUTES = {"community:post": "post_id", "community:article": "article_id", "community:event": "event_id"}


def _local_post_by_page(url: str) -> Post | None:
    """A post of this node named by one of the website's pages of it (/posts/<id>/, /blog/<id>/, /events/<id>/)."""
    try:
        match = resolve(urlsplit(url).path)
    except Resolver404:
        return None
    argument = PAGE_ROUTES.get(match.view_name)
    if argument is None:
        return None
    return Post.objects.filter(id=match.kwargs[argument], boost_of__isnull=True).first()


def _fetch_object(url: str) -> dict:
    """The object a URL names, taken from the server of its own id: when the URL was another address of it (a page,
    a redirect), the id is fetched once more and must answer with itself (another server cannot vouch for it)."""
    try:
        document = fetcher().get_json(url)
        object_id = id_of(document)
        if object_id != url and http_url(object_id, max_length=500):
            document = fetcher().get_json(object_id)
            if id_of(document) != object_id:
                raise ResolveError(gettext_noop("%(url)s answers with another id."), url=object_id)
    except FetchError as error:
        raise ResolveError(gettext_noop("Could not fetch %(url)s: %(error)s"), url=url, error=error) from error
    if not http_url(id_of(document), max_length=500):
        raise ResolveError(gettext_noop("%(url)s has no usable id."), url=url)
    return document


def post_resolve(*, url: str) -> Post:
    """The post at this URL (an id or a page address): ours, one already held, or fetched from its author's server
    and stored; ResolveError when the URL names no post we can use."""
    url = url.strip()
    if not http_url(url, max_length=2000):
        raise ResolveError(gettext_noop("Only http(s) URLs name posts."))
    known = Post.objects.filter(uri=url, boost_of__isnull=True).first() or Post.objects.filter(
        url=url, boost_of__isnull=True
    ).first()
    if known is not None:
        return known
    if origin(url) == origin(settings.FEDINODE_BASE_URL):
        post = _local_post_by_page(url)
        if post is None:
            raise ResolveError(gettext_noop("No post here at %(url)s."), url=url)
        return post
    if domain_is_blocked(url):
        raise ResolveError(gettext_noop("This server is blocked here."))
    document = _fetch_object(url)
    kind = document.get("type")
    if not isinstance(kind, str) or kind not in POST_TYPES:
        raise ResolveError(
            gettext_noop("%(url)s is not a post (type %(type)s)."), url=url, type=repr(document.get("type"))
        )
    object_id = document["id"]
    known = Post.objects.filter(uri=object_id).first()
    if known is not None:
        return known
    attributed = document.get("attributedTo")
    author_uri = id_of(attributed[0] if isinstance(attributed, list) and len(attributed) == 1 else attributed)
    # A post lives on its author's server: no server can publish one in another server's name.
    if not author_uri or origin(author_uri) != origin(object_id) or domain_is_blocked(object_id):
        raise ResolveError(gettext_noop("The post's author is not on the post's server."))
    author: Actor = actor_fetch(author_uri)
    if author.suspended or author.deleted:
        raise ResolveError(gettext_noop("The post's author is not available here."))
    return post_upsert_remote(obj=document, author=author)
