"""WSGI entry point for granian (or any WSGI server); inbox POSTs, WebFinger, actor documents and public posts as
ActivityStreams take lean paths past Django's middleware."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fediverse_node.settings")
django_application = get_wsgi_application()

from actors.fastpath import DiscoveryFastPath  # noqa: E402  (needs Django set up first)
from inbox.fastpath import InboxFastPath  # noqa: E402
from posts.fastpath import PostFastPath  # noqa: E402

application = InboxFastPath(DiscoveryFastPath(PostFastPath(django_application)))
