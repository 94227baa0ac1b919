"""Domain blocks, as Mastodon has them: staff suspend a remote server (and its subdomains: nothing in, nothing out),
silence it (kept out of public feeds and timelines) and/or reject its media."""

import threading
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.db import transaction
from django.db.models import CharField, Exists, ExpressionWrapper, F, OuterRef, Q, Value
from django.db.models.functions import Concat
from django.utils import timezone

from outbox.services import deliveries_stop

from ..hooks import remote_media_dropped
from ..models import Actor, Domain, DomainSeverity

STRICTNESS = {DomainSeverity.NOOP: 0, DomainSeverity.SILENCE: 1, DomainSeverity.SUSPEND: 2}


@dataclass(frozen=True)
class _Policies:
    suspended: frozenset[str] = frozenset()
    silenced: frozenset[str] = frozenset()
    no_media: frozenset[str] = frozenset()


class _PolicyCache:
    """The restricted names, re-read at most once a minute per process: the inbox and the fan-out ask on every
    activity (docs/architecture.md, "Lessons the code taught"). A change made through `domain_block`/`domain_unblock` applies at once in the
    process that made it."""

    SECONDS = 60

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.policies = _Policies()
        self.until = 0.0

    def current(self) -> _Policies:
        now = time.monotonic()
        if now >= self.until:
            rows = Domain.objects.filter(
                Q(severity__in=(DomainSeverity.SILENCE, DomainSeverity.SUSPEND)) | Q(reject_media=True)
            ).values_list("name", "severity", "reject_media")
            policies = _Policies(
                suspended=frozenset(n for n, s, _ in rows if s == DomainSeverity.SUSPEND),
                silenced=frozenset(n for n, s, _ in rows if s == DomainSeverity.SILENCE),
                no_media=frozenset(n for n, _, m in rows if m),
            )
            with self.lock:
                self.policies, self.until = policies, now + self.SECONDS
        return self.policies

    def forget(self) -> None:
        with self.lock:
            self.until = 0.0


_policies = _PolicyCache()


def _names_of(url: str) -> set[str]:
    """host:port, host, and each parent domain of host: a block of example.org covers social.example.org."""
    parts = urlsplit(url if "//" in url else f"//{url}")
    host = (parts.hostname or "").lower()
    labels = host.split(".")
    return {parts.netloc.lower(), *(".".join(labels[i:]) for i in range(len(labels) - 1)), host} - {""}


def _matches(names: frozenset[str], url: str) -> bool:
    return bool(names) and not names.isdisjoint(_names_of(url))


def domain_is_blocked(url: str) -> bool:
    """Whether the server of this URL (or a parent domain of it) is suspended."""
    return _matches(_policies.current().suspended, url)


def domain_rejects_media(url: str) -> bool:
    """Whether attachments, avatars and headers from this URL's server (or a parent domain) are refused."""
    policies = _policies.current()
    return _matches(policies.no_media | policies.suspended, url)


def domain_is_hidden_from_public(url: str) -> bool:
    """Whether this server's posts stay out of public feeds (silenced or suspended)."""
    policies = _policies.current()
    return _matches(policies.silenced | policies.suspended, url)


def author_hidden_from_public(field: str = "author") -> Q:
    """For post queries: whether the author (an Actor relation named `field`) is suspended here or its server is
    silenced or suspended. One correlated subquery, so a page keeps its fixed number of queries."""
    restricted = (
        Domain.objects.filter(severity__in=(DomainSeverity.SILENCE, DomainSeverity.SUSPEND))
        .annotate(actor_domain=ExpressionWrapper(OuterRef(f"{field}__domain"), output_field=CharField()))
        # the server itself or a parent domain of it (Actor.domain is the netloc, so a port stays exact)
        .filter(Q(actor_domain=F("name")) | Q(actor_domain__endswith=Concat(Value("."), "name")))
    )
    return Exists(restricted) | Q(**{f"{field}__suspended": True})


def domain_block(*, name: str, severity: str = DomainSeverity.SUSPEND, reject_media: bool = False) -> Domain:
    """Set what applies to this server and its subdomains (name: host or host:port). Suspending stops what is
    still queued for it; rejecting media drops what we stored of it."""
    name = name.strip().lower()
    with transaction.atomic():
        domain, _ = Domain.objects.update_or_create(
            name=name, defaults={"severity": severity, "reject_media": reject_media}
        )
        _policies.forget()
        if severity == DomainSeverity.SUSPEND:
            deliveries_stop(inbox_matches=lambda url: _matches(frozenset([name]), url), reason=f"{name} is suspended")
        if reject_media or severity == DomainSeverity.SUSPEND:
            _media_forget(name)
    return domain


def domain_block_merge(*, name: str, severity: str, reject_media: bool) -> tuple[Domain, bool]:
    """Apply a block without weakening one staff already set (an imported list adds, never lifts);
    (the domain, whether anything changed)."""
    current = Domain.objects.filter(name=name.strip().lower()).first()
    if current is not None:
        if STRICTNESS[DomainSeverity(current.severity)] > STRICTNESS[DomainSeverity(severity)]:
            severity = current.severity
        reject_media = reject_media or current.reject_media
        if (current.severity, current.reject_media) == (severity, reject_media):
            return current, False
    return domain_block(name=name, severity=severity, reject_media=reject_media), True


def _media_forget(name: str) -> None:
    """Drop the attachments, avatars and headers we keep of this server's actors (remote URLs only: nothing of
    theirs is cached here)."""
    actors = Actor.objects.filter(Q(domain=name) | Q(domain__endswith=f".{name}"), local=False)
    now = timezone.now()  # updated_at keys the client API's cached copies of posts and accounts
    remote_media_dropped.call(actors=actors, now=now)  # the posts' attachments
    actors.exclude(icon_url="", image_url="").update(icon_url="", image_url="", updated_at=now)


def domain_unblock(*, name: str) -> None:
    """Lift every restriction of this server (media come back as its actors and posts are fetched again)."""
    Domain.objects.filter(name=name.strip().lower()).update(severity=DomainSeverity.NOOP, reject_media=False)
    _policies.forget()
