"""What this node's own requests to other servers share: the name it gives, and one kept-alive session per thread
for the unsigned POSTs of its workers (deliveries carry their own signature headers; pushes their VAPID ones)."""

import threading

from django.conf import settings

from fediverse_node.protocol.fetcher import SafeFetcher

_local = threading.local()


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
