from django.apps import AppConfig

from actors.hooks import follow_ended, follow_noticed, follow_started, follows_noticed, remote_media_dropped


class PostsConfig(AppConfig):
    name = "posts"

    def ready(self) -> None:
        # A domain block that rejects media drops the attachments kept here; actors does not import posts.
        # (here, not at the top: the models load after the app configs)
        from .services.feeds import feed_follow_ended, feed_follow_started
        from .services.media import remote_media_drop
        from .services.notifying import follow_notify, follows_notify

        remote_media_dropped.listen(remote_media_drop)
        # Follows fill and empty home feeds and notify their targets; actors does not import posts.
        follow_started.listen(feed_follow_started)
        follow_ended.listen(feed_follow_ended)
        follow_noticed.listen(follow_notify)
        follows_noticed.listen(follows_notify)
