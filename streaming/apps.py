"""The streaming app: it listens to the post and notification services and publishes events after commit."""

import logging

from django.apps import AppConfig
from django.db import transaction

log = logging.getLogger(__name__)


class StreamingConfig(AppConfig):
    name = "streaming"

    def ready(self) -> None:
        # Here, not at module level: models are loaded only once the app registry is ready.
        from posts.services.announcing import posts_added, posts_changed, posts_removing
        from posts.services.notifying import notifications_created

        from . import publishing
        from .bus import events_publish

        def added(sender, feeds, **kwargs):
            feeds = {post_id: set(owners) for post_id, owners in feeds.items()}
            # robust: a bus that is away costs the streams an event, never the request its committed data
            transaction.on_commit(lambda: publishing.updates_publish(feeds=feeds), robust=True)

        def changed(sender, post_ids, **kwargs):
            post_ids = list(post_ids)
            transaction.on_commit(lambda: publishing.edits_publish(post_ids=post_ids), robust=True)

        def removing(sender, post_ids, **kwargs):
            events = publishing.deletes_prepare(post_ids=list(post_ids))  # before the rows go
            transaction.on_commit(lambda: events_publish(events=events), robust=True)

        def notified(sender, ids, recipients, **kwargs):
            publishing.notifications_publish(ids=ids, recipients=recipients)  # sent after commit already

        posts_added.connect(added, dispatch_uid="streaming.added", weak=False)
        posts_changed.connect(changed, dispatch_uid="streaming.changed", weak=False)
        posts_removing.connect(removing, dispatch_uid="streaming.removing", weak=False)
        notifications_created.connect(notified, dispatch_uid="streaming.notified", weak=False)
