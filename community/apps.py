from django.apps import AppConfig

from actors.hooks import remote_location_moved


class CommunityConfig(AppConfig):
    name = "community"

    def ready(self) -> None:
        # A linked member's pin follows its actor's `location`; actors does not import community.
        # (here, not at the top: the models load after the app configs)
        from .services.positions import actor_location_moved

        remote_location_moved.listen(actor_location_moved)
