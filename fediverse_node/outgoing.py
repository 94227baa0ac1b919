"""What this node's own requests to other servers share: the name it gives, one kept-alive session per thread for
its GETs, and one pool of kept-alive connections per process for the unsigned POSTs of its workers (deliveries
carry their own signature headers; pushes their VAPID ones)."""

import os
import resource
import threading

from django.conf import settings

from fediverse_node.protocol.fetcher import SafeFetcher

_local = threading.local()
_posters: dict[tuple[int, bool], SafeFetcher] = {}
_posters_lock = threading.Lock()


def node_user_agent() -> str:
    return f"fediverse-node/{settings.FEDINODE_VERSION} (+{settings.FEDINODE_BASE_URL})"


def thread_fetcher() -> SafeFetcher:
    """The safe fetcher of this thread (one kept-alive session per worker thread)."""
    fetcher = getattr(_local, "fetcher", None)
    if fetcher is None:
        fetcher = _local.fetcher = SafeFetcher(
            allow_private=settings.FEDINODE_INSECURE_HTTP, user_agent=node_user_agent(), timeout=15,
        )
    return fetcher


def poster() -> SafeFetcher:
    """The safe fetcher whose `post` this process's threads share (deliveries, pushes): a connection to a server
    is kept for whichever thread posts to it next. With a pool per thread, a fan-out's thread found a kept
    connection to about one server in sixteen, and each pool forgot all but its last 256 servers: every delivery
    of a fan-out to 1,000 servers opened a new connection (a third of the workers' time in bench.federation).
    Made in the process that uses it (never shared across a fork), and anew when the setting that allows private
    addresses changes (tests)."""
    key = (os.getpid(), settings.FEDINODE_INSECURE_HTTP)
    fetcher = _posters.get(key)
    if fetcher is None:
        with _posters_lock:
            fetcher = _posters.get(key)
            if fetcher is None:
                fetcher = _posters[key] = SafeFetcher(
                    allow_private=key[1], user_agent=node_user_agent(), timeout=15, servers_kept=servers_kept(),
                )
    return fetcher


def servers_kept() -> int:
    """How many servers' connections a process keeps: a socket each, within a quarter of its file limit (1,024 on
    many systems: 256 servers)."""
    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft == resource.RLIM_INFINITY:
        return 4096
    return max(64, min(4096, soft // 4))
