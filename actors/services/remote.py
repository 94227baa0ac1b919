"""Remote actors: resolving handles, fetching and caching actor documents and their keys."""

import re
import threading
from datetime import timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import Resolver404, resolve
from django.utils import timezone
from django.utils.translation import gettext_noop

from fediverse_node.errors import LocalizedError
from fediverse_node.outgoing import node_user_agent
from fediverse_node.protocol import vocab
from fediverse_node.protocol.fetcher import FetchError, SafeFetcher
from fediverse_node.protocol.keys import load_private_key
from fediverse_node.protocol.links import http_url
from fediverse_node.protocol.signatures import sign_cavage
from fediverse_node.protocol.webfinger import actor_url_from_jrd, parse_handle, webfinger_url
from fediverse_node.sanitize import sanitize_html

from ..hooks import remote_location_moved
from ..models import Actor, PublicKey
from .domains import domain_rejects_media
from .local import instance_actor, local_actor_by_username

_local = threading.local()
# Characters that would break a handle (user@domain) or a page address (/members/<handle>/) built from it.
UNROUTABLE_RE = re.compile(r"[/@?#%\\\s\x00-\x1f\x7f]")


class ResolveError(LocalizedError):
    """A handle or URL that does not lead to a usable actor (the message says why: `str()` in English,
    `localized()` in the page's language; a peer's or the fetcher's own words stay a parameter)."""


def origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def fetcher() -> SafeFetcher:
    """The process's safe fetcher (one kept-alive session per thread), signing GETs as the instance actor."""
    cached = getattr(_local, "fetcher", None)
    if cached is None:
        signer_actor = instance_actor()
        key = load_private_key(signer_actor.private_key_pem)
        key_id = signer_actor.key_id

        def signer(method: str, url: str, body: bytes | None) -> dict[str, str]:
            return sign_cavage(method=method, url=url, body=body, key_id=key_id, private_key=key)

        cached = SafeFetcher(
            allow_private=settings.FEDINODE_INSECURE_HTTP,
            user_agent=node_user_agent(),
            signer=signer,
        )
        _local.fetcher = cached
    return cached


def username_normalise(value) -> str:
    """A remote user name as we store it: what a handle and a page address can hold (no "/", "@", "?", "#",
    spaces or control characters; each becomes "_"), at most 100 characters, never empty."""
    name = UNROUTABLE_RE.sub("_", str(value).strip())[:100]
    return name or "_"


def actor_upsert_from_document(document: dict, *, fetched_from: str) -> Actor:
    """Store or update a remote actor from its document, which must come from the origin of its id."""
    try:
        parsed = vocab.Actor.parse(document)
    except vocab.VocabError as error:
        raise ResolveError("%(error)s", error=error) from error  # said as the parser words it
    uri = parsed.id
    if origin(uri) != origin(fetched_from):
        raise ResolveError(gettext_noop("The actor document's id is not on the server it was fetched from."))
    username = username_normalise(parsed.preferred_username or uri.rstrip("/").rsplit("/", 1)[-1])
    values = {
        "username": username,
        "domain": urlsplit(uri).netloc.lower(),
        "type": parsed.type,
        "display_name": parsed.name,
        "summary": sanitize_html(parsed.summary),
        "url": parsed.url or uri,
        "icon_url": parsed.icon,
        "image_url": parsed.image,
        "fields": [{"name": f.name, "value": sanitize_html(f.value)} for f in parsed.fields],
        "manually_approves_followers": parsed.manually_approves_followers,
        "discoverable": parsed.discoverable,
        "inbox_url": parsed.inbox,
        "shared_inbox_url": parsed.shared_inbox,
        "outbox_url": parsed.outbox,
        "followers_url": parsed.followers,
        "following_url": parsed.following,
        "document": document,
        "fetched_at": timezone.now(),
        "deleted": False,
    }
    if domain_rejects_media(uri):
        values["icon_url"] = values["image_url"] = ""
    with transaction.atomic():
        actor = Actor.objects.filter(uri=uri).first()
        if actor is not None and actor.local:
            raise ResolveError(gettext_noop("A remote document cannot replace a local actor."))
        if actor is None:
            # A handle may move to a new id (account re-created): the newest document wins the handle.
            Actor.objects.filter(username=values["username"], domain=values["domain"]).exclude(uri=uri).update(
                username=f"{values['username']}~{timezone.now().timestamp():.0f}"
            )
            try:
                with transaction.atomic():
                    actor = Actor.objects.create(uri=uri, local=False, **values)
            except IntegrityError:
                actor = Actor.objects.get(uri=uri)
        else:
            moved = (actor.document or {}).get("location") != document.get("location")
            for name, value in values.items():
                setattr(actor, name, value)
            actor.save()
            if moved:
                remote_location_moved.call(actor=actor)
        for key in parsed.public_keys:
            if origin(key.id) == origin(uri):
                PublicKey.objects.update_or_create(key_id=key.id, defaults={"owner": actor, "pem": key.pem})
    return actor


def actor_fetch(uri: str, *, refresh: bool = False) -> Actor:
    """The actor at this URL: from the cache while fresh, otherwise fetched (signed GET)."""
    actor = Actor.objects.filter(uri=uri).first()
    if actor is not None and (actor.local or not refresh):
        stale = actor.fetched_at is None or actor.fetched_at < timezone.now() - timedelta(
            seconds=settings.FEDINODE_ACTOR_REFRESH_SECONDS
        )
        if actor.local or not stale:
            return actor
    try:
        document = fetcher().get_json(uri)
    except FetchError as error:
        if actor is not None:
            return actor  # keep serving the cached copy while its server is unreachable
        raise ResolveError(gettext_noop("Could not fetch %(url)s: %(error)s"), url=uri, error=error) from error
    return actor_upsert_from_document(document, fetched_from=uri)


