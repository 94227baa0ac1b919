from django.apps import AppConfig

from outbox.peers import peer_directory_set


class ActorsConfig(AppConfig):
    name = "actors"

    def ready(self) -> None:
        # Delivery asks about remote servers through this directory; outbox does not import actors.
        # (here, not at the top: the models load after the app configs)
        from .peers import DomainDirectory

        peer_directory_set(DomainDirectory())
