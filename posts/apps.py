from django.apps import AppConfig

from actors.hooks import remote_media_dropped


class PostsConfig(AppConfig):
    name = "posts"

    def ready(self) -> None:
        # A domain block that rejects media drops the attachments kept here; actors does not import posts.
        # (here, not at the top: the models load after the app configs)
        from .services.media import remote_media_drop

        remote_media_dropped.listen(remote_media_drop)
