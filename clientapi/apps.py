"""The client API's app: it listens for new notifications to push them (clientapi/push_tasks.py)."""

from django.apps import AppConfig


class ClientApiConfig(AppConfig):
    name = "clientapi"

    def ready(self) -> None:
        # Here, not at module level: models are loaded only once the app registry is ready.
        from posts.services.notifying import notifications_created

        from .push_tasks import notifications_push_later

        notifications_created.connect(notifications_push_later, dispatch_uid="clientapi.push")
