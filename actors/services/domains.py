"""Domain blocks: staff refuse a whole remote server (and its subdomains), as Mastodon's domain suspension does."""

import threading
import time
from urllib.parse import urlsplit

from ..models import Domain


class _BlockedNames:
    """The blocked names, re-read at most once a minute per process: the inbox asks on every POST (DESIGN.md, hot
    paths). A change made through `domain_block`/`domain_unblock` applies at once in the process that made it."""

    SECONDS = 60

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.names: frozenset[str] = frozenset()
        self.until = 0.0

    def current(self) -> frozenset[str]:
        now = time.monotonic()
        if now >= self.until:
            names = frozenset(Domain.objects.filter(blocked=True).values_list("name", flat=True))
            with self.lock:
                self.names, self.until = names, now + self.SECONDS
        return self.names

    def forget(self) -> None:
        with self.lock:
            self.until = 0.0


_blocked = _BlockedNames()


def _names_of(url: str) -> set[str]:
    """host:port, host, and each parent domain of host: a block of example.org covers social.example.org."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    labels = host.split(".")
    return {parts.netloc.lower(), *(".".join(labels[i:]) for i in range(len(labels) - 1)), host} - {""}


def domain_is_blocked(url: str) -> bool:
    """Whether the server of this URL (or a parent domain of it) is blocked."""
    blocked = _blocked.current()
    return bool(blocked) and not blocked.isdisjoint(_names_of(url))


def domain_block(*, name: str) -> Domain:
    """Refuse everything from this server and its subdomains (name: host or host:port)."""
    domain, _ = Domain.objects.update_or_create(name=name.strip().lower(), defaults={"blocked": True})
    _blocked.forget()
    return domain


def domain_unblock(*, name: str) -> None:
    Domain.objects.filter(name=name.strip().lower()).update(blocked=False)
    _blocked.forget()
