from django.apps import AppConfig
from django.db.models.signals import post_migrate

from actors.hooks import remote_location_moved


class CommunityConfig(AppConfig):
    name = "community"

    def ready(self) -> None:
        # A linked member's pin follows its actor's `location`; actors does not import community.
        # (here, not at the top: the models load after the app configs)
        from .services.positions import actor_location_moved
        from .services.reference import reference_rows_ensure

        remote_location_moved.listen(actor_location_moved)
        # an empty table of fields of work or legal pages gets them back after migrate (and a test's flush)
        post_migrate.connect(reference_rows_ensure, sender=self, dispatch_uid="community-reference-rows")