def actor_resolve(handle_or_url: str) -> Actor:
    """An actor from '@user@host', 'user@host', 'acct:user@host' or an actor URL; remote ones are fetched."""
    text = handle_or_url.strip()
    if "\x00" in text:  # no address holds one, and PostgreSQL refuses one in the lookups below
        raise ResolveError(gettext_noop("An address cannot contain a NUL character."))
    if text.startswith(("http://", "https://")):
        if origin(text) == origin(settings.FEDINODE_BASE_URL):
            actor = Actor.objects.filter(uri=text).first() or _actor_by_profile_page(text)
            if actor is None:
                raise ResolveError(gettext_noop("No local actor at %(url)s."), url=text)
            return actor
        known = Actor.objects.filter(uri=text, local=False).first() or Actor.objects.filter(
            url=text, local=False).first()
        return actor_fetch(known.uri) if known is not None else _actor_fetch_by_address(text)
    try:
        user, host = parse_handle(text)
    except ValueError as error:  # parse_handle's own words, which the protocol core cannot translate
        raise ResolveError(
            gettext_noop("%(handle)s is not a handle like @user@example.org"), handle=repr(text)
        ) from error
    if host.lower() == settings.FEDINODE_DOMAIN.lower():
        actor = local_actor_by_username(user)
        if actor is None:
            raise ResolveError(gettext_noop("No local actor named %(name)s."), name=repr(user))
        return actor
    known = Actor.objects.filter(username__iexact=user, domain__iexact=host, local=False).first()
    if known is not None and known.fetched_at and known.fetched_at > timezone.now() - timedelta(
        seconds=settings.FEDINODE_ACTOR_REFRESH_SECONDS
    ):
        return known
    scheme = "http" if settings.FEDINODE_INSECURE_HTTP and not _is_https_only() else "https"
    try:
        jrd = fetcher().get_json(webfinger_url(user, host, scheme=scheme), accept="application/jrd+json")
        actor_url = actor_url_from_jrd(jrd)
    except (FetchError, ValueError) as error:
        if known is not None:
            return known  # its server is unreachable: the stale copy is better than none
        raise ResolveError(
            gettext_noop("Could not find %(handle)s by WebFinger: %(error)s"), handle=f"{user}@{host}", error=error
        ) from error
    return actor_fetch(actor_url, refresh=True)


def _actor_by_profile_page(url: str) -> Actor | None:
    """The actor a profile page of our website names (/members/<name>/, a remote member's /members/<user@host>/):
    the address people share. Read from the URLconf, so this package needs nothing of the website's code."""
    try:
        match = resolve(urlsplit(url).path)
    except Resolver404:
        return None
    if match.view_name != "community:profile":
        return None
    username, _, domain = str(match.kwargs.get("handle", "")).partition("@")
    actors = Actor.objects.filter(username__iexact=username, deleted=False)
    return actors.filter(local=True).first() if not domain else actors.filter(domain__iexact=domain).first()


def _actor_fetch_by_address(url: str) -> Actor:
    """A remote actor by any address of it (its id, or a profile page that answers with its document): the document
    is taken from the origin of its own id, fetched again by that id when the address was another one."""
    try:
        document = fetcher().get_json(url)
    except FetchError as error:
        raise ResolveError(gettext_noop("Could not fetch %(url)s: %(error)s"), url=url, error=error) from error
    actor_id = document.get("id")
    if isinstance(actor_id, str) and actor_id != url and http_url(actor_id, max_length=500) and vocab.values.kind_of(document) in vocab.ACTOR_TYPES:
        return actor_fetch(actor_id, refresh=True)
    return actor_upsert_from_document(document, fetched_from=url)


def _is_https_only() -> bool:
    return settings.FEDINODE_SCHEME == "https"


def public_key_for(key_id: str, *, refresh: bool = False) -> PublicKey:
    """The public key with this keyId, fetched from its owner's document when unknown or when asked to refresh."""
    key = PublicKey.objects.select_related("owner").filter(key_id=key_id).first()
    if key is not None and (key.owner.local or not refresh):
        return key
    owner_url = key_id.split("#", 1)[0]
    try:
        document = fetcher().get_json(owner_url)
    except FetchError as error:
        raise ResolveError(gettext_noop("Could not fetch key %(key)s: %(error)s"), key=key_id, error=error) from error
    if key_owner := vocab.key_owner(document):
        # The keyId dereferences to a standalone key document (e.g. GoToSocial's /main-key): go to its owner.
        owner_url = key_owner
        try:
            document = fetcher().get_json(owner_url)
        except FetchError as error:  # the inbox answers 401 (peers retry a 4xx with another signature), never 500
            raise ResolveError(
                gettext_noop("Could not fetch the owner %(url)s of key %(key)s: %(error)s"), url=owner_url, key=key_id,
                error=error,
            ) from error
    actor_upsert_from_document(document, fetched_from=owner_url)
    key = PublicKey.objects.select_related("owner").filter(key_id=key_id).first()
    if key is None:
        raise ResolveError(
            gettext_noop("The actor at %(url)s does not publish the key %(key)s."), url=owner_url, key=key_id
        )
    return key
